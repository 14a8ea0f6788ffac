import LuaRuntime

/// A state with one loaded function file, for the tests.
struct Script {
    let lua: LuaState
    let function: LuaReference

    init(_ source: String, name: String = "functions/test.lua", limits: LuaLimits = LuaLimits(),
         log: @escaping (LuaLogLevel, String) -> Void = { _, _ in }) throws {
        lua = try LuaState(limits: limits, log: log)
        let module = try lua.load(Array(source.utf8), chunkName: name, policy: .frozenAfterLoad, deadline: .after(.seconds(5)))
        guard let value = module.value else { throw LuaError.conversion("the chunk returned nothing") }
        function = value
    }

    func call(timeout: Duration = .milliseconds(300), _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        try lua.call(function, deadline: .after(timeout)) { b in
            for argument in arguments { argument.push(into: &b) }
        }
    }
}

/// Runs `body`, expecting it to throw a LuaError; returns it.
func luaError(_ body: () throws -> Void) -> LuaError? {
    do {
        try body()
        return nil
    } catch let error as LuaError {
        return error
    } catch {
        return .conversion("unexpected error \(error)")
    }
}
