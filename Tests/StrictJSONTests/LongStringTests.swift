import StrictJSON
import Testing

/// Strings long enough for the word-at-a-time scan: every byte value at
/// every position of a 24-byte run must be treated exactly like the
/// byte-by-byte rules say.
@Suite("Long strings")
struct LongStringTests {
    static let runLength = 24

    static func filler(_ count: Int) -> [UInt8] {
        Array(repeating: UInt8(ascii: "a"), count: count)
    }

    @Test("each byte value at each position of a long string is parsed by the rules", arguments: 0..<runLength)
    func everyByteAtEveryPosition(_ position: Int) throws {
        let quote = UInt8(ascii: "\"")
        for value in 0...255 {
            let byte = UInt8(value)
            let content = Self.filler(position) + [byte] + Self.filler(Self.runLength - 1 - position)
            let input = [quote] + content + [quote]
            let offset = position + 1
            switch byte {
            case 0x00..<0x20:
                #expect(parseError(input)?.offset == offset, "byte \(byte)")
            case quote:
                #expect(parseError(input)?.message.contains("after the value") == true, "byte \(byte)")
            case UInt8(ascii: "\\"):
                let error = parseError(input)
                if position == Self.runLength - 1 {
                    #expect(error?.message.contains("unterminated string") == true)
                } else {
                    #expect(error?.message.contains("invalid escape") == true)
                    #expect(error?.offset == offset)
                }
            case 0x80...0xFF:
                let error = parseError(input)
                #expect(error?.offset == offset, "byte \(byte)")
                #expect(error?.message.contains("invalid UTF-8") == true, "byte \(byte)")
            default:
                #expect(try JSONParser.parse(input) == .string(String(decoding: content, as: UTF8.self)), "byte \(byte)")
            }
        }
    }

    @Test("multi-byte characters at each position of a long string parse and encode back", arguments: 0..<runLength)
    func multiByteAtEveryPosition(_ position: Int) throws {
        for character in ["é", "€", "😀", "\u{10FFFF}"] {
            let text = String(decoding: Self.filler(position), as: UTF8.self) + character
                + String(decoding: Self.filler(Self.runLength), as: UTF8.self)
            #expect(try JSONParser.parse("\"" + text + "\"") == .string(text))
            #expect(JSONValue.string(text).encoded() == "\"" + text + "\"")
        }
    }

    @Test("each ASCII character at each position of a long string is escaped by the rules", arguments: 0..<runLength)
    func encodingEveryASCIIAtEveryPosition(_ position: Int) throws {
        for value in 0..<0x80 {
            let scalar = Unicode.Scalar(UInt8(value))
            let before = String(repeating: "a", count: position)
            let after = String(repeating: "a", count: Self.runLength - 1 - position)
            let text = before + String(Character(scalar)) + after
            let escaped: String
            switch value {
            case 0x22: escaped = "\\\""
            case 0x5C: escaped = "\\\\"
            case 0x0A: escaped = "\\n"
            case 0x0D: escaped = "\\r"
            case 0x09: escaped = "\\t"
            case 0x08: escaped = "\\b"
            case 0x0C: escaped = "\\f"
            case 0..<0x20:
                let hex = String(value, radix: 16)
                escaped = "\\u00" + (hex.count == 1 ? "0" : "") + hex
            default: escaped = String(Character(scalar))
            }
            let encoded = JSONValue.string(text).encoded()
            #expect(encoded == "\"" + before + escaped + after + "\"", "value \(value)")
            #expect(try JSONParser.parse(encoded) == .string(text))
        }
    }

    @Test("a long escaped string with escapes spread through it decodes exactly")
    func longStringWithManyEscapes() throws {
        let unit = "abcdefgh\\n\\u00e9ijklmnop\\\"qrstuvw\\ud83d\\ude00xyz"
        let decoded = "abcdefgh\néijklmnop\"qrstuvw😀xyz"
        let count = 200
        let value = try JSONParser.parse("\"" + String(repeating: unit, count: count) + "\"")
        #expect(value == .string(String(repeating: decoded, count: count)))
    }
}
