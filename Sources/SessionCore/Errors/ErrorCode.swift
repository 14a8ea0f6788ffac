/// The `code` of every error a client can see (SPEC §2, "Error codes").
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request"
    case invalidUsername = "invalid_username"
    case invalidAuthParams = "invalid_auth_params"
    case sessionActive = "session_active"
    case noActiveSession = "no_active_session"
    case guestSessionsDisabled = "guest_sessions_disabled"
    case authenticationRequired = "authentication_required"
    case accessDenied = "access_denied"
    case functionError = "function_error"
    case functionTimeout = "function_timeout"
    case functionMemory = "function_memory"
    case rateLimited = "rate_limited"
    case overloaded = "overloaded"

    /// The wire `type` that goes with this code, e.g. `InvalidRequestError`.
    public var type: String {
        switch self {
        case .invalidRequest: "InvalidRequestError"
        case .invalidUsername: "InvalidUsernameError"
        case .invalidAuthParams: "InvalidAuthParamsError"
        case .sessionActive: "SessionActiveError"
        case .noActiveSession: "NoActiveSessionError"
        case .guestSessionsDisabled: "GuestSessionsDisabledError"
        case .authenticationRequired: "AuthenticationRequiredError"
        case .accessDenied: "AccessDeniedError"
        case .functionError: "FunctionError"
        case .functionTimeout: "FunctionTimeoutError"
        case .functionMemory: "FunctionMemoryError"
        case .rateLimited: "RateLimitedError"
        case .overloaded: "OverloadedError"
        }
    }

    /// A client message for when the caller has nothing more specific to say.
    public var defaultMessage: String {
        switch self {
        case .invalidRequest: "The request is not valid"
        case .invalidUsername: "The username is not valid"
        case .invalidAuthParams: "The authParams are not valid"
        case .sessionActive: "This connection already has an active session"
        case .noActiveSession: "This connection has no active session"
        case .guestSessionsDisabled: "Guest sessions are disabled; authParams are required"
        case .authenticationRequired: "This username belongs to a registered user; authParams are required"
        case .accessDenied: "Access denied"
        case .functionError: "The authentication failed because of an internal error"
        case .functionTimeout: "The authentication took too long"
        case .functionMemory: "The authentication ran out of memory"
        case .rateLimited: "Too many failed starts; try again later"
        case .overloaded: "The gateway cannot take the start now; try again later"
        }
    }

    /// Whether a start refused with this code counts against the failure limits (SPEC §2).
    public var countsAsFailedStart: Bool {
        switch self {
        case .accessDenied, .authenticationRequired, .functionError, .functionTimeout, .functionMemory: true
        default: false
        }
    }
}
