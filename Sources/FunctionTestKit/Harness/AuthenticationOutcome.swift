import ChatFunctions
import SessionCore
import StrictJSON

/// What a start through a ``FunctionHarness`` came to: the session's user, or the error a
/// client would have seen.
public enum AuthenticationOutcome: Sendable, Equatable {
    /// The start succeeded; the user as the `startSession` reply carries it (online).
    case allowed(UserSnapshot)
    /// The start was refused with this wire error; `reason` is the function's, when it gave one.
    case denied(code: ErrorCode, message: String, reason: String?)

    public var isAllowed: Bool {
        if case .allowed = self { true } else { false }
    }

    /// The session's user when the start succeeded.
    public var user: UserSnapshot? {
        if case .allowed(let user) = self { user } else { nil }
    }

    /// The error code when the start was refused.
    public var code: ErrorCode? {
        if case .denied(let code, _, _) = self { code } else { nil }
    }

    /// The shape Lua tests get from `authenticate` (SPEC §4):
    /// `{"allowed":true,"user":{…wire user…}}` or
    /// `{"allowed":false,"error":{"code":…,"message":…,"reason":…}}`, `reason` only when given.
    public var jsonValue: JSONValue {
        var result = JSONObject()
        switch self {
        case .allowed(let user):
            result["allowed"] = .bool(true)
            result["user"] = user.jsonValue
        case .denied(let code, let message, let reason):
            var error = JSONObject()
            error["code"] = .string(code.rawValue)
            error["message"] = .string(message)
            if let reason { error["reason"] = .string(reason) }
            result["allowed"] = .bool(false)
            result["error"] = .object(error)
        }
        return .object(result)
    }
}
