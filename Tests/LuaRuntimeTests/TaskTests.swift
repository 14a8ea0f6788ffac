import Testing
@testable import LuaRuntime

/// Tasks: a call that waits in a host function and is resumed later (SPEC §3 `http` builds on
/// them), with deadlines and limits that hold while tasks take turns.
@Suite struct TaskTests {
    /// A state with `wait(x)`: yields its task; when resumed it returns `x .. "!"`. `source`
    /// is a function file loaded after it.
    final class Waiting {
        let lua: LuaState
        let function: LuaReference
        var pending: [String] = []

        init(_ source: String, limits: LuaLimits = LuaLimits()) throws {
            lua = try LuaState(limits: limits)
            var waiting: [String] = []
            var answered: [String] = []
            let wait = try lua.makeWaitingFunction(named: "wait", WaitingHostFunction(
                start: { args, results throws(LuaHostError) in
                    guard args.canWait else {
                        results.push("cannot wait")
                        return .returned
                    }
                    waiting.append(try args.string(1).description)
                    return .waits
                },
                resume: { results throws(LuaHostError) in
                    let value = waiting.removeFirst()
                    answered.append(value)
                    results.push(value + "!")
                }))
            try lua.defineGlobal("wait", wait)
            let module = try lua.load(Array(source.utf8), chunkName: "functions/t.lua", policy: .frozenAfterLoad, deadline: .after(.seconds(5)))
            function = module.value!
        }

        func start(_ task: LuaTask, _ argument: String, timeout: Duration = .seconds(1)) -> LuaTaskStep {
            lua.start(function, in: task, deadline: .after(timeout)) { $0.push(argument) }
        }
    }

    static func values(_ step: LuaTaskStep) -> [LuaValue]? {
        if case .finished(let values) = step { return values }
        return nil
    }

    @Test func tasksWaitAndResumeInAnyOrder() throws {
        let w = try Waiting("return function(x) local a = wait(x); local b = wait(a); return b end")
        let first = try #require(w.lua.makeTask())
        let second = try #require(w.lua.makeTask())
        guard case .waiting = w.start(first, "a"), case .waiting = w.start(second, "b") else { Issue.record("no wait"); return }
        // Answers come in the order they were asked: a, b, then a!, b!.
        guard case .waiting = w.lua.resume(first), case .waiting = w.lua.resume(second) else { Issue.record("no second wait"); return }
        #expect(Self.values(w.lua.resume(first)) == [.string("a!!")])
        #expect(Self.values(w.lua.resume(second)) == [.string("b!!")])
        // A finished task takes another call.
        guard case .waiting = w.start(first, "c") else { Issue.record("reuse"); return }
        _ = w.lua.resume(first)
    }

    @Test func aWaitPassesThroughPcallAndTheScriptsCoroutines() throws {
        let w = try Waiting("""
            return function(x)
              local ok, v = pcall(wait, x)
              local co = coroutine.wrap(function() coroutine.yield(wait(v)) end)
              return co()
            end
            """)
        let task = try #require(w.lua.makeTask())
        guard case .waiting = w.start(task, "p") else { Issue.record("no wait"); return }
        guard case .waiting = w.lua.resume(task) else { Issue.record("no wait through the coroutine"); return }
        #expect(Self.values(w.lua.resume(task)) == [.string("p!!")])
    }

    @Test func aCallThatCannotWaitIsToldSo() throws {
        let w = try Waiting("return function(x) local r; table.sort({2, 1}, function(a, b) r = wait(x); return a < b end) return r end")
        let task = try #require(w.lua.makeTask())
        #expect(Self.values(w.start(task, "s")) == [.string("cannot wait")])
    }

    @Test func aYieldOfTheScriptsOwnAtTheTopIsAnError() throws {
        let w = try Waiting("return function(x) coroutine.yield(x) end")
        let task = try #require(w.lua.makeTask())
        guard case .failed(.runtime(let message, _)) = w.start(task, "y") else { Issue.record("not an error"); return }
        #expect(message.contains("outside a coroutine"))
    }

    @Test func theDeadlineHoldsAfterAWaitEvenUnderPcall() throws {
        let w = try Waiting("return function(x) local ok = pcall(wait, x) while true do end end")
        let task = try #require(w.lua.makeTask())
        guard case .waiting = w.start(task, "t", timeout: .milliseconds(50)) else { Issue.record("no wait"); return }
        let started = ContinuousClock.now
        guard case .failed(.timeout) = w.lua.resume(task) else { Issue.record("no timeout"); return }
        #expect(ContinuousClock.now - started < .milliseconds(200))
        #expect(!w.lua.isUsable)
    }

    @Test func aLimitInOneTaskLeavesAnotherWaitingTaskToFinish() throws {
        let w = try Waiting("""
            return function(x)
              if x == "hog" then local t = {} for i = 1, 1e8 do t[i] = i end end
              return wait(x)
            end
            """, limits: LuaLimits(memory: 4 << 20))
        let waiting = try #require(w.lua.makeTask())
        let hog = try #require(w.lua.makeTask())
        guard case .waiting = w.start(waiting, "w") else { Issue.record("no wait"); return }
        guard case .failed(.memory) = w.start(hog, "hog") else { Issue.record("no memory limit"); return }
        #expect(!w.lua.isUsable)
        #expect(w.lua.makeTask() == nil)
        #expect(Self.values(w.lua.resume(waiting)) == [.string("w!")])
    }
}
