import LuaRuntime
import Testing

@testable import ChatFunctions

/// A sandboxed state with every host library installed and `jwt.verify`'s
/// clock fixed, that runs snippets of Lua the way a function file would.
struct LuaHarness {
    /// 2023-11-14T22:13:20Z, the time the tests run "at".
    static let defaultNow: Double = 1_700_000_000

    let lua: LuaState

    init(now: Double = LuaHarness.defaultNow) throws {
        lua = try LuaState()
        try HostLibraries.installAll(into: lua, now: { now })
    }

    /// Loads `body` as the body of `function(...)` in a function file, calls
    /// it with `arguments` and returns its results.
    func run(_ body: String, _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let source = "return function(...)\n\(body)\nend"
        let module = try lua.load(Array(source.utf8), chunkName: "functions/test.lua", policy: .frozenAfterLoad, deadline: .after(.seconds(5)))
        guard let function = module.value else { throw LuaError.conversion("the snippet returned nothing") }
        defer { lua.release(function) }
        return try lua.call(function, deadline: .after(.seconds(10))) { b in
            for argument in arguments { argument.push(into: &b) }
        }
    }

    /// The message of the Lua runtime error `body` throws, or nil when it throws none.
    static func errorMessage(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch LuaError.runtime(let message, _) {
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    /// The message of the runtime error `body` raises, or nil when it raises none.
    func error(_ body: String, _ arguments: [LuaValue] = []) -> String? {
        Self.errorMessage { try run(body, arguments) }
    }
}

extension LuaValue {
    /// A Lua string holding exactly `bytes`.
    static func bytes(_ bytes: [UInt8]) -> LuaValue { .string(LuaString(bytes: bytes)) }

    /// The bytes of a string value.
    var bytes: [UInt8]? {
        if case .string(let s) = self { return s.bytes }
        return nil
    }
}

/// `"0aff"` → `[0x0a, 0xff]`, for published test vectors.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}
