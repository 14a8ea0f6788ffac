import StrictJSON
import Testing

@Suite("JSONObject")
struct JSONObjectTests {
    @Test("of duplicate keys in a document the last value wins at the first position")
    func duplicateKeysLastWins() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3,"c":4,"b":{"x":5}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["a"] == 3)
        #expect(object["b"] == ["x": 5])
        #expect(object.count == 3)
        #expect(value.encoded() == #"{"a":3,"b":{"x":5},"c":4}"#)
    }

    @Test("duplicate keys are resolved in large objects too")
    func duplicateKeysInLargeObject() throws {
        let members = (0..<100).map { "\"k\($0)\":\($0)" } + (0..<100).map { "\"k\($0)\":\($0 + 1000)" }
        let object = try #require(try JSONParser.parse("{" + members.joined(separator: ",") + "}").objectValue)
        #expect(object.count == 100)
        #expect(object.keys == (0..<100).map { "k\($0)" })
        for index in 0..<100 {
            #expect(object["k\(index)"] == .integer(Int64(index + 1000)))
        }
    }

    @Test("setting keeps insertion order; replacing keeps position; nil removes")
    func subscriptSemantics() {
        var object = JSONObject()
        #expect(object.isEmpty)
        object["z"] = 1
        object["a"] = 2
        object["m"] = 3
        #expect(object.keys == ["z", "a", "m"])
        object["a"] = "replaced"
        #expect(object.keys == ["z", "a", "m"])
        #expect(object["a"] == "replaced")
        object["z"] = nil
        #expect(object.keys == ["a", "m"])
        #expect(object["z"] == nil)
        #expect(object.removeValue(forKey: "m") == 3)
        #expect(object.removeValue(forKey: "missing") == nil)
        #expect(object.count == 1)
        #expect(!object.isEmpty)
        #expect(object.contains(key: "a"))
        #expect(!object.contains(key: "m"))
    }

    @Test("large objects keep order and lookups across insertions and removals")
    func largeObjectBookkeeping() {
        var object = JSONObject()
        for index in 0..<50 { object["k\(index)"] = .integer(Int64(index)) }
        for index in stride(from: 0, to: 50, by: 3) { object["k\(index)"] = nil }
        object["k1"] = "one"
        object["new"] = true
        let expectedKeys = (0..<50).filter { $0 % 3 != 0 }.map { "k\($0)" } + ["new"]
        #expect(object.keys == expectedKeys)
        for index in 0..<50 where index % 3 != 0 && index != 1 {
            #expect(object["k\(index)"] == .integer(Int64(index)))
        }
        #expect(object["k1"] == "one")
        #expect(object["k0"] == nil)
        // Shrinking below the index threshold still finds everything.
        for key in expectedKeys.dropFirst(3) { object[key] = nil }
        #expect(object.keys == Array(expectedKeys.prefix(3)))
        #expect(object["k2"] == 2)
    }

    @Test("iteration yields (key, value) pairs in order")
    func sequenceOrder() {
        let object: JSONObject = ["b": 1, "a": 2, "c": 3]
        #expect(object.map(\.key) == ["b", "a", "c"])
        #expect(object.map(\.value) == [1, 2, 3])
        #expect(object.values == [1, 2, 3])
    }

    @Test("a dictionary literal with a repeated key keeps the last value at the first position")
    func literalDuplicates() {
        let object = JSONObject(dictionaryLiteral: ("a", 1), ("b", 2), ("a", 3))
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test("equality and hashing ignore member order")
    func orderInsensitiveEquality() {
        let first: JSONObject = ["a": 1, "b": [true, .null], "c": ["d": "e"]]
        let second: JSONObject = ["c": ["d": "e"], "a": 1, "b": [true, .null]]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([JSONValue.object(first), .object(second)]).count == 1)
        #expect(first != ["a": 1, "b": [true, .null]])
        #expect(first != ["a": 1, "b": [true, .null], "c": ["d": "f"]])
        #expect(first != ["a": 1, "b": [true, .null], "x": ["d": "e"]])
        #expect(JSONValue.object(["a": 1]) != .object(["a": .double(1)]))
    }

    @Test("keys are told apart byte for byte, not by Unicode equivalence")
    func keysCompareByBytes() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let object = try #require(try JSONParser.parse("{\"\(composed)\":1,\"\(decomposed)\":2}").objectValue)
        #expect(object.count == 2)
        #expect(object[composed] == 1)
        #expect(object[decomposed] == 2)
    }

    @Test("description is the compact JSON text")
    func descriptionIsJSON() {
        let object: JSONObject = ["a": [1, "x"]]
        #expect(object.description == #"{"a":[1,"x"]}"#)
        #expect(JSONValue.object(object).description == #"{"a":[1,"x"]}"#)
    }
}
