@testable import ChatFunctions
import Foundation
import StrictJSON
import Testing

/// Trigger runs on the pool: every file's trigger in file-name order, each with a budget of its
/// own; a failure or a limit in one never stops the next (SPEC §3).
@Suite struct TriggerRunTests {
    static func run(_ pool: FunctionPool, _ trigger: TriggerName, _ event: JSONObject = ["sessionId": "s1"]) async -> [TriggerOutcome] {
        await withCheckedContinuation { continuation in
            pool.queueTrigger(trigger, event: event) { continuation.resume(returning: $0) }
        }
    }

    @Test func everyFilesTriggerRunsInOrderWhateverTheOthersDid() async throws {
        let fixture = try FolderFixture([
            "10-auth.lua": fn("return true"),
            "20-error.lua": "return {session_started = function(event) error('kaboom ' .. event.sessionId) end}",
            "30-spin.lua": "return {session_started = function() while true do end end}",
            "40-memory.lua": "return {session_started = function() local t = {} for i = 1, 1e9 do t[i] = i end end}",
            "50-ok.lua": "return {session_started = function() end, session_ended = function() end}",
        ])
        let pool = try FunctionPool(folder: fixture.path, options: FunctionPoolOptions(
            workers: 1, timeout: .milliseconds(100), memoryLimit: 8 << 20))
        #expect(pool.defines(.sessionStarted))
        let outcomes = await Self.run(pool, .sessionStarted)
        #expect(outcomes.map(\.result) == [.error, .timeout, .memory, .ok])
        #expect(outcomes.map { ($0.file as NSString).lastPathComponent } == ["20-error.lua", "30-spin.lua", "40-memory.lua", "50-ok.lua"])
        #expect(outcomes.first?.message?.contains("kaboom s1") == true)
        #expect(await Self.run(pool, .sessionEnded).map(\.result) == [.ok])
        // Authentication still works after the limits the triggers hit.
        #expect(await pool.authenticate(event()) == .allowed(Profile()))
        await pool.shutdown()
    }

    @Test func aTableWithoutAnyFunctionIsALoadErrorAndOneWithOnlyTriggersTakesNoPartInAuthentication() async throws {
        let empty = try FolderFixture(["10-empty.lua": "return {other = 1}"])
        #expect(throws: FunctionLoadError.self) { try FunctionPool(folder: empty.path, options: FunctionPoolOptions(workers: 1)) }
        let triggersOnly = try FolderFixture(["10-hooks.lua": "return {session_ended = function() end}"])
        let pool = try FunctionPool(folder: triggersOnly.path, options: FunctionPoolOptions(workers: 1))
        #expect(await pool.authenticate(event()) == .denied(message: Verdict.noFunctionAllowed, reason: nil))
        #expect(!pool.defines(.sessionStarted))
        #expect(await Self.run(pool, .sessionStarted).isEmpty)
        await pool.shutdown()
    }

    @Test func aFullTriggerQueueDropsTheTrigger() async throws {
        let fixture = try FolderFixture([
            // Busy until its budget ends: the worker stays taken for 6 s, however slowly this
            // test's own task is scheduled on a loaded machine (3 s was once not enough).
            "10-slow.lua": "return {session_started = function() while true do end end}",
        ])
        let pool = try FunctionPool(folder: fixture.path, options: FunctionPoolOptions(workers: 1, timeout: .seconds(6), triggerQueueLimit: 1))
        // One on the worker, one in the queue; the third finds the queue full.
        #expect(pool.queueTrigger(.sessionStarted, event: [:]))
        let deadline = ContinuousClock.now + .seconds(5)
        while pool.takenCallCount < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(pool.queueTrigger(.sessionStarted, event: [:]))
        #expect(!pool.queueTrigger(.sessionStarted, event: [:]))
        await pool.shutdown()
    }
}
