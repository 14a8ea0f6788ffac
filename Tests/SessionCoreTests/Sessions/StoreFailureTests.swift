import Testing
@testable import SessionCore

@Suite struct StoreFailureTests {
    @Test func aFailingStoreAnswersOverloadedAndIsLoggedAsAnError() async throws {
        let logs = CapturedLogs()
        let harness = ServiceHarness(
            options: SessionOptions(usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60))),
            store: BrokenUserStore(), logger: logs.logger
        )
        #expect(await harness.start("visitor").errorCode == .overloaded)
        #expect(await harness.start("jane", authParams: ["action": "allow"]).errorCode == .overloaded)
        #expect(await harness.start("jane", authParams: ["action": "allow"]).errorCode == .overloaded, "not counted")
        #expect(harness.service.activeSessionCount == 0)
        #expect(logs.lines.contains { $0.level == .error && $0.message == "user store failed" })
        await harness.service.shutdown()
    }
}
