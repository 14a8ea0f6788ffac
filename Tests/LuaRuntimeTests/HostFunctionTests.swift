import Testing
@testable import LuaRuntime

@Suite struct HostFunctionTests {
    func state() throws -> LuaState {
        let lua = try LuaState()
        try lua.defineLibrary("text", functions: [
            "upper": { args, results throws(LuaHostError) in
                let s = try args.string(1)
                results.push(s.description.uppercased())
            },
            "pair": { _, results in
                results.push(Int64(1))
                results.push("two")
            },
        ])
        return lua
    }

    @Test func scriptsCallSwiftFunctions() throws {
        let lua = try state()
        let f = try #require(try lua.load(Array("return function() return text.upper('abc'), text.pair() end".utf8),
                                          chunkName: "h.lua", policy: .frozenAfterLoad, deadline: .none).value)
        #expect(try lua.call(f, deadline: .after(.seconds(1))) { _ in } == ["ABC", 1, "two"])
    }

    @Test func argumentErrorsAreLuaErrorsAScriptCanCatch() throws {
        let lua = try state()
        let source = "return function() local ok, err = pcall(text.upper, nil) return ok, err end"
        let f = try #require(try lua.load(Array(source.utf8), chunkName: "h.lua", policy: .frozenAfterLoad, deadline: .none).value)
        let result = try lua.call(f, deadline: .after(.seconds(1))) { _ in }
        #expect(result == [false, "bad argument #1 to 'text.upper' (string expected, got nil)"])
    }

    @Test func uncaughtArgumentErrorsCarryTheScriptsLocation() throws {
        let lua = try state()
        let source = "return function()\n  return text.upper(42)\nend"
        let f = try #require(try lua.load(Array(source.utf8), chunkName: "functions/h.lua", policy: .frozenAfterLoad, deadline: .none).value)
        guard case .runtime(let message, let traceback) = luaError({ _ = try lua.call(f, deadline: .after(.seconds(1))) { _ in } }) else {
            Issue.record("expected a runtime error")
            return
        }
        #expect(message == "functions/h.lua:2: bad argument #1 to 'text.upper' (string expected, got number)")
        #expect(traceback.contains("stack traceback"))
    }

    @Test func libraryTablesAreReadOnly() throws {
        let lua = try state()
        let source = "return function() return pcall(function() text.upper = nil end), text.upper ~= nil end"
        let f = try #require(try lua.load(Array(source.utf8), chunkName: "h.lua", policy: .frozenAfterLoad, deadline: .none).value)
        let result = try lua.call(f, deadline: .after(.seconds(1))) { _ in }
        #expect(result.first == .boolean(false))
        #expect(result.last == .boolean(true))
    }
}
