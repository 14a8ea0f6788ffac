import Testing
@testable import SessionCore

@Suite struct GuestStartTests {
    @Test func guestStartCreatesAGuestUser() async throws {
        let harness = ServiceHarness()
        let session = try await harness.start("visitor").get()
        #expect(session.user.isGuest)
        #expect(session.user.name == "visitor")
        #expect(session.user.displayName == "visitor")
        #expect(session.user.online)
        let stored = try #require(try await harness.store.user(named: "visitor"))
        #expect(stored.id == session.user.id)
        #expect(stored.isGuest)
    }

    @Test func guestStartReusesTheGuestOfThatName() async throws {
        let harness = ServiceHarness()
        let first = try await harness.start("visitor").get()
        harness.service.end(sessionID: first.id, reason: .ended)
        let second = try await harness.start("visitor").get()
        #expect(second.user.id == first.user.id)
        #expect(second.id != first.id)
        #expect(try await harness.store.userCount() == 1)
    }

    @Test func guestStartOnAPersonsNameIsRefused() async throws {
        let harness = ServiceHarness()
        let person = try await harness.store.insert(NewUser(name: "jane", displayName: "Jane"))
        let result = await harness.start("jane")
        #expect(result.errorCode == .authenticationRequired)
        #expect(result.error?.type == "AuthenticationRequiredError")
        #expect(try await harness.store.user(named: "jane") == person)
        #expect(harness.service.activeSessionCount == 0)
    }

    @Test func guestStartOnANameTakenByAnAuthenticatedStartIsRefused() async throws {
        let harness = ServiceHarness()
        _ = try await harness.start("jane", authParams: ["action": "allow"]).get()
        #expect(await harness.start("jane").errorCode == .authenticationRequired)
    }

    @Test func guestStartsAreRefusedWhenGuestModeIsOff() async throws {
        let harness = ServiceHarness(options: SessionOptions(guestsAllowed: false))
        let result = await harness.start("visitor")
        #expect(result.errorCode == .guestSessionsDisabled)
        #expect(try await harness.store.userCount() == 0)
        #expect(try await harness.start("visitor", authParams: ["action": "allow"]).get().user.isGuest == false)
    }

    @Test func guestStartsRunNoFunction() async throws {
        let harness = ServiceHarness()
        _ = try await harness.start("visitor").get()
        #expect(harness.authenticator.events.isEmpty)
    }
}
