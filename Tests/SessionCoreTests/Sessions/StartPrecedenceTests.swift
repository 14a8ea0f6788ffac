import StrictJSON
import Testing
@testable import SessionCore

/// SPEC §2: of several errors, the first in the order invalid_username, invalid_auth_params,
/// rate_limited, guest_sessions_disabled, authentication_required, verdict wins.
@Suite struct StartPrecedenceTests {
    static let over256Bytes = String(repeating: "\u{E9}", count: 129)  // 258 bytes, 129 characters

    @Test(arguments: [
        ("missing", nil),
        ("number", .integer(42)),
        ("null", .null),
        ("array", .array(["jane"])),
        ("empty", .string("")),
        ("over 256 bytes", .string(over256Bytes)),
        ("NUL", .string("ja\u{0}ne")),
        ("unit separator", .string("jane\u{1F}")),
        ("newline", .string("jane\n")),
        ("DEL", .string("\u{7F}jane")),
        ("C1 NEL", .string("ja\u{85}ne")),
        ("C1 last", .string("jane\u{9F}")),
    ] as [(String, JSONValue?)])
    func badUsernamesAreInvalidUsername(_ label: String, username: JSONValue?) async throws {
        let harness = ServiceHarness()
        #expect(await harness.start(username).errorCode == .invalidUsername, "\(label)")
        #expect(await harness.start(username, authParams: ["action": "allow"]).errorCode == .invalidUsername)
        #expect(try await harness.store.userCount() == 0)
    }

    @Test(arguments: [
        String(repeating: "a", count: 256), String(repeating: "\u{E9}", count: 128), "jane\u{A0}doe", "\u{1F600}",
        "jane doe", "\u{200B}",
    ])
    func usernamesWithinTheRulesAreAccepted(username: String) async throws {
        let harness = ServiceHarness()
        let session = try await harness.start(.string(username)).get()
        #expect(session.user.name == username)
    }

    @Test func invalidUsernameBeatsInvalidAuthParams() async throws {
        let harness = ServiceHarness()
        #expect(await harness.start(.integer(1), authParams: .string("secret")).errorCode == .invalidUsername)
    }

    @Test(arguments: [JSONValue.string("x"), .integer(1), .double(1.5), .bool(true), .array([]), .array([["a": 1]])])
    func authParamsThatAreNotAnObjectAreInvalid(authParams: JSONValue) async throws {
        let harness = ServiceHarness()
        #expect(await harness.start("jane", authParams: authParams).errorCode == .invalidAuthParams)
        #expect(harness.authenticator.events.isEmpty)
    }

    @Test func nullAuthParamsIsAGuestStart() async throws {
        let harness = ServiceHarness()
        let session = try await harness.start("visitor", authParams: .null).get()
        #expect(session.user.isGuest)
        #expect(harness.authenticator.events.isEmpty)
    }

    @Test func authParamsMayNestThirtyTwoLevelsButNotThirtyThree() async throws {
        let harness = ServiceHarness()
        // The scripted authenticator abstains on these: reaching it proves the depth was accepted.
        #expect(await harness.start("jane", authParams: nestedObject(levels: 32)).errorCode == .accessDenied)
        #expect(await harness.start("jane", authParams: nestedObject(levels: 33)).errorCode == .invalidAuthParams)
        let arrays: JSONValue = ["list": .array([.array([nestedObject(levels: 30)])])]  // 1 + 2 + 30 = 33
        #expect(await harness.start("jane", authParams: arrays).errorCode == .invalidAuthParams)
        #expect(harness.authenticator.events.count == 1)
    }

    @Test func invalidAuthParamsBeatsRateLimited() async throws {
        let harness = ServiceHarness(options: SessionOptions(usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60))))
        #expect(await harness.start("jane", authParams: ["action": "deny"]).errorCode == .accessDenied)
        #expect(await harness.start("jane", authParams: ["action": "allow"]).errorCode == .rateLimited)
        #expect(await harness.start("jane", authParams: .string("x")).errorCode == .invalidAuthParams)
    }

    @Test func rateLimitedBeatsGuestSessionsDisabled() async throws {
        let harness = ServiceHarness(
            options: SessionOptions(guestsAllowed: false, usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60)))
        )
        #expect(await harness.start("jane", authParams: ["action": "deny"]).errorCode == .accessDenied)
        #expect(await harness.start("jane").errorCode == .rateLimited)
    }

    @Test func guestSessionsDisabledBeatsAuthenticationRequired() async throws {
        let harness = ServiceHarness(options: SessionOptions(guestsAllowed: false))
        _ = try await harness.store.insert(NewUser(name: "jane"))
        #expect(await harness.start("jane").errorCode == .guestSessionsDisabled)
    }

    @Test func authenticationRequiredComesBeforeAnyFunctionRuns() async throws {
        let harness = ServiceHarness()
        _ = try await harness.store.insert(NewUser(name: "jane"))
        #expect(await harness.start("jane").errorCode == .authenticationRequired)
        #expect(harness.authenticator.events.isEmpty)
    }
}
