/// A `jwt.verify` options table that cannot work (missing key, unknown
/// algorithm, a key that does not fit an algorithm). Unlike a bad token,
/// this is the script's mistake, so it raises.
public struct JWTOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `options.key must be a string, got nil`.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
