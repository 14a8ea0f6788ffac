extension SessionGateError {
    /// Every error code of the protocol (SPEC §2), plus the client's own transport kinds.
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// `invalid_request`: the gateway could not read the request.
        case invalidRequest
        /// `invalid_username`: missing, empty, over 256 bytes, or with a control character.
        case invalidUsername
        /// `invalid_auth_params`: not an object, or nested deeper than 32 levels.
        case invalidAuthParams
        /// `session_active`: this connection already holds a session.
        case sessionActive
        /// `no_active_session`: `endSession` without a session.
        case noActiveSession
        /// `guest_sessions_disabled`: a start without auth params while guests are off.
        case guestSessionsDisabled
        /// `authentication_required`: a guest start for a non-guest user's name.
        case authenticationRequired
        /// `access_denied`: a chat function denied, or every function abstained.
        case accessDenied
        /// `function_error`: a chat function failed.
        case functionError
        /// `function_timeout`: the chat functions ran out of time.
        case functionTimeout
        /// `function_memory`: a chat function ran out of memory.
        case functionMemory
        /// `rate_limited`: too many failed starts; see ``SessionGateError/retryAfter``.
        case rateLimited
        /// `overloaded`: the gateway cannot take the start now.
        case overloaded

        /// The client could not open the WebSocket (refused, bad URL, upgrade rejected).
        case connectionFailed
        /// The connection closed or broke before the reply came.
        case connectionLost
        /// No reply came within the client's request timeout.
        case timeout
        /// The gateway sent something this client cannot read.
        case protocolError

        /// A code this version of the client does not know, as the gateway sent it.
        case unrecognized(String)

        /// Maps a wire code to its case; unknown codes become ``unrecognized(_:)``.
        public init(wireCode: String) {
            self = Self.all.first { $0.wireCode == wireCode } ?? .unrecognized(wireCode)
        }

        /// The known codes: the thirteen of the protocol and the four transport kinds.
        public static let all: [Code] = [
            .invalidRequest, .invalidUsername, .invalidAuthParams, .sessionActive, .noActiveSession,
            .guestSessionsDisabled, .authenticationRequired, .accessDenied, .functionError,
            .functionTimeout, .functionMemory, .rateLimited, .overloaded,
            .connectionFailed, .connectionLost, .timeout, .protocolError,
        ]

        /// The `code` string on the wire, for example `access_denied`.
        public var wireCode: String {
            switch self {
            case .invalidRequest: "invalid_request"
            case .invalidUsername: "invalid_username"
            case .invalidAuthParams: "invalid_auth_params"
            case .sessionActive: "session_active"
            case .noActiveSession: "no_active_session"
            case .guestSessionsDisabled: "guest_sessions_disabled"
            case .authenticationRequired: "authentication_required"
            case .accessDenied: "access_denied"
            case .functionError: "function_error"
            case .functionTimeout: "function_timeout"
            case .functionMemory: "function_memory"
            case .rateLimited: "rate_limited"
            case .overloaded: "overloaded"
            case .connectionFailed: "connection_failed"
            case .connectionLost: "connection_lost"
            case .timeout: "timeout"
            case .protocolError: "protocol_error"
            case .unrecognized(let code): code
            }
        }

        /// The `type` string on the wire, for example `AccessDeniedError`.
        public var typeName: String {
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
            case .connectionFailed: "ConnectionFailedError"
            case .connectionLost: "ConnectionLostError"
            case .timeout: "TimeoutError"
            case .protocolError: "ProtocolError"
            case .unrecognized: "UnknownError"
            }
        }

        /// Whether the code describes the transport rather than a gateway decision.
        public var isTransport: Bool {
            switch self {
            case .connectionFailed, .connectionLost, .timeout, .protocolError: true
            default: false
            }
        }

        public var description: String { wireCode }
    }
}
