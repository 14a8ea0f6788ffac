import StrictJSON
import Testing

@Suite("Strings")
struct StringTests {
    static let accepted: [AcceptedInput] = [
        AcceptedInput(#""plain""#, "plain"),
        AcceptedInput(#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        AcceptedInput(#""a\u0041\u00e9\u00E9z""#, "aAééz"),
        AcceptedInput(#""\u0000""#, "\u{0}"),
        AcceptedInput(#""\u001f\u007f""#, "\u{1F}\u{7F}"),
        AcceptedInput(#""\u20ac""#, "€"),
        AcceptedInput(#""\ud83d\ude00""#, "😀"),
        AcceptedInput(#""\uD83D\uDE00 x""#, "😀 x"),
        AcceptedInput(#""\udbff\udfff""#, "\u{10FFFF}"),
        AcceptedInput(#""\ud800\udc00""#, "\u{10000}"),
        AcceptedInput("\"é€😀\"", "é€😀"),
        AcceptedInput("\"\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}\"", "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"),
        AcceptedInput("\"\u{D7FF}\u{E000}\u{FEFF}\"", "\u{D7FF}\u{E000}\u{FEFF}"),
        AcceptedInput(#""é\n€""#, "é\n€"),
        AcceptedInput(#""'single' inside""#, "'single' inside"),
        AcceptedInput(#"{"k\u00e9y":"v"}"#, ["kéy": "v"]),
    ]

    @Test("strings decode escapes and UTF-8 exactly", arguments: accepted)
    func validStringParses(_ input: AcceptedInput) {
        #expect(parsed(input.text) == input.expected)
    }

    static let refused: [RefusedInput] = [
        // Lone surrogates, wherever they stand.
        RefusedInput(#""\ud800""#, at: 1, "lone surrogate escape \\ud800"),
        RefusedInput(#""\udc00""#, at: 1, "lone surrogate escape \\udc00"),
        RefusedInput(#""\uDFFF""#, at: 1, "low surrogate without a high one"),
        RefusedInput(#""ab\ud800cd""#, at: 3, "not followed by a low surrogate"),
        RefusedInput(#""\ud800\u0041""#, at: 1, "lone surrogate"),
        RefusedInput(#""\ud800\ud800""#, at: 1, "lone surrogate"),
        RefusedInput(#""\ud800\n""#, at: 1, "lone surrogate"),
        RefusedInput(#""\ude00\ud83d""#, at: 1, "low surrogate without a high one"),
        RefusedInput(#""\ud83d\ude00\udc00""#, at: 13, "lone surrogate"),
        RefusedInput(#"{"\ud800":1}"#, at: 2, "lone surrogate"),
        RefusedInput(#"[1,"\udc00"]"#, at: 4, "lone surrogate"),
        RefusedInput(#""\ud800"#, at: 1, "lone surrogate"),
        // Invalid escapes.
        RefusedInput(#""\x41""#, at: 1, "invalid escape '\\' followed by character 'x'"),
        RefusedInput(#""\'""#, at: 1, "invalid escape"),
        RefusedInput(#""\a""#, at: 1, "invalid escape"),
        RefusedInput(#""\U0041""#, at: 1, "invalid escape"),
        RefusedInput(#""\0""#, at: 1, "invalid escape"),
        RefusedInput(#""\u12""#, at: 1, "needs four hex digits"),
        RefusedInput(#""\u12g4""#, at: 1, "needs four hex digits"),
        RefusedInput(#""\u""#, at: 1, "needs four hex digits"),
        RefusedInput(#""\ud83d\ude0""#, at: 7, "needs four hex digits"),
        RefusedInput("\"\\", at: 1, "unterminated string"),
        // Raw control characters.
        RefusedInput("\"a\u{0}b\"", at: 2, "raw control character byte 0x00"),
        RefusedInput("\"a\nb\"", at: 2, "raw control character byte 0x0A"),
        RefusedInput("\"\t\"", at: 1, "raw control character byte 0x09"),
        RefusedInput("\"\u{1F}\"", at: 1, "raw control character"),
        RefusedInput("\"\\n\r\"", at: 3, "raw control character byte 0x0D"),
        // Unterminated.
        RefusedInput("\"abc", at: 0, "unterminated string"),
        RefusedInput("[\"abc", at: 1, "unterminated string"),
        RefusedInput("\"a\\nbc", at: 0, "unterminated string"),
    ]

    @Test("bad escapes, lone surrogates and raw control characters are refused", arguments: refused)
    func invalidStringIsRefused(_ input: RefusedInput) {
        expectRefused(input)
    }

    /// `"` + bytes + `"`; the bad sequence starts at offset 1.
    static let invalidUTF8: [[UInt8]] = [
        [0x80],                     // lone continuation byte
        [0xBF],
        [0xC0, 0xAF],               // overlong '/'
        [0xC1, 0xBF],               // overlong
        [0xE0, 0x80, 0xAF],         // overlong 3-byte
        [0xE0, 0x9F, 0xBF],         // overlong 3-byte (U+07FF)
        [0xF0, 0x80, 0x80, 0xAF],   // overlong 4-byte
        [0xF0, 0x8F, 0xBF, 0xBF],   // overlong 4-byte (U+FFFF)
        [0xED, 0xA0, 0x80],         // UTF-8-encoded high surrogate U+D800
        [0xED, 0xBF, 0xBF],         // UTF-8-encoded low surrogate U+DFFF
        [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80],  // CESU-8 pair
        [0xF4, 0x90, 0x80, 0x80],   // U+110000
        [0xF5, 0x80, 0x80, 0x80],   // lead byte > F4
        [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xFE], [0xFF],
        [0xC3],                     // truncated 2-byte
        [0xC3, 0x28],               // bad continuation
        [0xE2, 0x82],               // truncated 3-byte
        [0xE2, 0x28, 0xA1],
        [0xE2, 0x82, 0x28],
        [0xF0, 0x9F, 0x98],         // truncated 4-byte
        [0xF0, 0x9F, 0x98, 0x28],
        [0xF0, 0x28, 0x8C, 0xBC],
    ]

    @Test("invalid UTF-8 inside a string is refused at the sequence start", arguments: invalidUTF8)
    func invalidUTF8InStringIsRefused(_ sequence: [UInt8]) {
        expectRefused(RefusedInput(bytes: [0x22] + sequence + [0x22], at: 1, "invalid UTF-8 sequence"))
        // Also after an escape (the slow path) and as an object key.
        expectRefused(RefusedInput(bytes: Array(#""\n"#.utf8) + sequence + [0x22], at: 3, "invalid UTF-8 sequence"))
        expectRefused(RefusedInput(bytes: Array(#"{""#.utf8) + sequence + Array(#"":1}"#.utf8), at: 2, "invalid UTF-8 sequence"))
    }

    @Test("invalid UTF-8 outside strings is refused")
    func invalidUTF8OutsideStringIsRefused() {
        expectRefused(RefusedInput(bytes: [0xC3, 0xA9], at: 0, "unexpected byte 0xC3"))
        expectRefused(RefusedInput(bytes: Array("[1,".utf8) + [0xF5], at: 3, "unexpected byte 0xF5"))
        expectRefused(RefusedInput(bytes: Array("{}".utf8) + [0x80], at: 2, "byte 0x80 after the value"))
    }

    @Test("valid multi-byte UTF-8 at the boundaries of each range is accepted")
    func boundaryUTF8IsAccepted() {
        let scalars: [UInt32] = [0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF]
        for value in scalars {
            let scalar = Unicode.Scalar(value)!
            let text = String(Character(scalar))
            #expect(parsed("\"" + text + "\"") == .string(text), "U+\(String(value, radix: 16))")
        }
    }

    @Test("an escaped string and its raw form give the same value")
    func escapedAndRawAgree() {
        #expect(parsed(#""caf\u00e9 \u2603 \ud83d\ude00""#) == parsed("\"café ☃ 😀\""))
    }
}
