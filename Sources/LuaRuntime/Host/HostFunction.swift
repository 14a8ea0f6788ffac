import CLua
import CLuaShim

/// An error a host function raises in the script, where `pcall` can catch it.
public struct LuaHostError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A Swift function callable from Lua. It reads its arguments and pushes its
/// results into the buffer (each push is one result).
public typealias HostFunction = (LuaArguments, inout LuaPushBuffer) throws(LuaHostError) -> Void

/// What a host function that may wait did with its call.
public enum HostCallStep: Sendable {
    /// Its results are in the buffer.
    case returned
    /// It started something slow: the task yields, and when the task is resumed `resume`
    /// produces the call's results.
    case waits
}

/// A host function that may make its task wait (`http.request`): `start` reads the arguments
/// and either answers at once or asks to wait; `resume` answers once the task is resumed.
/// A call that cannot wait (outside a task, under a metamethod or a sort comparator) sees
/// `LuaArguments.canWait` false and must answer at once.
public struct WaitingHostFunction {
    public var start: (LuaArguments, inout LuaPushBuffer) throws(LuaHostError) -> HostCallStep
    public var resume: (inout LuaPushBuffer) throws(LuaHostError) -> Void

    public init(
        start: @escaping (LuaArguments, inout LuaPushBuffer) throws(LuaHostError) -> HostCallStep,
        resume: @escaping (inout LuaPushBuffer) throws(LuaHostError) -> Void
    ) {
        self.start = start
        self.resume = resume
    }
}

/// The arguments of one host-function call, read without raising.
public struct LuaArguments {
    let reader: LuaStackReader
    /// The name scripts call the function by, for argument errors (`json.decode`).
    public let functionName: String
    public let count: Int
    /// Whether the call may wait: it runs in a task and no C call stands between it and the
    /// task's resumer.
    public var canWait = false

    /// Argument `position` (from 1) copied into Swift; tables deeply.
    public func value(_ position: Int) throws(LuaHostError) -> LuaValue {
        guard position <= count else { return .nil }
        do {
            return try reader.value(at: Int32(position))
        } catch {
            throw argumentError(position, error.description)
        }
    }

    public func typeName(_ position: Int) -> String {
        guard position <= count else { return "no value" }
        return String(cString: sg_typename(reader.L, Int32(position)))
    }

    public func string(_ position: Int) throws(LuaHostError) -> LuaString {
        guard position <= count, let s = reader.string(at: Int32(position)) else {
            throw argumentError(position, "string expected, got \(typeName(position))")
        }
        return s
    }

    public func optionalString(_ position: Int) throws(LuaHostError) -> LuaString? {
        guard position <= count, reader.type(at: Int32(position)) != LUA_TNIL else { return nil }
        return try string(position)
    }

    public func integer(_ position: Int) throws(LuaHostError) -> Int64 {
        let L = reader.L
        let index = Int32(position)
        guard position <= count, lua_type(L, index) == LUA_TNUMBER else {
            throw argumentError(position, "number expected, got \(typeName(position))")
        }
        var isInteger: Int32 = 0
        let value = lua_tointegerx(L, index, &isInteger)
        guard isInteger != 0 else { throw argumentError(position, "number has no integer representation") }
        return Int64(value)
    }

    public func table(_ position: Int) throws(LuaHostError) -> LuaTable {
        guard position <= count, reader.type(at: Int32(position)) == LUA_TTABLE else {
            throw argumentError(position, "table expected, got \(typeName(position))")
        }
        guard case .table(let t) = try value(position) else { return LuaTable() }
        return t
    }

    public func argumentError(_ position: Int, _ message: String) -> LuaHostError {
        LuaHostError("bad argument #\(position) to '\(functionName)' (\(message))")
    }
}

/// Keeps a host function and the memory its results live in until C has pushed them.
final class HostFunctionBox {
    let name: String
    let body: HostFunction
    let waiting: WaitingHostFunction?
    private var results = LuaPushBuffer()
    private var error: [UInt8] = []

    init(name: String, body: @escaping HostFunction) {
        self.name = name
        self.body = body
        waiting = nil
    }

    init(name: String, waiting: WaitingHostFunction) {
        self.name = name
        self.body = { _, _ in }
        self.waiting = waiting
    }

    func invoke(_ L: OpaquePointer, _ out: UnsafeMutablePointer<sg_host_result>) {
        results.removeAll()
        var arguments = LuaArguments(reader: LuaStackReader(L: L), functionName: name, count: Int(lua_gettop(L)))
        arguments.canWait = out.pointee.can_wait != 0
        do throws(LuaHostError) {
            if let waiting {
                if out.pointee.resuming != 0 {
                    try waiting.resume(&results)
                } else if case .waits = try waiting.start(arguments, &results) {
                    guard arguments.canWait else { throw LuaHostError("'\(name)' cannot wait here") }
                    out.pointee.wait = 1
                    return
                }
            } else {
                try body(arguments, &results)
            }
        } catch {
            self.error = Array(error.message.utf8) + [0]
            out.pointee.error = self.error.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self) }
            out.pointee.error_len = self.error.count - 1
            return
        }
        // Both arrays are stored properties left untouched until the next call,
        // so their storage outlives C's use of it (C pushes right after we return).
        results.ops.withUnsafeBufferPointer { out.pointee.ops = $0.baseAddress }
        out.pointee.nops = results.ops.count
        results.bytes.withUnsafeBufferPointer {
            out.pointee.bytes = $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        }
        out.pointee.nresults = Int32(results.count)
        out.pointee.slots = Int32(clamping: results.depth + 2)
    }
}

/// The C entry point for every host function: finds the box and runs it.
let hostDispatch: sg_dispatch_fn = { L, box, out in
    guard let L, let box, let out else { return }
    Unmanaged<HostFunctionBox>.fromOpaque(box).takeUnretainedValue().invoke(L, out)
}
