import Synchronization
import Testing
@testable import LuaRuntime

@Suite struct SandboxTests {
    /// Runs `body` as a function's body and returns its results.
    func run(_ body: String) throws -> [LuaValue] {
        try Script("return function()\n\(body)\nend").call(timeout: .seconds(2))
    }

    @Test(arguments: ["dofile", "loadfile", "io", "debug", "package", "require", "collectgarbage ~= nil and nil"])
    func removedFunctionsAreAbsent(name: String) throws {
        #expect(try run("return \(name)") == [.nil])
    }

    @Test func keptLibrariesArePresent() throws {
        let result = try run("""
            return type(string.format), type(table.concat), type(math.floor), type(utf8.char),
                   type(coroutine.wrap), type(os.time), type(os.clock), type(os.date), os.execute, os.getenv, string.dump
            """)
        #expect(result == ["function", "function", "function", "function", "function", "function", "function", "function", .nil, .nil, .nil])
    }

    @Test func loadRefusesBinaryChunksAndAcceptsText() throws {
        let result = try run("""
            local f, err = load("\\27Lua\\84\\0garbage")
            local g = load("return 1 + 1")
            return f, err, g()
            """)
        #expect(result[0] == .nil)
        #expect(result[1].stringValue?.contains("binary chunk") == true)
        #expect(result[2] == .integer(2))
    }

    @Test func stringDumpIsUnreachableEvenThroughTheStringMetatable() throws {
        #expect(try run("return (\"\").dump, getmetatable(\"\")") == [.nil, .boolean(false)])
    }

    @Test func collectgarbageAllowsOnlyCount() throws {
        let result = try run("""
            local ok = pcall(collectgarbage, "stop")
            return type(collectgarbage("count")), ok
            """)
        #expect(result == ["number", false])
    }

    @Test func standardTablesAndTheStringMetatableCannotBeChanged() throws {
        let result = try run("""
            local evil = function() return "pwned" end
            local attempts = {
              function() string.upper = evil end,
              function() rawset(string, "upper", evil) end,
              function() getmetatable("").__index = {upper = evil} end,
              function() setmetatable(string, {__index = evil}) end,
              function() math.floor = evil end,
              function() table.concat = evil end,
              function() string.format = evil end,
              function() setmetatable(_G, {}) end,
              function() rawset(_G, "injected", 1) end,
            }
            local refused = 0
            for _, attempt in ipairs(attempts) do
              if not pcall(attempt) then refused = refused + 1 end
            end
            return refused, ("abc"):upper(), string.format("%d", 7), math.floor(1.5), injected
            """)
        #expect(result == [.integer(9), "ABC", "7", .integer(1), .nil])
    }

    @Test func assigningAGlobalDuringACallIsAnError() throws {
        let script = try Script("""
            counter = 0
            local cache = {}
            return function(key)
              cache[key] = (cache[key] or 0) + 1
              local ok, err = pcall(function() counter = counter + 1 end)
              return ok, err, counter, cache[key]
            end
            """)
        let first = try script.call([.string("k")])
        #expect(first[0] == .boolean(false))
        #expect(first[1].stringValue?.contains("assignment to global 'counter'") == true)
        #expect(first[2] == .integer(0))
        #expect(first[3] == .integer(1))
        let second = try script.call([.string("k")])
        #expect(second[2] == .integer(0), "the global kept its load-time value")
        #expect(second[3] == .integer(2), "a module-level cache table still works")
    }

    @Test func eachChunkHasItsOwnEnvironment() throws {
        let lua = try LuaState()
        let a = try #require(try lua.load(Array("name = 'a' return function() return name end".utf8),
                                          chunkName: "a.lua", policy: .frozenAfterLoad, deadline: .none).value)
        let b = try #require(try lua.load(Array("return function() return name end".utf8),
                                          chunkName: "b.lua", policy: .frozenAfterLoad, deadline: .none).value)
        #expect(try lua.call(a, deadline: .none) { _ in } == ["a"])
        #expect(try lua.call(b, deadline: .none) { _ in } == [.nil])
    }

    @Test func openEnvironmentsKeepGlobalsAssignable() throws {
        let lua = try LuaState()
        let f = try #require(try lua.load(Array("n = 0 return function() n = n + 1 return n end".utf8),
                                          chunkName: "x_test.lua", policy: .open, deadline: .none).value)
        _ = try lua.call(f, deadline: .none) { _ in }
        #expect(try lua.call(f, deadline: .none) { _ in } == [.integer(2)])
    }

    @Test func printGoesToTheLogSink() throws {
        let lines = Mutex<[String]>([])
        let script = try Script("return function() print('hello', 42, nil) end", log: { _, line in
            lines.withLock { $0.append(line) }
        })
        _ = try script.call()
        #expect(lines.withLock { $0 } == ["hello\t42\tnil"])
    }

    @Test func gcMetamethodsAreRefused() throws {
        let result = try run("return pcall(setmetatable, {}, {__gc = function() end})")
        #expect(result.first == .boolean(false))
    }

    @Test func errorsCarryFileAndLine() throws {
        let script = try Script("return function(event)\n  return event.authParams.password\nend", name: "functions/20-password.lua")
        let error = luaError { _ = try script.call([.table([:])]) }
        guard case .runtime(let message, let traceback) = error else {
            Issue.record("expected a runtime error, got \(String(describing: error))")
            return
        }
        #expect(message == "functions/20-password.lua:2: attempt to index a nil value (field 'authParams')")
        #expect(traceback.contains("functions/20-password.lua:2"))
    }

    @Test func syntaxErrorsCarryFileAndLine() throws {
        let lua = try LuaState()
        let error = luaError {
            _ = try lua.load(Array("return function(event)\n  local a = 1\n  local = 2\nend\n".utf8),
                             chunkName: "functions/20-broken.lua", policy: .frozenAfterLoad, deadline: .none)
        }
        guard case .syntax(let message) = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("functions/20-broken.lua:3: "))
    }
}
