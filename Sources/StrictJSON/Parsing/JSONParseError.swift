/// Why a text is not strict JSON, and where.
///
/// `message` is the full human-readable sentence, offset included, e.g.
/// `unexpected character 'N' at offset 0`; it never quotes more of the input
/// than one byte, so it is safe to send back to a client or to log.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, ending with `at offset N`.
    public var message: String
    /// The byte offset in the input where the problem was found.
    public var offset: Int

    /// Creates an error with a complete message.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// Creates an error whose message is `reason` followed by `at offset N`.
    init(_ reason: String, at offset: Int) {
        self.init(message: "\(reason) at offset \(offset)", offset: offset)
    }

    public var description: String { message }
}
