import ChatFunctions
import StrictJSON
import Testing
@testable import SessionCore

@Suite struct VerdictMappingTests {
    @Test func denialCarriesTheFunctionsMessageAndReason() async throws {
        let harness = ServiceHarness()
        let result = await harness.start(
            "jane", authParams: ["action": "deny", "message": "Account locked", "reason": "account_locked"]
        )
        #expect(result.error == GatewayError(.accessDenied, "Account locked", reason: "account_locked"))
        #expect(try await harness.store.userCount() == 0)
    }

    @Test func denialWithoutReasonHasNone() async throws {
        let harness = ServiceHarness()
        let error = await harness.start("jane", authParams: ["action": "deny"]).error
        #expect(error == GatewayError(.accessDenied, "Wrong password"))
        #expect(error?.jsonValue["reason"] == nil)
    }

    @Test func functionErrorShowsTheClientOnlyAGenericMessage() async throws {
        let harness = ServiceHarness()
        let error = await harness.start("jane", authParams: ["action": "error"]).error
        #expect(error?.code == .functionError)
        #expect(error?.type == "FunctionError")
        #expect(error?.message.contains("20-password.lua") == false)
        #expect(error?.message.contains("nil value") == false)
    }

    @Test(arguments: [
        ("timeout", ErrorCode.functionTimeout, "FunctionTimeoutError"),
        ("memory", .functionMemory, "FunctionMemoryError"),
        ("overload", .overloaded, "OverloadedError"),
        ("error", .functionError, "FunctionError"),
    ])
    func failuresMapToTheirCodes(action: String, code: ErrorCode, type: String) async throws {
        let harness = ServiceHarness()
        let error = try #require(await harness.start("jane", authParams: ["action": .string(action)]).error)
        #expect(error.code == code)
        #expect(error.type == type)
        #expect(!error.message.isEmpty)
        #expect(error.reason == nil && error.retryAfter == nil)
        #expect(try await harness.store.userCount() == 0)
        #expect(harness.service.activeSessionCount == 0)
    }

    @Test func noVerdictEverCreatesAUserExceptAllow() async throws {
        let harness = ServiceHarness()
        for action in ["deny", "error", "timeout", "memory", "overload", "abstain"] {
            _ = await harness.start("jane", authParams: ["action": .string(action)])
        }
        #expect(try await harness.store.userCount() == 0)
    }
}
