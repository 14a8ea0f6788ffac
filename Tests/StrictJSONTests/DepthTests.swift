import StrictJSON
import Testing

@Suite("Nesting depth")
struct DepthTests {
    /// How a test nests its containers.
    enum Shape: CaseIterable, Sendable {
        /// `[[[]]]`
        case arrays
        /// `{"a":{"a":{}}}`
        case objects
        /// `[{"a":[{"a":1}]}]`
        case mixed

        func nested(_ levels: Int) -> String {
            switch self {
            case .arrays:
                return String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
            case .objects:
                return String(repeating: "{\"a\":", count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)
            case .mixed:
                var open = "", close = ""
                for level in 0..<levels {
                    if level.isMultiple(of: 2) {
                        open += "["
                        close = "]" + close
                    } else {
                        open += "{\"a\":"
                        close = "}" + close
                    }
                }
                return open + "1" + close
            }
        }
    }

    @Test("64 levels parse by default and 65 are refused", arguments: Shape.allCases)
    func defaultLimitIsSixtyFour(_ shape: Shape) throws {
        let deepest = try JSONParser.parse(shape.nested(64))
        #expect(deepest.depth == 64)
        let error = parseError(Array(shape.nested(65).utf8))
        #expect(error?.message.hasPrefix("nesting deeper than 64 levels at offset") == true)
    }

    @Test("the depth error points at the container that is one level too deep")
    func depthErrorOffset() {
        #expect(parseError(Array("[[[1]]]".utf8), maxDepth: 2) == JSONParseError(message: "nesting deeper than 2 levels at offset 2", offset: 2))
        #expect(parseError(Array(#"{"a":{"b":{}}}"#.utf8), maxDepth: 2)?.offset == 10)
    }

    @Test("maxDepth counts the outermost container as level 1")
    func customLimit() throws {
        #expect(try JSONParser.parse("[1]", maxDepth: 1) == [1])
        #expect(try JSONParser.parse("{}", maxDepth: 1) == .object([:]))
        #expect(try JSONParser.parse("[[],{}]", maxDepth: 2).depth == 2)
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[[]]", maxDepth: 1) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[{}]", maxDepth: 1) }
        // Scalars have no depth, so even a zero limit accepts them.
        #expect(try JSONParser.parse("\"x\"", maxDepth: 0) == "x")
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[]", maxDepth: 0) }
    }

    @Test("siblings do not add depth")
    func siblingsDoNotAccumulate() throws {
        let wide = "[" + Array(repeating: "[[1]]", count: 1000).joined(separator: ",") + "]"
        #expect(try JSONParser.parse(wide, maxDepth: 3).depth == 3)
    }

    @Test("100,000 levels of nesting are refused quickly without recursion")
    func hugeNestingIsRefusedQuickly() {
        let clock = ContinuousClock()
        for shape in Shape.allCases {
            let input = Array(shape.nested(100_000).utf8)
            let elapsed = clock.measure {
                #expect(parseError(input)?.message.hasPrefix("nesting deeper than 64 levels") == true)
            }
            #expect(elapsed < .milliseconds(200))
        }
    }

    @Test("a very deep limit is honoured without overflowing the stack")
    func deepParseDoesNotRecurse() {
        let levels = 200_000
        let open = Array(repeating: UInt8(ascii: "["), count: levels)
        let error = parseError(open, maxDepth: .max)
        #expect(error?.message == "unexpected end of input at offset \(levels)")
    }

    static let depths: [(JSONValue, Int)] = [
        (.null, 0), (1, 0), ("s", 0), (true, 0), (.double(1.5), 0),
        ([], 1), (.object([:]), 1), ([1, 2, "x"], 1), (["a": 1], 1),
        (["a": .object([:])], 2), ([[]], 2), ([1, [2, [3]], 4], 3),
        (["a": [1], "b": ["c": ["d": []]]], 4),
    ]

    @Test("depth: scalar 0, empty container 1, each nesting one more", arguments: depths)
    func depthOfValues(_ value: JSONValue, _ expected: Int) {
        #expect(value.depth == expected)
    }
}
