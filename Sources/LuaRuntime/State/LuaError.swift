/// Everything that can go wrong when the runtime loads or calls Lua code.
public enum LuaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chunk does not compile: `functions/20-password.lua:3: unexpected symbol near '='`.
    case syntax(message: String)
    /// The script raised an error; `message` carries the location, `traceback` is for the log.
    case runtime(message: String, traceback: String)
    /// The call ran past its deadline (also when the script caught the error).
    case timeout
    /// The state ran past its memory cap (also when the script caught the error).
    case memory
    /// The call nested too deeply (also when the script caught the error).
    case stackOverflow
    /// A value could not be converted between Lua and Swift.
    case conversion(String)
    /// The state hit a limit earlier and must be replaced.
    case unusable

    public var description: String {
        switch self {
        case .syntax(let message): return message
        case .runtime(let message, _): return message
        case .timeout: return "time limit exceeded"
        case .memory: return "memory limit exceeded"
        case .stackOverflow: return "stack overflow"
        case .conversion(let message): return message
        case .unusable: return "the Lua state hit a limit earlier and cannot run code"
        }
    }

    /// True for the errors that come from a limit; the state must be replaced.
    public var isLimit: Bool {
        switch self {
        case .timeout, .memory, .stackOverflow, .unusable: return true
        default: return false
        }
    }
}

/// A registry reference to a value that lives in one `LuaState`.
public struct LuaReference: Sendable, Hashable {
    public let id: Int32
}

/// A monotonic deadline for one call.
public struct LuaDeadline: Sendable, Equatable {
    /// CLOCK_MONOTONIC nanoseconds.
    public var nanoseconds: Int64

    public static let none = LuaDeadline(nanoseconds: .max)

    public static func after(_ duration: Duration) -> LuaDeadline {
        let (seconds, attoseconds) = duration.components
        let ns = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let total = ns.overflow ? Int64.max : ns.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
        return after(nanoseconds: total)
    }

    /// The cheap form for hot paths that keep their budget in nanoseconds.
    public static func after(nanoseconds: Int64) -> LuaDeadline {
        let sum = LuaClock.nowNanoseconds.addingReportingOverflow(nanoseconds)
        return LuaDeadline(nanoseconds: sum.overflow ? .max : sum.partialValue)
    }
}

/// The clock the deadline hook reads.
public enum LuaClock {
    public static var nowNanoseconds: Int64 { sg_now_ns_swift() }
}

import CLuaShim
@inline(__always) func sg_now_ns_swift() -> Int64 { sg_now_ns() }
