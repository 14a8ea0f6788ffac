import StrictJSON
import Testing

/// Parses `text`, recording a test failure (and returning nil) if it throws.
func parsed(_ text: String, maxDepth: Int = 64) -> JSONValue? {
    do {
        return try JSONParser.parse(text, maxDepth: maxDepth)
    } catch {
        Issue.record("unexpected parse error for \(text.debugDescription): \(error)")
        return nil
    }
}

/// The error parsing `bytes` throws, or nil (with a recorded failure) if it parses.
func parseError(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONParseError? {
    do {
        let value = try JSONParser.parse(bytes, maxDepth: maxDepth)
        Issue.record("expected an error for \(String(decoding: bytes, as: UTF8.self).debugDescription), got \(value)")
        return nil
    } catch {
        return error
    }
}

/// One input that must be refused, with where and why.
struct RefusedInput: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let offset: Int
    let messageFragment: String

    init(_ text: String, at offset: Int, _ messageFragment: String) {
        self.init(bytes: Array(text.utf8), at: offset, messageFragment)
    }

    init(bytes: [UInt8], at offset: Int, _ messageFragment: String) {
        self.bytes = bytes
        self.offset = offset
        self.messageFragment = messageFragment
    }

    var testDescription: String {
        String(decoding: bytes, as: UTF8.self).debugDescription
    }
}

/// Asserts that `input` is refused at its offset with its message.
func expectRefused(_ input: RefusedInput, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = parseError(input.bytes) else { return }
    #expect(error.offset == input.offset, "message: \(error.message)", sourceLocation: sourceLocation)
    #expect(error.message.contains(input.messageFragment), "message: \(error.message)", sourceLocation: sourceLocation)
    #expect(error.message.hasSuffix("at offset \(input.offset)"), sourceLocation: sourceLocation)
}

/// One input that must parse, with the value it must give.
struct AcceptedInput: Sendable, CustomTestStringConvertible {
    let text: String
    let expected: JSONValue

    init(_ text: String, _ expected: JSONValue) {
        self.text = text
        self.expected = expected
    }

    var testDescription: String { text.debugDescription }
}
