/// Why a request failed: a typed error the gateway sent (SPEC §2 "Error codes"), or a
/// transport problem the client found itself.
///
/// Switch on ``code`` to react; show ``message`` to a person. For `access_denied`,
/// ``reason`` is the machine-readable reason a chat function gave (for example
/// `"account_locked"`); for `rate_limited`, ``retryAfter`` is the number of seconds
/// to wait.
public struct SessionGateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Who produced the error.
    public enum Source: Sendable, Hashable {
        /// The gateway replied with it.
        case gateway
        /// The client decided it without a round trip, or the transport failed.
        case client
    }

    /// The typed code.
    public let code: Code
    /// The error's type name as on the wire, for example `AccessDeniedError`.
    public let type: String
    /// A human-readable message.
    public let message: String
    /// A machine-readable reason, when a chat function gave one.
    public let reason: String?
    /// Seconds to wait before retrying, for ``Code/rateLimited``.
    public let retryAfter: Int?
    /// Whether the gateway sent this error or the client made it.
    public let source: Source

    /// Makes an error; `type` defaults to the code's wire type name.
    public init(
        code: Code,
        type: String? = nil,
        message: String,
        reason: String? = nil,
        retryAfter: Int? = nil,
        source: Source = .client
    ) {
        self.code = code
        self.type = type ?? code.typeName
        self.message = message
        self.reason = reason
        self.retryAfter = retryAfter
        self.source = source
    }

    public var description: String {
        var text = "\(code.wireCode): \(message)"
        if let reason { text += " (reason: \(reason))" }
        if let retryAfter { text += " (retry after \(retryAfter)s)" }
        return text
    }

    /// The error as a wire-style object: `{"type","code","message"}` plus `reason`
    /// and `retryAfter` when present.
    public var jsonObject: JSONValue {
        var object: JSONObject = [
            "type": .string(type),
            "code": .string(code.wireCode),
            "message": .string(message),
        ]
        if let reason { object["reason"] = .string(reason) }
        if let retryAfter { object["retryAfter"] = .integer(Int64(retryAfter)) }
        return .object(object)
    }
}

extension SessionGateError {
    /// Reads a wire `error` object; `nil` when it lacks a string `code`.
    init?(wire object: JSONValue) {
        guard let code = object["code"]?.stringValue else { return nil }
        let typedCode = Code(wireCode: code)
        self.init(
            code: typedCode,
            type: object["type"]?.stringValue ?? typedCode.typeName,
            message: object["message"]?.stringValue ?? "",
            reason: object["reason"]?.stringValue,
            retryAfter: object["retryAfter"]?.integerValue.map { Int(clamping: $0) },
            source: .gateway
        )
    }

    static func connectionFailed(_ detail: String) -> SessionGateError {
        SessionGateError(code: .connectionFailed, message: "Could not connect to the gateway: \(detail)")
    }

    static func connectionLost(_ detail: String = "The connection to the gateway was lost") -> SessionGateError {
        SessionGateError(code: .connectionLost, message: detail)
    }

    static func protocolError(_ detail: String) -> SessionGateError {
        SessionGateError(code: .protocolError, message: "The gateway's reply did not follow the protocol: \(detail)")
    }
}
