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

/// The start pipeline on a store that answers later, through callbacks (`Immediate.later`).
@Suite struct LaterAnswersTests {
    @Test func startsGoThroughTheCallbacksAndCommitTheirSessions() async throws {
        let store = CallbackUserStore()
        let harness = ServiceHarness(store: store)
        let guest = try await harness.start("visitor").get()
        let person = try await harness.start("jane", authParams: ["action": "allow"]).get()
        // A guest start's user and row in one step; an authenticated start's user, then its row.
        #expect(store.answeredLater.load(ordering: .relaxed) == 3)
        #expect(try await store.sessions(ofUser: guest.user.id).map(\.id) == [guest.id])
        #expect(try await store.sessions(ofUser: person.user.id).map(\.id) == [person.id])
        #expect(harness.service.activeSessionCount == 2)

        // A person is refused a guest start, and no session is recorded for the refusal.
        #expect(await harness.start("jane").errorCode == .authenticationRequired)
        #expect(try await store.sessions(ofUser: person.user.id).count == 1)
        await harness.service.shutdown()
    }

    @Test func aFailingCallbackAnswersOverloaded() async throws {
        let store = CallbackUserStore()
        let harness = ServiceHarness(store: store)
        store.failing.store(true, ordering: .relaxed)
        #expect(await harness.start("visitor").errorCode == .overloaded)
        #expect(await harness.start("jane", authParams: ["action": "allow"]).errorCode == .overloaded)
        #expect(harness.service.activeSessionCount == 0)
        #expect(try await store.userCount() == 0)
        await harness.service.shutdown()
    }
}
