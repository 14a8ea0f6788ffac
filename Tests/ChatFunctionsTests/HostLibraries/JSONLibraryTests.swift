import LuaRuntime
import Testing

@testable import ChatFunctions

@Suite struct JSONLibraryTests {
    @Test func encodeWritesCompactJSON() throws {
        let lua = try LuaHarness()
        let results = try lua.run("""
            return json.encode({1, 2, 3}), json.encode({b = 1, a = "x"}), json.encode({}),
                   json.encode({a = json.null}), json.encode(1.5), json.encode(3), json.encode(true),
                   json.encode("he said \\"hi\\"\\n"), json.encode(nil), json.encode({nested = {list = {true, false}}})
            """)
        #expect(results == [
            "[1,2,3]", #"{"a":"x","b":1}"#, "{}", #"{"a":null}"#, "1.5", "3", "true",
            #""he said \"hi\"\n""#, "null", #"{"nested":{"list":[true,false]}}"#,
        ])
    }

    @Test func emptyTableEncodesAsAnObject() throws {
        let results = try LuaHarness().run("return json.encode({list = {}})")
        #expect(results == [#"{"list":{}}"#])
    }

    @Test func objectKeysComeOutInByteOrderEveryTime() throws {
        let results = try LuaHarness().run("""
            local t = {zeta = 1, alpha = 2, Mid = 3, ["10"] = 4, ["9"] = 5}
            return json.encode(t), json.encode(t)
            """)
        #expect(results == [#"{"10":4,"9":5,"Mid":3,"alpha":2,"zeta":1}"#, #"{"10":4,"9":5,"Mid":3,"alpha":2,"zeta":1}"#])
    }

    @Test func decodeConvertsLikeAuthParams() throws {
        let results = try LuaHarness().run("""
            local t = json.decode('{"a":[1,2.5,null,true],"b":{"c":"d"},"big":9223372036854775807,"e":1e2}')
            return math.type(t.a[1]), math.type(t.a[2]), t.a[3] == json.null, t.a[4], #t.a,
                   t.b.c, math.type(t.big), t.big == math.maxinteger, math.type(t.e), t.e
            """)
        #expect(results == ["integer", "float", true, true, 4, "d", "integer", true, "float", 100.0])
    }

    @Test func decodeOfNullIsTheSentinel() throws {
        let results = try LuaHarness().run(#"return json.decode("null") == json.null, type(json.null), json.encode(json.decode("[null]"))"#)
        #expect(results == [true, "userdata", "[null]"])
    }

    @Test func roundTripsKeepValuesAndTypes() throws {
        let results = try LuaHarness().run(#"""
            local original = {name = "Zoë 😀", n = -42, f = 0.1, flag = false, list = {1, "two", {three = 3}}, none = json.null}
            local copy = json.decode(json.encode(original))
            local text = '{"a":[1,2,{"b":null}],"c":"\\u00e9\\n","d":-0.5,"e":{}}'
            return copy.name == original.name, copy.n, math.type(copy.n), copy.f, copy.flag, copy.list[2],
                   copy.list[3].three, copy.none == json.null, json.encode(json.decode(text))
            """#)
        #expect(results == [true, -42, "integer", 0.1, false, "two", 3, true, #"{"a":[1,2,{"b":null}],"c":"é\n","d":-0.5,"e":{}}"#])
    }

    @Test func decodeErrorsAreCatchableWithTheParsersMessage() throws {
        let results = try LuaHarness().run(#"""
            local ok1, e1 = pcall(json.decode, '{"a":}')
            local ok2, e2 = pcall(json.decode, 'NaN')
            local ok3, e3 = pcall(json.decode, '[1,]')
            local ok4, e4 = pcall(json.decode, '{"a":1} x')
            return ok1, e1, ok2, e2, ok3, ok4
            """#)
        #expect(results.count == 6)
        #expect(results[0] == false)
        #expect(results[1].stringValue == "json.decode: unexpected character '}' at offset 5")
        #expect(results[2] == false)
        #expect(results[3].stringValue?.hasPrefix("json.decode: ") == true)
        #expect(results[3].stringValue?.contains("at offset 0") == true)
        #expect(results[4] == false)
        #expect(results[5] == false)
    }

    @Test func decodeRefusesNestingDeeperThan64() throws {
        let results = try LuaHarness().run("""
            local ok64 = pcall(json.decode, string.rep("[", 64) .. string.rep("]", 64))
            local ok65, err = pcall(json.decode, string.rep("[", 65) .. string.rep("]", 65))
            return ok64, ok65, err
            """)
        #expect(results[0] == true)
        #expect(results[1] == false)
        #expect(results[2].stringValue?.hasPrefix("json.decode: ") == true)
    }

    @Test func decodeRequiresAString() throws {
        let message = try LuaHarness().run("return select(2, pcall(json.decode, {}))")
        #expect(message == ["bad argument #1 to 'json.decode' (string expected, got table)"])
    }

    @Test func uncaughtDecodeErrorsPointAtTheScriptLine() throws {
        let message = try LuaHarness().error("local x = 1\nreturn json.decode('{')")
        #expect(message?.hasPrefix("functions/test.lua:3: json.decode: ") == true)
    }

    @Test(arguments: [
        ("local t = {} t.self = t return t", "cycle"),
        ("return {1, 2, x = 3}", "mixed"),
        ("return {[1] = 1, [3] = 3}", "mixed"),
        ("return {f = function() end}", "function"),
        ("return {0/0}", "nan"),
        ("return {x = math.huge}", "inf"),
        ("return {name = '\\xff\\xfe'}", "UTF-8"),
        ("return {[true] = 1}", "key"),
        ("return {[{}] = 1}", "key"),
    ])
    func encodeRefusesWhatJSONCannotHoldWithACatchableError(_ value: String, _ problem: String) throws {
        let results = try LuaHarness().run("""
            local function make() \(value) end
            local ok, err = pcall(json.encode, make())
            return ok, err
            """)
        #expect(results.first == false)
        let message = try #require(results.last?.stringValue)
        #expect(message.contains("json.encode"), "\(message)")
        #expect(message.lowercased().contains(problem.lowercased()), "\(message)")
    }

    @Test func encodeNeedsAnArgument() throws {
        let message = try LuaHarness().run("return select(2, pcall(json.encode))")
        #expect(message == ["bad argument #1 to 'json.encode' (value expected)"])
    }

    @Test func theLibraryIsReadOnly() throws {
        let results = try LuaHarness().run("""
            local ok = pcall(function() json.null = 1 end)
            local ok2 = pcall(function() json.encode = nil end)
            return ok, ok2, json.null == json.decode("null")
            """)
        #expect(results == [false, false, true])
    }
}
