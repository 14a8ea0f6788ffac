/// The outcome of ``SessionGateClient/startSession(username:authParams:)``.
///
/// A denial is an ordinary outcome, not an exception, so it is a case to switch on:
///
/// ```swift
/// switch await client.startSession(username: "jane", authParams: ["password": "…"]) {
/// case .succeeded(let session): print("hello", session.user.displayName)
/// case .failed(let error) where error.code == .accessDenied: print(error.message)
/// case .failed(let error): print("could not start:", error)
/// }
/// ```
public enum StartSessionResult: Sendable, Hashable {
    /// The gateway started the session.
    case succeeded(Session)
    /// The gateway refused, or the request never got a reply.
    case failed(SessionGateError)

    /// The session, when the start succeeded.
    public var session: Session? {
        if case .succeeded(let session) = self { return session }
        return nil
    }

    /// The error, when the start failed.
    public var error: SessionGateError? {
        if case .failed(let error) = self { return error }
        return nil
    }

    /// The reply as a wire-style object without its `ref`:
    /// `{"succeeded":true,"session":{…}}` or `{"succeeded":false,"error":{…}}`.
    public var jsonObject: JSONValue {
        switch self {
        case .succeeded(let session): ["succeeded": true, "session": session.json]
        case .failed(let error): ["succeeded": false, "error": error.jsonObject]
        }
    }

    /// ``jsonObject`` as one line of compact JSON, keys in the order the gateway sends them.
    public var jsonText: String {
        jsonObject.encoded()
    }
}
