import StrictJSON
import Testing
@testable import SessionCore

@Suite struct FailureLimitStartTests {
    static let perUsername = SessionOptions(usernameFailureLimit: FailureLimit(count: 3, window: .seconds(30)), addressFailureLimit: nil)
    static let perAddress = SessionOptions(usernameFailureLimit: nil, addressFailureLimit: FailureLimit(count: 2, window: .seconds(60)))

    @Test func aUsernameOverItsLimitIsRefusedEvenWithTheRightPassword() async throws {
        let harness = ServiceHarness(options: Self.perUsername)
        for _ in 0..<3 {
            #expect(await harness.start("jane", authParams: ["action": "deny"]).errorCode == .accessDenied)
        }
        let error = await harness.start("jane", authParams: ["action": "allow"]).error
        #expect(error?.code == .rateLimited)
        #expect(error?.type == "RateLimitedError")
        #expect(error?.retryAfter == 30)
        #expect(harness.authenticator.events.count == 3, "a refused start runs no function")
        #expect(await harness.start("joe", authParams: ["action": "allow"]).errorCode == nil)
    }

    @Test func retryAfterCountsDownAndTheUsernameRecoversAfterTheWindow() async throws {
        let harness = ServiceHarness(options: Self.perUsername)
        for _ in 0..<3 {
            _ = await harness.start("jane", authParams: ["action": "deny"])
        }
        harness.clock.advance(by: .milliseconds(12_300))
        #expect(await harness.start("jane", authParams: ["action": "allow"]).error?.retryAfter == 18)
        harness.clock.advance(by: .seconds(18))
        #expect(try await harness.start("jane", authParams: ["action": "allow"]).get().user.name == "jane")
    }

    @Test func anAddressOverItsLimitIsRefusedForEveryUsername() async throws {
        let harness = ServiceHarness(options: Self.perAddress)
        #expect(await harness.start("a", authParams: ["action": "deny"], from: "198.51.100.7").errorCode == .accessDenied)
        #expect(await harness.start("b", authParams: ["action": "error"], from: "198.51.100.7").errorCode == .functionError)
        let error = await harness.start("c", from: "198.51.100.7").error
        #expect(error?.code == .rateLimited)
        #expect(error?.retryAfter == 60)
        #expect(await harness.start("c", from: "198.51.100.8").errorCode == nil)
    }

    @Test func theLongerWaitWinsWhenBothLimitsApply() async throws {
        let harness = ServiceHarness(
            options: SessionOptions(
                usernameFailureLimit: FailureLimit(count: 1, window: .seconds(10)),
                addressFailureLimit: FailureLimit(count: 1, window: .seconds(50))
            )
        )
        _ = await harness.start("jane", authParams: ["action": "deny"])
        #expect(await harness.start("jane", authParams: ["action": "allow"]).error?.retryAfter == 50)
    }

    @Test func successfulStartsDoNotCount() async throws {
        let harness = ServiceHarness(
            options: SessionOptions(
                usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60)),
                addressFailureLimit: FailureLimit(count: 1, window: .seconds(60))
            )
        )
        for _ in 0..<5 {
            _ = try await harness.start("jane", authParams: ["action": "allow"]).get()
            _ = try await harness.start("visitor").get()
        }
        #expect(await harness.start("jane", authParams: ["action": "deny"]).errorCode == .accessDenied)
        #expect(await harness.start("jane", authParams: ["action": "allow"]).errorCode == .rateLimited)
    }

    @Test func malformedStartsDoNotCount() async throws {
        let harness = ServiceHarness(
            options: SessionOptions(
                usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60)),
                addressFailureLimit: FailureLimit(count: 1, window: .seconds(60))
            )
        )
        for _ in 0..<5 {
            _ = await harness.start(.integer(7))
            _ = await harness.start("", authParams: ["action": "deny"])
            _ = await harness.start("jane", authParams: .string("bad"))
            _ = await harness.start("jane", authParams: nestedObject(levels: 40))
        }
        #expect(try await harness.start("jane", authParams: ["action": "allow"]).get().user.name == "jane")
    }

    @Test(arguments: [
        ("deny", ErrorCode.accessDenied, true),
        ("error", .functionError, true),
        ("timeout", .functionTimeout, true),
        ("memory", .functionMemory, true),
        ("abstain", .accessDenied, true),
        ("overload", .overloaded, false),
    ])
    func whichVerdictsCountAsFailures(action: String, code: ErrorCode, counts: Bool) async throws {
        let harness = ServiceHarness(options: SessionOptions(usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60))))
        #expect(await harness.start("jane", authParams: ["action": .string(action)]).errorCode == code)
        let next = await harness.start("jane", authParams: ["action": "allow"]).errorCode
        #expect(next == (counts ? .rateLimited : nil))
    }

    @Test func authenticationRequiredCounts() async throws {
        let harness = ServiceHarness(options: SessionOptions(usernameFailureLimit: FailureLimit(count: 2, window: .seconds(60))))
        _ = try await harness.store.insert(NewUser(name: "jane"))
        #expect(await harness.start("jane").errorCode == .authenticationRequired)
        #expect(await harness.start("jane").errorCode == .authenticationRequired)
        #expect(await harness.start("jane").errorCode == .rateLimited)
    }

    @Test func guestSessionsDisabledDoesNotCount() async throws {
        let harness = ServiceHarness(
            options: SessionOptions(guestsAllowed: false, usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60)))
        )
        for _ in 0..<3 {
            #expect(await harness.start("jane").errorCode == .guestSessionsDisabled)
        }
    }

    @Test func rateLimitedStartsDoNotExtendTheWait() async throws {
        let harness = ServiceHarness(options: SessionOptions(usernameFailureLimit: FailureLimit(count: 1, window: .seconds(60))))
        _ = await harness.start("jane", authParams: ["action": "deny"])
        harness.clock.advance(by: .seconds(40))
        for _ in 0..<5 {
            #expect(await harness.start("jane", authParams: ["action": "allow"]).error?.retryAfter == 20)
        }
    }

    @Test func limitsCanBeTurnedOff() async throws {
        let harness = ServiceHarness(options: SessionOptions(usernameFailureLimit: nil, addressFailureLimit: nil))
        for _ in 0..<50 {
            #expect(await harness.start("jane", authParams: ["action": "deny"]).errorCode == .accessDenied)
        }
    }
}
