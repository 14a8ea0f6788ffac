import Testing
@testable import LuaRuntime

/// Errors the sandbox raises on a script's behalf name the script's file and
/// line (SPEC §1), never the prelude's `[sandbox]` chunk.
@Suite struct BlamedLineTests {
    /// Each line runs as line 2 of functions/test.lua; its error message starts with `expected`
    /// after the position.
    static let refusals: [(line: String, expected: String)] = [
        ("require('missing')", "module 'missing' not found"),
        ("require(42)", "bad argument #1 to 'require'"),
        ("string.upper = nil", "attempt to change 'string.upper'"),
        ("os.time = nil", "attempt to change 'os.time'"),
        ("forbidden = 1", "assignment to global 'forbidden' during a call"),
        ("rawset(string, 'x', 1)", "attempt to rawset a protected table"),
        ("rawset({}, nil, 1)", "table index is nil"),
        ("rawset(1, 2, 3)", "bad argument #1 to 'rawset'"),
        ("setmetatable({}, {__gc = true})", "__gc metamethods are not allowed"),
        ("setmetatable(1, {})", "bad argument #1 to 'setmetatable'"),
        ("setmetatable(string, {})", "cannot change a protected metatable"),
        ("collectgarbage('collect')", "collectgarbage: only \"count\""),
        ("load({})", "bad argument #1 to 'load'"),
        ("os.date('%Ez')", "bad argument #1 to 'date'"),
        ("os.time({})", "field 'year' missing in date table"),
    ]

    @Test(arguments: refusals)
    func theErrorNamesTheScriptsLine(line: String, expected: String) throws {
        let script = try Script("return function()\n\(line)\nend")
        try script.lua.installRequire { args, _ throws(LuaHostError) in
            throw LuaHostError("module '\(try args.string(1).description)' not found")
        }
        let error = luaError { _ = try script.call() }
        guard case .runtime(let message, _) = error else {
            Issue.record("expected a runtime error, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("functions/test.lua:2: \(expected)"), "\(message)")
        #expect(!message.contains("[sandbox]"), "\(message)")
    }

    @Test func theTracebackShowsNoFrameOfThePrelude() throws {
        let script = try Script("return function()\nforbidden = 1\nend")
        guard case .runtime(_, let traceback) = luaError({ _ = try script.call() }) else {
            Issue.record("expected a runtime error")
            return
        }
        #expect(traceback.contains("functions/test.lua:2:"), "\(traceback)")
        #expect(!traceback.contains("[sandbox]:"), "\(traceback)")
    }

    @Test func aRequireAtTheTopLevelNamesTheLineOfTheRequire() throws {
        let lua = try LuaState()
        try lua.installRequire { _, _ throws(LuaHostError) in throw LuaHostError("module 'missing' not found") }
        let error = luaError {
            _ = try lua.load(Array("-- a comment\nlocal m = require('missing')\nreturn function() end".utf8),
                             chunkName: "functions/10-x.lua", policy: .frozenAfterLoad, deadline: .none)
        }
        guard case .runtime(let message, _) = error else {
            Issue.record("expected a runtime error, got \(String(describing: error))")
            return
        }
        #expect(message == "functions/10-x.lua:2: module 'missing' not found")
    }

    /// load returns the refusal of a binary chunk instead of raising it; the text names nothing of ours.
    @Test func aBinaryChunkIsRefusedWithoutNamingThePrelude() throws {
        let script = try Script("return function()\nreturn load('\\27Lua binary')\nend")
        let result = try script.call()
        #expect(result.first == .nil)
        let message = try #require(result.last?.stringValue)
        #expect(message.contains("binary chunk"))
        #expect(!message.contains("[sandbox]"))
    }

    /// The wrappers still pass results through, and a library function's own success is untouched.
    @Test func wrappedFunctionsStillReturnTheirResults() throws {
        let script = try Script("""
            return function()
              local t = setmetatable({}, {__index = {x = 1}})
              local same = rawset(t, "y", 2) == t
              return t.x, t.y, same, os.date("!%Y", 0), os.time({year = 2000, month = 1, day = 1, hour = 12}) > 0,
                     load("return 3")()
            end
            """)
        #expect(try script.call() == [.integer(1), .integer(2), .boolean(true), "1970", .boolean(true), .integer(3)])
    }
}
