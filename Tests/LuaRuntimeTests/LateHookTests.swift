import Dispatch
import Foundation
import Testing
@testable import LuaRuntime

/// `LuaDeadlineChecks.afterInterrupt`: tasks run without the count hook until an interrupt at
/// the deadline arms it, and every limit still ends in its error, whatever the script does.
@Suite struct LateHookTests {
    static let late = LuaLimits(deadlineChecks: .afterInterrupt)

    /// Plays the pool's watchdog for one run: interrupts the calling OS thread once at
    /// `deadline` unless `finish()` came first.
    final class Alarm: @unchecked Sendable {
        private let finished = DispatchSemaphore(value: 0)
        private let gone = DispatchSemaphore(value: 0)

        init(at deadline: LuaDeadline) {
            let target = LuaInterrupt.receiveOnCurrentThread()
            let finished = self.finished
            let gone = self.gone
            Thread.detachNewThread {
                let wait = max(0, deadline.nanoseconds - LuaClock.nowNanoseconds)
                if finished.wait(timeout: .now() + .nanoseconds(Int(wait))) == .timedOut {
                    LuaInterrupt.send(to: target)
                }
                gone.signal()
            }
        }

        /// The run is over: no interrupt after this returns.
        func finish() {
            finished.signal()
            gone.wait()
        }
    }

    /// Runs `body` (a function body) in a task with `timeout`, interrupted at the deadline
    /// when `interrupt`; the step and the time it took.
    static func run(_ body: String, timeout: Duration, limits: LuaLimits = late, interrupt: Bool = true) throws -> (LuaTaskStep, Duration, LuaState) {
        let script = try Script("return function()\n\(body)\nend", limits: limits)
        let task = try #require(script.lua.makeTask())
        let started = ContinuousClock.now
        let deadline = LuaDeadline.after(timeout)
        let alarm = interrupt ? Alarm(at: deadline) : nil
        let step = script.lua.start(script.function, in: task, deadline: deadline) { _ in }
        let elapsed = ContinuousClock.now - started
        alarm?.finish()
        return (step, elapsed, script.lua)
    }

    static func error(_ step: LuaTaskStep) -> LuaError? {
        if case .failed(let error) = step { return error }
        return nil
    }

    /// Runaways that switch between the script's own coroutines or run in a coroutine's
    /// `__close` handler: the interrupt lands in whichever thread runs, and the switches that
    /// follow arm the next one.
    static let runaways: [String] = LimitTests.timeouts + [
        "local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end",
        "local co = coroutine.create(function() while true do coroutine.yield() end end) while true do pcall(coroutine.resume, co) end",
        """
        local co = coroutine.create(function()
          local guard <close> = setmetatable({}, {__close = function() while true do end end})
          coroutine.yield()
        end)
        coroutine.resume(co)
        return pcall(coroutine.close, co)
        """,
    ]

    @Test(arguments: runaways)
    func anInterruptAtTheDeadlineEndsRunawayCodeInATimeout(body: String) throws {
        let (step, elapsed, lua) = try Self.run(body, timeout: .milliseconds(100))
        #expect(Self.error(step) == .timeout, "\(step)")
        #expect(elapsed < .milliseconds(400))
        #expect(!lua.isUsable)
    }

    @Test func withoutAnInterruptARunOverItsTimeIsStillATimeout() throws {
        // No hook and no watchdog: the run is not stopped, but it cannot end in its result.
        // os.clock is the process's CPU time: 0.2 s of it is at least 0.1 s on two cores.
        let (step, elapsed, lua) = try Self.run("local t = os.clock() while os.clock() - t < 0.2 do end return true",
                                                timeout: .milliseconds(30), interrupt: false)
        #expect(elapsed >= .milliseconds(90), "the hook was on")
        #expect(Self.error(step) == .timeout, "\(step)")
        #expect(!lua.isUsable)
    }

    @Test func aRunWithinItsTimeFinishesAsWithTheHook() throws {
        let (step, _, lua) = try Self.run("local s = 0 for i = 1, 1e5 do s = s + i end return s", timeout: .seconds(5))
        guard case .finished(let values) = step else { Issue.record("\(step)"); return }
        #expect(values == [.integer(5_000_050_000)])
        #expect(lua.isUsable)
    }

    @Test(arguments: [
        // `load` returns a memory error as a value: the limit arms the hook at once.
        "while true do load(function() return string.rep('a', 40 << 20) end) end",
        "local co = coroutine.create(function() while true do load(function() return string.rep('a', 40 << 20) end) end end) coroutine.resume(co) return true",
    ] + LimitTests.memoryHogs)
    func aMemoryLimitStopsTheRunWithoutAnInterrupt(body: String) throws {
        let (step, elapsed, lua) = try Self.run(body, timeout: .seconds(20), limits: LuaLimits(memory: 8 << 20, deadlineChecks: .afterInterrupt),
                                                interrupt: false)
        #expect(Self.error(step) == .memory, "\(step)")
        #expect(elapsed < .seconds(5))
        #expect(!lua.isUsable)
    }

    @Test func aLimitInACloseHandlerIsNotTheScriptsToKeep() throws {
        let (step, _, _) = try Self.run("""
            local co = coroutine.create(function()
              local guard <close> = setmetatable({}, {__close = function() local t = {} for i = 1, 1e9 do t[i] = {} end end})
              coroutine.yield()
            end)
            coroutine.resume(co)
            local ok = coroutine.close(co)
            return true
            """, timeout: .seconds(20), limits: LuaLimits(memory: 8 << 20, deadlineChecks: .afterInterrupt), interrupt: false)
        #expect(Self.error(step) == .memory, "\(step)")
    }

    @Test func loadingAFileKeepsTheHookFromTheStart() throws {
        // Top-level code runs outside a task, where no watchdog interrupts.
        let lua = try LuaState(limits: Self.late)
        let started = ContinuousClock.now
        #expect(luaError { _ = try lua.load(Array("while true do end".utf8), chunkName: "functions/spin.lua",
                                             policy: .frozenAfterLoad, deadline: .after(.milliseconds(100))) } == .timeout)
        #expect(ContinuousClock.now - started < .milliseconds(400))
    }

    @Test func aRunResumedPastItsDeadlineStartsArmedEvenUnderPcall() throws {
        // The wait outlasts the budget (an `http` call that answers late); nothing interrupts.
        let w = try TaskTests.Waiting("return function(x) local ok = pcall(wait, x) while true do end end", limits: Self.late)
        let task = try #require(w.lua.makeTask())
        guard case .waiting = w.start(task, "t", timeout: .milliseconds(50)) else { Issue.record("no wait"); return }
        Thread.sleep(forTimeInterval: 0.08)
        let started = ContinuousClock.now
        guard case .failed(.timeout) = w.lua.resume(task) else { Issue.record("no timeout"); return }
        #expect(ContinuousClock.now - started < .milliseconds(200))
        #expect(!w.lua.isUsable)
    }

    @Test func aRunResumedInTimeIsStoppedByTheInterrupt() throws {
        let w = try TaskTests.Waiting("return function(x) local s = wait(x) while true do end end", limits: Self.late)
        let task = try #require(w.lua.makeTask())
        let started = ContinuousClock.now
        guard case .waiting = w.start(task, "t", timeout: .milliseconds(150)) else { Issue.record("no wait"); return }
        let alarm = Alarm(at: .after(.milliseconds(150)))
        let step = w.lua.resume(task)
        alarm.finish()
        guard case .failed(.timeout) = step else { Issue.record("\(step)"); return }
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }

    @Test func anInterruptBetweenRunsLeavesTheNextRunAlone() throws {
        let script = try Script("return function() local s = 0 for i = 1, 1e5 do s = s + i end return s end", limits: Self.late)
        LuaInterrupt.send(to: LuaInterrupt.receiveOnCurrentThread())
        let task = try #require(script.lua.makeTask())
        let step = script.lua.start(script.function, in: task, deadline: .after(.seconds(5))) { _ in }
        guard case .finished(let values) = step else { Issue.record("\(step)"); return }
        #expect(values == [.integer(5_000_050_000)])
    }
}
