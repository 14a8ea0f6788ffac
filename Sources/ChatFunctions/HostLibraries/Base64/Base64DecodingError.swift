/// Why a text is not valid base64.
public struct Base64DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, with the offset when one character is to blame.
    public var message: String

    init(_ reason: String, at offset: Int? = nil) {
        message = offset.map { "\(reason) at offset \($0)" } ?? reason
    }

    public var description: String { message }
}
