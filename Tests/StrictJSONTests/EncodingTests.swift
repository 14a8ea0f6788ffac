import StrictJSON
import Testing

@Suite("Encoding")
struct EncodingTests {
    static let fixed: [(JSONValue, String)] = [
        (.null, "null"),
        (true, "true"),
        (false, "false"),
        (0, "0"),
        (-42, "-42"),
        (.integer(.max), "9223372036854775807"),
        (.integer(.min), "-9223372036854775808"),
        (.double(3.0), "3.0"),
        (.double(0.5), "0.5"),
        (.double(-0.0), "-0.0"),
        (.double(100), "100.0"),
        (.double(0.1), "0.1"),
        (.double(1e-7), "1e-07"),
        (.double(1e20), "1e+20"),
        (.double(1e16), "1e+16"),
        (.double(123456789.125), "123456789.125"),
        (.double(.greatestFiniteMagnitude), "1.7976931348623157e+308"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        ("", "\"\""),
        ("plain", "\"plain\""),
        ("a/b", "\"a/b\""),
        ("quote\" backslash\\", #""quote\" backslash\\""#),
        ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("é€😀", "\"é€😀\""),
        ("\u{2028}\u{2029}", "\"\u{2028}\u{2029}\""),
        ([], "[]"),
        (.object([:]), "{}"),
        ([1, "two", [3.5, .null], ["k": false]], #"[1,"two",[3.5,null],{"k":false}]"#),
        (["z": 1, "a": ["y": [], "b": .object([:])], "m": "\""], #"{"z":1,"a":{"y":[],"b":{}},"m":"\""}"#),
        (["key\n\"": "v"], #"{"key\n\"":"v"}"#),
    ]

    @Test("values encode to exact compact text", arguments: fixed)
    func encodesExactly(_ value: JSONValue, _ text: String) throws {
        #expect(value.encoded() == text)
        #expect(value.encodedBytes() == Array(text.utf8))
        #expect(try value.encodedStrict() == text)
    }

    @Test("every finite double encodes as a float that parses back bit for bit")
    func doublesStayDoubles() throws {
        var samples: [Double] = [
            0, -0.0, 1, -1, 2, 10, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23, 1e-4, 1e-5, 1e-6,
            0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, .pi, -.pi, 9_007_199_254_740_992, 9_007_199_254_740_994,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude,
            .leastNonzeroMagnitude, .ulpOfOne, 4_294_967_296, 1.5e300, 2.5e-300,
        ]
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<2000 {
            let bits = generator.next()
            let candidate = Double(bitPattern: bits)
            if candidate.isFinite { samples.append(candidate) }
        }
        for sample in samples {
            let text = JSONValue.double(sample).encoded()
            #expect(text.contains(".") || text.contains("e"), "\(text) must read as a float")
            guard case .double(let back) = try JSONParser.parse(text) else {
                Issue.record("\(text) did not parse as a double")
                continue
            }
            #expect(back.bitPattern == sample.bitPattern, "\(text)")
        }
    }

    @Test("non-finite doubles encode as null and are refused by encodedStrict", arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoubles(_ number: Double) throws {
        let value: JSONValue = ["ok": 1, "list": [1, ["bad": .double(number)]]]
        #expect(value.encoded() == #"{"ok":1,"list":[1,{"bad":null}]}"#)
        #expect(try JSONParser.parse(value.encoded()) == ["ok": 1, "list": [1, ["bad": .null]]])
        #expect(throws: JSONEncodingError(message: "cannot encode \(number) at $.list[1].bad", path: "$.list[1].bad")) {
            try value.encodedStrict()
        }
        #expect(throws: JSONEncodingError.self) { try JSONValue.double(number).encodedStrict() }
        #expect(JSONValue.double(number).encoded() == "null")
    }

    @Test("encodedStrict names odd keys in brackets and reports the first offender")
    func strictErrorPath() {
        let value: JSONValue = ["a b": [.double(.infinity)], "z": .double(.nan)]
        do {
            _ = try value.encodedStrict()
            Issue.record("expected an error")
        } catch {
            #expect(error.path == #"$["a b"][0]"#)
            #expect(error.description == #"cannot encode inf at $["a b"][0]"#)
        }
        #expect(throws: JSONEncodingError(message: "cannot encode nan at $[\"9lives\"]", path: "$[\"9lives\"]")) {
            try JSONValue.object(["9lives": .double(.nan)]).encodedStrict()
        }
    }

    @Test("every control character is escaped and the result parses back")
    func allControlCharacters() throws {
        let text = String(decoding: (0..<0x20).map { UInt8($0) } + Array("~\u{7F}".utf8), as: UTF8.self)
        let encoded = JSONValue.string(text).encoded()
        #expect(!encoded.utf8.contains { $0 < 0x20 })
        #expect(try JSONParser.parse(encoded) == .string(text))
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
