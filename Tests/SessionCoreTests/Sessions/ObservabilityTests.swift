import ChatFunctions
import Logging
import StrictJSON
import Testing
@testable import SessionCore

/// Metrics and logs of the start pipeline.
@Suite struct ObservabilityTests {
    @Test func startsAreCountedByCodeAndActiveSessionsAreAGauge() async throws {
        let harness = ServiceHarness()
        let metrics = harness.metrics
        #expect(metrics.value("sessiongate_sessions_active") == 0)
        for code in ["ok"] + ErrorCode.allCases.map(\.rawValue) {
            #expect(metrics.value("sessiongate_starts_total", [("code", code)]) == 0, "\(code) exists from the start")
        }

        let first = try await harness.start("a").get()
        _ = try await harness.start("b", authParams: ["action": "allow"]).get()
        _ = await harness.start("c", authParams: ["action": "deny"])
        _ = await harness.start("", authParams: ["action": "deny"])
        #expect(metrics.value("sessiongate_starts_total", [("code", "ok")]) == 2)
        #expect(metrics.value("sessiongate_starts_total", [("code", "access_denied")]) == 1)
        #expect(metrics.value("sessiongate_starts_total", [("code", "invalid_username")]) == 1)
        #expect(metrics.value("sessiongate_sessions_active") == 2)

        harness.service.end(sessionID: first.id, reason: .ended)
        #expect(metrics.value("sessiongate_sessions_active") == 1)
        harness.service.recordRefusedStart(.sessionActive)
        #expect(metrics.value("sessiongate_starts_total", [("code", "session_active")]) == 1)
        await harness.service.shutdown()
        #expect(metrics.value("sessiongate_sessions_active") == 0)
    }

    @Test func authParamsNeverReachTheLog() async throws {
        let logs = CapturedLogs()
        let harness = ServiceHarness(logger: logs.logger)
        let secret = "correct-horse-battery-staple"
        for action in ["allow", "deny", "error", "timeout", "memory", "overload", "abstain"] {
            _ = await harness.start("jane", authParams: ["action": .string(action), "password": .string(secret)])
        }
        _ = await harness.start("jane", authParams: .string(secret))
        _ = await harness.start("jane", authParams: ["password": .string(secret), "deep": nestedObject(levels: 40)])
        #expect(!logs.lines.isEmpty)
        #expect(logs.lines.allSatisfy { !$0.text.contains(secret) })
    }

    @Test func eachStartIsLoggedAtInfoWithItsOutcome() async throws {
        let logs = CapturedLogs()
        let harness = ServiceHarness(logger: logs.logger)
        let session = try await harness.start("jane").get()
        _ = await harness.start("joe", authParams: ["action": "deny"])

        let started = try #require(logs.lines.first { $0.message == "session started" })
        #expect(started.level == .info)
        #expect(started.metadata["username"] == "jane")
        #expect(started.metadata["code"] == "ok")
        #expect(started.metadata["session_id"] == session.id)
        #expect(started.metadata["duration_ms"] != nil)

        let refused = try #require(logs.lines.first { $0.message == "session start refused" })
        #expect(refused.level == .info)
        #expect(refused.metadata["username"] == "joe")
        #expect(refused.metadata["code"] == "access_denied")
        #expect(refused.metadata["duration_ms"] != nil)
    }

    @Test func aFunctionErrorIsLoggedWithFileMessageAndTraceback() async throws {
        let logs = CapturedLogs()
        let harness = ServiceHarness(logger: logs.logger)
        _ = await harness.start("jane", authParams: ["action": "error"])
        let line = try #require(logs.lines.first { $0.level == .error })
        let failure = ScriptedAuthenticator.failure
        #expect(line.metadata["file"] == failure.file)
        #expect(line.metadata["error"] == failure.message)
        #expect(line.metadata["traceback"] == failure.traceback)
    }
}
