import StrictJSON
import Testing
@testable import LuaRuntime

@Suite struct ConversionTests {
    let identity: Script

    init() throws {
        identity = try Script("return function(...) return ... end")
    }

    @Test(arguments: [Int64.min, -1, 0, 1, (1 << 53) + 1, Int64.max] as [Int64])
    func integersCrossExactlyBothWays(value: Int64) throws {
        #expect(try identity.call([.integer(value)]) == [.integer(value)])
    }

    @Test func floatsStayFloatsAndIntegersStayIntegers() throws {
        let types = try Script("return function(a, b) return math.type(a), math.type(b) end")
        #expect(try types.call([.number(3.0), .integer(3)]) == [.string("float"), .string("integer")])
        #expect(try identity.call([.number(0.1), .number(-2.5e300)]) == [.number(0.1), .number(-2.5e300)])
    }

    @Test func stringsAreBytesWithNulAndInvalidUTF8Intact() throws {
        let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0xC3, 0x28, 0x00]
        let lengths = try Script("return function(s) return #s, s end")
        #expect(try lengths.call([.string(LuaString(bytes: bytes))]) == [.integer(7), .string(LuaString(bytes: bytes))])
    }

    /// Literal keys (`SG_OP_KEY`) are interned once per state and found again by address: the
    /// same key in later calls, beside ordinary string keys and values, in nested tables, and
    /// with the key cache sitting below the call's arguments while they are built.
    @Test func literalKeysBuildTheSameTablesCallAfterCall() throws {
        let describe = try Script("""
            return function(t, extra)
              return t.name, t.inner.name, t["ключ"], t.dynamic, extra, select("#", t, extra)
            end
            """)
        for round in 0..<3 {
            let results = try describe.lua.call(describe.function, deadline: .after(.seconds(1))) { b in
                b.pushTable(recordCapacity: 4)
                b.setField(literal: "name") { $0.push("outer \(round)") }
                b.setField(literal: "inner") { inner in
                    inner.pushTable(recordCapacity: 1)
                    inner.setField(literal: "name") { $0.push("inner \(round)") }
                }
                b.setField(literal: "ключ") { $0.push(Int64(round)) }
                b.setField("dynamic") { $0.push("name") }
                b.push("second argument")
            }
            let expected: [LuaValue] = [
                .string(LuaString("outer \(round)")), .string(LuaString("inner \(round)")), .integer(Int64(round)),
                .string(LuaString("name")), .string(LuaString("second argument")), .integer(2),
            ]
            #expect(results == expected)
        }
    }

    @Test func sequencesAndMapsRoundTrip() throws {
        let value = LuaValue.table([
            "list": .table(LuaTable(sequence: [1, 2, "three"])),
            "nested": .table(["ok": true, "ratio": 0.5]),
        ])
        #expect(try identity.call([value]) == [value])
        let length = try Script("return function(t) return #t.list, t.list[3], t.nested.ok end")
        #expect(try length.call([value]) == [.integer(3), .string("three"), .boolean(true)])
    }

    @Test func jsonObjectsArraysAndNullBecomeTablesAndTheSentinel() throws {
        let json = try JSONParser.parse(#"{"a":[1,2.5,null],"b":{"c":"d"},"n":null}"#)
        let probe = try Script("""
            return function(v)
              return #v.a, math.type(v.a[1]), math.type(v.a[2]), v.a[3] == v.n, type(v.n), v.b.c
            end
            """)
        let result = try probe.lua.call(probe.function, deadline: .after(.seconds(1))) { json.push(into: &$0) }
        #expect(result == [.integer(3), "integer", "float", .boolean(true), "userdata", "d"])
        let back = try identity.lua.call(identity.function, deadline: .after(.seconds(1))) { json.push(into: &$0) }
        #expect(try JSONValue(lua: back[0]) == json)
    }

    @Test func luaToJSONRefusesCyclesWithATypedError() throws {
        let cyclic = try Script("return function() local t = {} t.self = t return t end")
        #expect(luaError { _ = try cyclic.call() } == .conversion("table contains a cycle"))
    }

    @Test func luaToJSONRefusesMixedKeysAndFunctions() throws {
        let mixed = try Script("return function() return {1, 2, x = 3}, {f = print}, {[1.5] = 1} end").call()
        #expect(throws: JSONConversionError.self) { try JSONValue(lua: mixed[0]) }
        #expect(throws: JSONConversionError.self) { try JSONValue(lua: mixed[1]) }
        #expect(throws: JSONConversionError.self) { try JSONValue(lua: mixed[2]) }
    }

    @Test func emptyTableBecomesAnEmptyJSONObject() throws {
        let empty = try Script("return function() return {} end").call()
        #expect(try JSONValue(lua: empty[0]) == .object(JSONObject()))
    }
}
