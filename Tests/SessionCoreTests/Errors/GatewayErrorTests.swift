import StrictJSON
import Testing
@testable import SessionCore

@Suite struct GatewayErrorTests {
    /// SPEC §2's table, code to type.
    static let specTable: [String: String] = [
        "invalid_request": "InvalidRequestError", "invalid_username": "InvalidUsernameError",
        "invalid_auth_params": "InvalidAuthParamsError", "session_active": "SessionActiveError",
        "no_active_session": "NoActiveSessionError", "guest_sessions_disabled": "GuestSessionsDisabledError",
        "authentication_required": "AuthenticationRequiredError", "access_denied": "AccessDeniedError",
        "function_error": "FunctionError", "function_timeout": "FunctionTimeoutError",
        "function_memory": "FunctionMemoryError", "rate_limited": "RateLimitedError", "overloaded": "OverloadedError",
    ]

    @Test func everyCodeHasTheTypeOfTheSpec() {
        #expect(ErrorCode.allCases.count == Self.specTable.count)
        for code in ErrorCode.allCases {
            #expect(Self.specTable[code.rawValue] == code.type, "\(code.rawValue)")
            #expect(!code.defaultMessage.isEmpty)
        }
    }

    @Test func wireFormHoldsTypeCodeAndMessageOnly() {
        let error = GatewayError(.invalidUsername, "The username is empty")
        #expect(error.jsonValue == ["type": "InvalidUsernameError", "code": "invalid_username", "message": "The username is empty"])
        #expect(error.jsonValue.objectValue?.keys == ["type", "code", "message"])
    }

    @Test func wireFormAddsReasonAndRetryAfterWhenPresent() {
        let denied = GatewayError(.accessDenied, "Locked", reason: "account_locked")
        #expect(denied.jsonValue["reason"] == "account_locked")
        #expect(denied.jsonValue["retryAfter"] == nil)
        let limited = GatewayError(.rateLimited, "Slow down", retryAfter: 12)
        #expect(limited.jsonValue["retryAfter"] == .integer(12))
        #expect(limited.jsonValue["reason"] == nil)
    }

    @Test func defaultMessageInitializerUsesTheCodesMessage() {
        #expect(GatewayError(.overloaded) == GatewayError(.overloaded, ErrorCode.overloaded.defaultMessage))
    }
}
