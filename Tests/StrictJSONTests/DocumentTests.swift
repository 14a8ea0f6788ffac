import StrictJSON
import Testing

@Suite("Whole documents")
struct DocumentTests {
    static let accepted: [AcceptedInput] = [
        AcceptedInput("null", .null),
        AcceptedInput("true", .bool(true)),
        AcceptedInput("false", .bool(false)),
        AcceptedInput("0", .integer(0)),
        AcceptedInput("\"\"", .string("")),
        AcceptedInput("[]", .array([])),
        AcceptedInput("{}", .object(JSONObject())),
        AcceptedInput(" \t\r\n[ 1 , 2 ]\n\r\t ", .array([.integer(1), .integer(2)])),
        AcceptedInput("{ \"a\" : 1 , \"b\" : [ true , null ] }", ["a": 1, "b": [true, .null]]),
        AcceptedInput("[{},[],{\"x\":{}}]", [.object([:]), .array([]), ["x": .object([:])]]),
        AcceptedInput(
            #"{"op":"startSession","ref":"1","username":"jane@example.com","authParams":{"password":"open sesame"}}"#,
            ["op": "startSession", "ref": "1", "username": "jane@example.com", "authParams": ["password": "open sesame"]]
        ),
        AcceptedInput("[1.5,-2,\"x\",false]", [.double(1.5), .integer(-2), .string("x"), .bool(false)]),
    ]

    @Test("valid documents give exactly the expected value", arguments: accepted)
    func validDocumentParses(_ input: AcceptedInput) {
        #expect(parsed(input.text) == input.expected)
    }

    static let refused: [RefusedInput] = [
        RefusedInput("", at: 0, "unexpected end of input"),
        RefusedInput("   ", at: 3, "unexpected end of input"),
        RefusedInput(bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8), at: 0, "byte-order mark"),
        RefusedInput(bytes: [0xEF, 0xBB, 0xBF], at: 0, "byte-order mark"),
        RefusedInput("NaN", at: 0, "NaN and Infinity"),
        RefusedInput("Infinity", at: 0, "NaN and Infinity"),
        RefusedInput("-Infinity", at: 0, "NaN and Infinity"),
        RefusedInput("[1,NaN]", at: 3, "NaN and Infinity"),
        RefusedInput("{\"a\":-Infinity}", at: 5, "NaN and Infinity"),
        RefusedInput("'a'", at: 0, "single-quoted"),
        RefusedInput("{'a':1}", at: 1, "single-quoted"),
        RefusedInput("[1,'a']", at: 3, "single-quoted"),
        RefusedInput("// c\n1", at: 0, "comments"),
        RefusedInput("/* c */ 1", at: 0, "comments"),
        RefusedInput("[1 /* c */]", at: 3, "expected ',' or ']' but found character '/'"),
        RefusedInput("[1,]", at: 3, "trailing comma"),
        RefusedInput("[1, ]", at: 4, "trailing comma"),
        RefusedInput("{\"a\":1,}", at: 7, "trailing comma"),
        RefusedInput("[,1]", at: 1, "unexpected character ','"),
        RefusedInput("{,}", at: 1, "expected a string key but found character ','"),
        RefusedInput("{1:2}", at: 1, "expected a string key"),
        RefusedInput("{\"a\" 1}", at: 5, "expected ':'"),
        RefusedInput("{\"a\":}", at: 5, "unexpected character '}'"),
        RefusedInput("[1 2]", at: 3, "expected ',' or ']'"),
        RefusedInput("{\"a\":1 \"b\":2}", at: 7, "expected ',' or '}'"),
        RefusedInput("[1}", at: 2, "expected ',' or ']' but found character '}'"),
        RefusedInput("{\"a\":1]", at: 6, "expected ',' or '}' but found character ']'"),
        RefusedInput("[1", at: 2, "unexpected end of input"),
        RefusedInput("{\"a\":1", at: 6, "unexpected end of input"),
        RefusedInput("{\"a\"", at: 4, "unexpected end of input"),
        RefusedInput("[", at: 1, "unexpected end of input"),
        RefusedInput("1 2", at: 2, "unexpected character '2' after the value"),
        RefusedInput("{} x", at: 3, "after the value"),
        RefusedInput("[]]", at: 2, "after the value"),
        RefusedInput("nulll", at: 4, "after the value"),
        RefusedInput("1\u{0C}", at: 1, "byte 0x0C after the value"),
        RefusedInput("\u{0B}1", at: 0, "unexpected byte 0x0B"),
        RefusedInput("\u{A0}1", at: 0, "unexpected byte 0xC2"),
        RefusedInput("tru", at: 0, "invalid literal (expected 'true')"),
        RefusedInput("trUe", at: 0, "invalid literal (expected 'true')"),
        RefusedInput("fals", at: 0, "invalid literal (expected 'false')"),
        RefusedInput("nul", at: 0, "invalid literal (expected 'null')"),
        RefusedInput("None", at: 0, "NaN and Infinity"),
        RefusedInput("True", at: 0, "unexpected character 'T'"),
        RefusedInput("undefined", at: 0, "unexpected character 'u'"),
        RefusedInput(bytes: [0x5B, 0xFF, 0x5D], at: 1, "unexpected byte 0xFF"),
        RefusedInput(bytes: [0x31, 0x00], at: 1, "byte 0x00 after the value"),
    ]

    @Test("invalid documents are refused with the offending offset and a clear message", arguments: refused)
    func invalidDocumentIsRefused(_ input: RefusedInput) {
        expectRefused(input)
    }

    @Test("error description is the full message")
    func errorDescriptionIsMessage() {
        let error = parseError(Array("Nope".utf8))
        #expect(error?.description == "NaN and Infinity are not valid JSON numbers at offset 0")
        #expect(parseError(Array("[1 x]".utf8))?.message == "expected ',' or ']' but found character 'x' at offset 3")
    }

    @Test("error messages never echo raw non-printable input bytes")
    func errorMessagesArePrintable() {
        for bytes: [UInt8] in [[0x00], [0x22, 0x01, 0x22], [0xC3], [0x22, 0xC3, 0x28, 0x22], [0x7F]] {
            guard let message = parseError(bytes)?.message else { continue }
            #expect(message.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(message.debugDescription)")
        }
    }

    @Test("any collection of bytes parses the same as a contiguous array")
    func nonContiguousCollectionsParse() throws {
        let text = #"{"a":[1,"é",{"b":null}]}"#
        let expected = try JSONParser.parse(Array(text.utf8))
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(Array(("xx" + text).utf8).dropFirst(2)) == expected)
        #expect(try JSONParser.parse(text.utf8.lazy.map { $0 }) == expected)
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[1,]".utf8.lazy.map { $0 }) }
    }

    @Test("a String holding a byte-order mark is refused too")
    func stringWithByteOrderMarkIsRefused() {
        #expect(throws: JSONParseError(message: "a byte-order mark is not allowed at offset 0", offset: 0)) {
            try JSONParser.parse("\u{FEFF}{}")
        }
    }

    /// One set of stacks lent to every parse, accepted and refused documents interleaved (as a
    /// connection's messages come): each parse gives what a parse with fresh stacks gives, so a
    /// refused document (which stops with values on the stacks) leaves nothing behind.
    @Test func lentStacksCarryNothingFromOneDocumentToTheNext() throws {
        var stacks = JSONParseStacks()
        for (accepted, refused) in zip(Self.accepted, Self.refused) {
            #expect(try JSONParser.parse(Array(accepted.text.utf8), stacks: &stacks) == accepted.expected)
            #expect(throws: JSONParseError.self) { try JSONParser.parse(refused.bytes, stacks: &stacks) }
            #expect(try JSONParser.parse(Array(accepted.text.utf8), stacks: &stacks) == accepted.expected)
        }
        let nested = Array(#"{"a":[1,{"b":[2,3]},4],"c":{"d":{}}}"#.utf8)
        let unfinished = Array(#"{"a":[1,{"b":[2,3"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(unfinished, stacks: &stacks) }
        #expect(try JSONParser.parse(nested, stacks: &stacks) == JSONParser.parse(nested))
    }
}
