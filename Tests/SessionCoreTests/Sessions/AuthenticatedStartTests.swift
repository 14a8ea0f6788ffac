import ChatFunctions
import StrictJSON
import Testing
@testable import SessionCore

@Suite struct AuthenticatedStartTests {
    @Test func emptyAuthParamsStillRunTheFunctions() async throws {
        let harness = ServiceHarness()
        let result = await harness.start("jane", authParams: [:])
        #expect(result.error == GatewayError(.accessDenied, Verdict.noFunctionAllowed))
        #expect(harness.authenticator.events.map(\.username) == ["jane"])
        #expect(try await harness.store.userCount() == 0)
    }

    @Test func theFunctionsSeeTheRequestButNoStoredUserForANewName() async throws {
        let harness = ServiceHarness()
        let authParams: JSONValue = ["action": "allow", "password": "hunter2"]
        _ = try await harness.start(
            "jane", authParams: authParams, from: "203.0.113.9", userAgent: "tests/1.0", origin: "https://chat.example"
        ).get()
        let event = try #require(harness.authenticator.events.first)
        #expect(event.username == "jane")
        #expect(JSONValue.object(event.authParams) == authParams)
        #expect(event.remoteAddress == "203.0.113.9")
        #expect(event.userAgent == "tests/1.0")
        #expect(event.origin == "https://chat.example")
        #expect(event.user == nil)
    }

    @Test func theFunctionsSeeTheStoredUserWithItsOnlineFlag() async throws {
        let harness = ServiceHarness()
        let guest = try await harness.start("jane").get()
        _ = await harness.start("jane", authParams: ["action": "deny"])
        let whileOnline = try #require(harness.authenticator.events.last?.user)
        #expect(whileOnline.id == guest.user.id)
        #expect(whileOnline.isGuest)
        #expect(whileOnline.online)

        harness.service.end(sessionID: guest.id, reason: .connectionClosed)
        _ = await harness.start("jane", authParams: ["action": "deny"])
        #expect(harness.authenticator.events.last?.user?.online == false)
    }

    @Test func allowedStartCreatesAUserNamedAfterItselfWhenNoDisplayNameIsGiven() async throws {
        let harness = ServiceHarness()
        let session = try await harness.start("jane@example.com", authParams: ["action": "allow"]).get()
        #expect(!session.user.isGuest)
        #expect(session.user.displayName == "jane@example.com")
        #expect(session.user.online)
        #expect(try await harness.store.user(named: "jane@example.com")?.id == session.user.id)
    }

    @Test func allowedStartStoresTheProfile() async throws {
        let harness = ServiceHarness()
        let session = try await harness.start(
            "jane",
            authParams: [
                "action": "allow", "displayName": "Jane", "displayPictureUrl": "https://example.com/jane.png",
                "properties": ["team": "blue", "level": 3, "score": 2.5],
            ]
        ).get()
        #expect(session.user.displayName == "Jane")
        #expect(session.user.displayPictureUrl == "https://example.com/jane.png")
        #expect(session.user.properties == ["team": "blue", "level": 3, "score": 2.5])
        let stored = try #require(try await harness.store.user(named: "jane"))
        #expect(stored.snapshot(online: true) == session.user)
    }

    @Test func authenticatedStartUpgradesAGuestKeepingItsId() async throws {
        let harness = ServiceHarness()
        let guest = try await harness.start("jane").get()
        let upgraded = try await harness.start("jane", authParams: ["action": "allow", "displayName": "Jane"]).get()
        #expect(upgraded.user.id == guest.user.id)
        #expect(!upgraded.user.isGuest)
        #expect(upgraded.user.displayName == "Jane")
        #expect(upgraded.user.createdTime == guest.user.createdTime)
        #expect(try await harness.store.userCount() == 1)
    }

    @Test func laterStartsKeepWhatTheirProfileLeavesOut() async throws {
        let harness = ServiceHarness()
        _ = try await harness.start(
            "jane", authParams: ["action": "allow", "displayName": "Jane", "properties": ["team": "blue"]]
        ).get()
        let plain = try await harness.start("jane", authParams: ["action": "allow"]).get()
        #expect(plain.user.displayName == "Jane")
        #expect(plain.user.properties == ["team": "blue"])
        let replaced = try await harness.start("jane", authParams: ["action": "allow", "properties": ["level": 2]]).get()
        #expect(replaced.user.displayName == "Jane")
        #expect(replaced.user.properties == ["level": 2])
    }

    @Test func anAllowedStartIsRecordedWithTheFunctionSetVersion() async throws {
        let harness = ServiceHarness()
        let session = try await harness.start("jane", authParams: ["action": "allow"], userAgent: "tests/1.0").get()
        let history = try await harness.store.sessions(ofUser: session.user.id)
        #expect(
            history == [
                SessionRecord(
                    id: session.id, userID: session.user.id, startedAt: session.startedAt, remoteAddress: "192.0.2.1",
                    userAgent: "tests/1.0", functionSetVersion: harness.authenticator.version
                )
            ]
        )
    }
}
