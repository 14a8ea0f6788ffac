import StrictJSON

/// A typed error a client sees: knows its wire form.
public struct GatewayError: Error, Sendable, Equatable {
    /// The machine-readable code; it also fixes the wire `type`.
    public var code: ErrorCode
    /// The client-facing message. Never holds auth params, secrets or script internals.
    public var message: String
    /// Why access was denied, as the function said (`access_denied` only).
    public var reason: String?
    /// Whole seconds to wait before trying again, at least 1 (`rate_limited` only).
    public var retryAfter: Int?

    public init(_ code: ErrorCode, _ message: String, reason: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.reason = reason
        self.retryAfter = retryAfter
    }

    /// An error with the code's default client message.
    public init(_ code: ErrorCode) {
        self.init(code, code.defaultMessage)
    }

    /// The wire `type`, e.g. `AccessDeniedError`.
    public var type: String { code.type }

    /// `{"type","code","message"}` plus `"reason"` when non-nil, plus `"retryAfter"` when non-nil — nothing else.
    public var jsonValue: JSONValue {
        var error = JSONObject()
        error["type"] = .string(type)
        error["code"] = .string(code.rawValue)
        error["message"] = .string(message)
        if let reason {
            error["reason"] = .string(reason)
        }
        if let retryAfter {
            error["retryAfter"] = .integer(Int64(retryAfter))
        }
        return .object(error)
    }
}

extension GatewayError: CustomStringConvertible {
    public var description: String { "\(code.rawValue): \(message)" }
}
