/// Why `jwt.verify` refused a token. Scripts receive ``message`` as the second
/// result (`nil, message`); it never quotes the token, its claims or the key.
public struct JWTRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `token expired (exp)`.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func malformed(_ detail: String) -> JWTRejection { JWTRejection("malformed token: \(detail)") }
}
