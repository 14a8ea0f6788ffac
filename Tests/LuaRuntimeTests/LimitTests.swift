import Testing
@testable import LuaRuntime

/// The adversarial set: each ends in its typed error, the process stays alive,
/// and the state is either still sound or marked for replacement.
@Suite struct LimitTests {
    static let timeouts: [String] = [
        "while true do end",
        "for _ = 1, 100 do pcall(function() while true do end end) end return true",
        "while true do pcall(function() while true do end end) end",
        "local co = coroutine.wrap(function() while true do end end) pcall(co) return true",
        "coroutine.resume(coroutine.create(function() while true do end end)) return true",
        "xpcall(function() error('x') end, function() while true do end end) return true",
        "return (string.rep('a', 5000)):find('.-.-.-.-.-b') ~= nil",
        "return pcall(string.gsub, string.rep('a', 3000), '.-.-.-.-b', 'x')",
        "return (string.rep('(', 200000)):find('%b()')",
        "return (string.rep('a', 2000000)):find(string.rep('a', 100000) .. 'b', 1, true)",
        "return (string.rep('b', 200000)):find('[' .. string.rep('a', 200000) .. ']')",
        "return (string.rep('a', 100000)):find('(.+)%1x')",
    ]

    @Test(arguments: timeouts)
    func runawayCodeEndsInATimeoutWithinTheBudget(body: String) throws {
        let script = try Script("return function()\n\(body)\nend")
        let started = ContinuousClock.now
        #expect(luaError { _ = try script.call(timeout: .milliseconds(200)) } == .timeout)
        #expect(ContinuousClock.now - started < .milliseconds(300))
        #expect(!script.lua.isUsable)
        #expect(luaError { _ = try script.call() } == .unusable)
    }

    static let memoryHogs: [String] = [
        "return string.rep('x', 1e9)",
        "local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end",
        "local ok = pcall(string.rep, 'x', 1e9) return true",
        "local t = {} for i = 1, 1e9 do pcall(function() t[#t + 1] = ('x'):rep(1000) .. i end) end return true",
    ]

    @Test(arguments: memoryHogs)
    func memoryHogsEndInTheMemoryErrorEvenWhenCaught(body: String) throws {
        let script = try Script("return function()\n\(body)\nend", limits: LuaLimits(memory: 8 << 20))
        #expect(luaError { _ = try script.call(timeout: .seconds(10)) } == .memory)
        #expect(!script.lua.isUsable)
    }

    @Test(arguments: [
        "local function f() return f() + 1 end return f()",
        "local function f() local ok = pcall(f) return true end return f()",
        "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return pcall(function() return t.x end)",
    ])
    func deepRecursionEndsInALimitError(body: String) throws {
        let script = try Script("return function()\n\(body)\nend", limits: LuaLimits(memory: 256 << 20))
        let error = luaError { _ = try script.call(timeout: .seconds(10)) }
        #expect(error == .stackOverflow || error == .memory, "got \(String(describing: error))")
        #expect(error?.isLimit == true)
    }

    @Test func aFreshStateWorksAfterALimit() throws {
        let spin = try Script("return function() while true do end end")
        _ = luaError { _ = try spin.call(timeout: .milliseconds(50)) }
        let next = try Script("return function() return 1 end")
        #expect(try next.call() == [.integer(1)])
    }

    @Test func memoryCapHitWhileTheHostPushesATableLeavesTheStateUsable() throws {
        let script = try Script("return function(t) return t and #t end", limits: LuaLimits(memory: 2 << 20))
        let big = LuaValue.table(LuaTable(sequence: (0..<200_000).map { .string(LuaString("value-\($0)")) }))
        #expect(luaError { _ = try script.call([big]) } == .memory)
        #expect(script.lua.isUsable)
        #expect(try script.call([.table(LuaTable(sequence: [1, 2, 3]))]) == [.integer(3)])
    }

    @Test func callsWithinBudgetAreUnaffectedByTheHook() throws {
        let script = try Script("return function() local s = 0 for i = 1, 1e6 do s = s + i end return s end")
        #expect(try script.call(timeout: .seconds(5)) == [.integer(500_000_500_000)])
    }
}
