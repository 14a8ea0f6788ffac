/// Why a value cannot be written as strict JSON: it holds a non-finite double.
public struct JSONEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and where, e.g. `cannot encode nan at $.a[2]`.
    public var message: String
    /// Where the offending value sits: `$` is the root, then `.key`,
    /// `["odd key"]` and `[index]` steps.
    public var path: String

    /// Creates an error.
    public init(message: String, path: String) {
        self.message = message
        self.path = path
    }

    public var description: String { message }
}
