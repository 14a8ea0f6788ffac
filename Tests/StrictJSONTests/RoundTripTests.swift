import StrictJSON
import Testing

@Suite("Round trips")
struct RoundTripTests {
    static let values: [JSONValue] = [
        .null, true, false, 0, -1, .integer(.max), .integer(.min),
        .double(0.5), .double(-0.0), .double(3.0), .double(1e300), .double(-2.5e-300), .double(0.1),
        "", "text", "quote \" backslash \\ slash /", "\u{0}\u{1F}\n", "é€😀\u{10FFFF}", "\u{FEFF}inside",
        [], .object([:]), [[], [[]], [.object([:])]],
        ["op": "startSession", "ref": "1", "username": "jane@example.com", "authParams": ["password": "open sesame"]],
        ["nested": ["deeper": ["deepest": [1, 2.5, "three", .null, true]]], "emoji 😀": "key", "": "empty key"],
        ["numbers": [0, -0.0, 1, 1.0, 9_007_199_254_740_993, .double(9_007_199_254_740_992)]],
    ]

    @Test("parse(encode(v)) == v", arguments: values)
    func encodeThenParse(_ value: JSONValue) throws {
        let text = value.encoded()
        #expect(try JSONParser.parse(text) == value)
        #expect(try JSONParser.parse(value.encodedBytes()) == value)
    }

    @Test("encode(parse(t)) == t for compact text with keys in any order")
    func parseThenEncode() throws {
        let texts = [
            #"{"z":1,"a":[true,false,null],"m":{"y":-2.5,"b":"\n"}}"#,
            #"[1,-1,1.5,1e+20,1e-07,"\u001f","é"]"#,
        ]
        for text in texts {
            #expect(try JSONParser.parse(text).encoded() == text)
        }
    }

    @Test("random values survive a round trip", arguments: 0..<20)
    func randomValuesRoundTrip(_ seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed))
        let value = Self.randomValue(depth: 0, using: &generator)
        let text = value.encoded()
        #expect(try JSONParser.parse(text) == value, "\(text)")
        #expect(try JSONParser.parse(text).encoded() == text)
    }

    static func randomValue(depth: Int, using generator: inout SplitMix64) -> JSONValue {
        let kind = Int.random(in: depth < 6 ? 0..<8 : 0..<6, using: &generator)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &generator))
        case 3:
            let number = Double(bitPattern: generator.next())
            return number.isFinite ? .double(number) : .double(0.25)
        case 4, 5: return .string(randomString(using: &generator))
        case 6:
            let count = Int.random(in: 0..<5, using: &generator)
            return .array((0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0..<5, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    static func randomString(using generator: inout SplitMix64) -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{FFFF}", "\u{10FFFF}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0..<8, using: &generator) {
            text.append(alphabet.randomElement(using: &generator)!)
        }
        return String(text)
    }
}
