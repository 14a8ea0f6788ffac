import CLua
import CLuaShim

/// Limits of one state.
public struct LuaLimits: Sendable {
    /// Bytes the state may hold, libraries and loaded functions included.
    public var memory: Int
    /// VM instructions between two deadline checks.
    public var instructionsPerCheck: Int32
    /// When the deadline checks start.
    public var deadlineChecks: LuaDeadlineChecks

    public init(memory: Int = 32 << 20, instructionsPerCheck: Int32 = 1000, deadlineChecks: LuaDeadlineChecks = .fromTheStart) {
        self.memory = memory
        self.instructionsPerCheck = instructionsPerCheck
        self.deadlineChecks = deadlineChecks
    }
}

/// Where `print`, `warn` and the host's own log lines from scripts go.
public enum LuaLogLevel: Int32, Sendable {
    case info = 1
    case warning = 2
}

/// Whether a chunk's globals freeze once it has loaded (SPEC §3).
public enum LuaEnvironmentPolicy: Sendable {
    /// Function files and modules: top-level code defines globals, calls cannot.
    case frozenAfterLoad
    /// Test files: globals stay assignable.
    case open
}

/// A chunk that has run: its first return value, kept in the registry.
public struct LuaModule: Sendable {
    public let value: LuaReference?
    /// `type()` of the value ("function", "table", "nil", …).
    public let typeName: String
}

final class LogBox {
    let sink: (LuaLogLevel, String) -> Void
    init(_ sink: @escaping (LuaLogLevel, String) -> Void) { self.sink = sink }
}

private let logTrampoline: sg_log_fn = { context, level, message, length in
    guard let context, let message else { return }
    let text = String(decoding: UnsafeRawBufferPointer(start: message, count: length), as: UTF8.self)
    Unmanaged<LogBox>.fromOpaque(context).takeUnretainedValue().sink(LuaLogLevel(rawValue: level) ?? .info, text)
}

/// The one owner of a `lua_State` (mlua's `Lua`): everything else holds
/// `LuaReference`s into it. Not thread-safe; confine it to one thread.
///
/// Safety: no Lua error ever unwinds a Swift frame. Every operation that may
/// raise runs in C under `lua_pcall` (see shim.c); this type calls only the
/// `sg_*` entry points and API functions that cannot raise. A limit (time,
/// memory, stack) marks the state unusable: the call's result is discarded
/// and the owner must replace the state, since a script may have been cut off
/// halfway through updating its own tables.
public final class LuaState {
    let L: OpaquePointer
    let control: UnsafeMutablePointer<sg_control>
    private let logBox: LogBox
    var buffer = LuaPushBuffer()
    /// A finished call's values, reused from call to call: the caller's copy has usually gone by
    /// the next call, so the array keeps its storage (copy-on-write covers a caller that keeps it).
    var callResults: [LuaValue] = []
    var hostFunctions: [HostFunctionBox] = []
    private var newEnvironmentFunction = LuaReference(id: LUA_NOREF)
    private var defineGlobalFunction = LuaReference(id: LUA_NOREF)
    private var setFrozenTimeFunction = LuaReference(id: LUA_NOREF)
    private var installRequireFunction = LuaReference(id: LUA_NOREF)
    private var readonlyFunction = LuaReference(id: LUA_NOREF)

    /// False once a call hit a limit; the state must then be replaced.
    public internal(set) var isUsable = true
    public let limits: LuaLimits

    /// A sandboxed state (SPEC §3) with the safe standard libraries.
    public init(limits: LuaLimits = LuaLimits(), log: @escaping (LuaLogLevel, String) -> Void = { _, _ in }) throws(LuaError) {
        self.limits = limits
        logBox = LogBox(log)
        control = .allocate(capacity: 1)
        control.initialize(to: sg_control())
        control.pointee.mem_limit = limits.memory
        control.pointee.instructions = limits.instructionsPerCheck
        control.pointee.late_hook = limits.deadlineChecks == .afterInterrupt ? 1 : 0
        control.pointee.log = logTrampoline
        control.pointee.log_ctx = Unmanaged.passUnretained(logBox).toOpaque()
        control.pointee.dispatch = hostDispatch
        guard let state = sg_newstate(control) else {
            control.deallocate()
            throw .memory
        }
        L = state
        try installSandbox()
    }

    deinit {
        sg_close(L)
        control.deallocate()
    }

    /// Bytes the state holds now.
    public var memoryInUse: Int { control.pointee.mem_used }

    private func installSandbox() throws(LuaError) {
        let source = Array(SandboxPrelude.source.utf8)
        try loadFunction(source, chunkName: SandboxPrelude.chunkName)
        let prelude = try popReference()
        guard sg_push_guards(L) == LUA_OK else { throw failure(status: LUA_ERRMEM) }
        let guards = try popReference()
        let base = lua_gettop(L)
        let status = invoke(prelude, deadline: .none) { $0.push(guards) }
        guard status == LUA_OK, lua_gettop(L) - base == 5 else { throw failure(status: status) }
        readonlyFunction = try popReference()
        installRequireFunction = try popReference()
        setFrozenTimeFunction = try popReference()
        defineGlobalFunction = try popReference()
        newEnvironmentFunction = try popReference()
        release(prelude)
        release(guards)
    }

    // MARK: Loading

    /// Compiles and runs a chunk in an environment of its own, then freezes
    /// that environment per `policy`. Returns the chunk's first return value.
    public func load(_ source: [UInt8], chunkName: String, policy: LuaEnvironmentPolicy, deadline: LuaDeadline) throws(LuaError) -> LuaModule {
        try ensureUsable()
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        try loadFunction(source, chunkName: "@" + chunkName)
        let status = invoke(newEnvironmentFunction, deadline: .none) {
            $0.push(chunkName)
            $0.push(policy == .frozenAfterLoad)
        }
        guard status == LUA_OK else { throw failure(status: status) }
        let freeze = try popReference()
        defer { release(freeze) }
        // Stack: chunk, env. The main chunk's only upvalue is _ENV.
        _ = lua_setupvalue(L, -2, 1)
        let chunk = try popReference()
        defer { release(chunk) }
        let runBase = lua_gettop(L)
        let runStatus = invoke(chunk, deadline: deadline) { _ in }
        try checkLimits()
        guard runStatus == LUA_OK else { throw failure(status: runStatus) }
        let module: LuaModule
        if lua_gettop(L) > runBase {
            lua_settop(L, runBase + 1)
            let typeName = String(cString: sg_typename(L, -1))
            module = LuaModule(value: try popReference(), typeName: typeName)
        } else {
            module = LuaModule(value: nil, typeName: "nil")
        }
        let freezeStatus = invoke(freeze, deadline: .none) { _ in }
        guard freezeStatus == LUA_OK else { throw failure(status: freezeStatus) }
        return module
    }

    /// Compiles a text chunk (binary chunks are refused) and leaves it on the stack.
    private func loadFunction(_ source: [UInt8], chunkName: String) throws(LuaError) {
        let status = source.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sg_load(L, chars.baseAddress, chars.count, chunkName)
            }
        }
        guard status == LUA_OK else {
            if status == LUA_ERRSYNTAX {
                let message = LuaStackReader(L: L).errorMessage(at: -1)
                sg_pop(L, 1)
                throw .syntax(message: message)
            }
            throw failure(status: status)
        }
    }

    // MARK: Calling

    /// Calls a function with the arguments `arguments` pushes, under `deadline`,
    /// and copies its results into Swift.
    public func call(
        _ function: LuaReference, deadline: LuaDeadline, arguments: (inout LuaPushBuffer) -> Void
    ) throws(LuaError) -> [LuaValue] {
        try calling(function, deadline: deadline, arguments) { base throws(LuaError) in
            let reader = LuaStackReader(L: L)
            let top = lua_gettop(L)
            var results: [LuaValue] = []
            results.reserveCapacity(Int(top - base))
            var index = base + 1
            while index <= top {
                results.append(try reader.value(at: index))
                index += 1
            }
            return results
        }
    }

    /// Calls with arguments and returns only the first result as a reference (or nil).
    public func callReturningReference(
        _ function: LuaReference, deadline: LuaDeadline, arguments: (inout LuaPushBuffer) -> Void
    ) throws(LuaError) -> LuaReference? {
        try calling(function, deadline: deadline, arguments) { base throws(LuaError) in
            guard lua_gettop(L) > base, lua_type(L, base + 1) != LUA_TNIL else { return nil }
            lua_settop(L, base + 1)
            return try popReference()
        }
    }

    /// What both calls share: the usability check, the call under the deadline, the limit check
    /// and the error; `results` reads the results above `base` before the stack is reset to it.
    private func calling<T>(
        _ function: LuaReference, deadline: LuaDeadline, _ arguments: (inout LuaPushBuffer) -> Void,
        results: (Int32) throws(LuaError) -> T
    ) throws(LuaError) -> T {
        try ensureUsable()
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        let status = invoke(function, deadline: deadline, arguments)
        try checkLimits()
        guard status == LUA_OK else { throw failure(status: status) }
        return try results(base)
    }

    private func invoke(_ function: LuaReference, deadline: LuaDeadline, _ arguments: (inout LuaPushBuffer) -> Void) -> Int32 {
        buffer.removeAll()
        arguments(&buffer)
        let count = Int32(buffer.count)
        let previous = control.pointee.deadline_ns
        sg_set_deadline(L, min(deadline.nanoseconds, previous == .max ? .max : previous))
        defer { sg_set_deadline(L, previous) }
        return buffer.withProgram { ops, nops, bytes, slots in
            sg_call(L, function.id, ops, nops, bytes, count, slots)
        }
    }

    // MARK: References

    /// `type()` of a referenced value.
    public func typeName(of reference: LuaReference) -> String {
        guard lua_checkstack(L, 1) != 0 else { return "no value" }
        sg_getref(L, reference.id)
        defer { sg_pop(L, 1) }
        return String(cString: sg_typename(L, -1))
    }

    /// `rawget(t, name)` of a referenced table, as a new reference (nil when absent or not a table).
    public func field(_ name: String, of table: LuaReference) throws(LuaError) -> (LuaReference, typeName: String)? {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_checkstack(L, 2) != 0 else { throw .memory }
        sg_getref(L, table.id)
        guard lua_type(L, -1) == LUA_TTABLE else { return nil }
        buffer.removeAll()
        buffer.push(name)
        let status = buffer.withProgram { sg_push(L, $0, $1, $2, $3) }
        guard status == LUA_OK else { throw failure(status: status) }
        lua_rawget(L, -2)
        guard lua_type(L, -1) != LUA_TNIL else { return nil }
        let typeName = String(cString: sg_typename(L, -1))
        return (try popReference(), typeName)
    }

    /// A reference to a value built by `value` (one value).
    public func makeReference(_ value: (inout LuaPushBuffer) -> Void) throws(LuaError) -> LuaReference {
        buffer.removeAll()
        value(&buffer)
        let base = lua_gettop(L)
        let status = buffer.withProgram { sg_push(L, $0, $1, $2, $3) }
        guard status == LUA_OK else { throw failure(status: status) }
        lua_settop(L, base + 1)
        return try popReference()
    }

    public func release(_ reference: LuaReference) { sg_unref(L, reference.id) }

    func popReference() throws(LuaError) -> LuaReference {
        let id = sg_ref(L)
        guard id != LUA_NOREF else { throw .memory }
        return LuaReference(id: id)
    }

    // MARK: Host functions and globals

    /// A Swift function as a Lua value, kept in the registry.
    public func makeFunction(named name: String, _ body: @escaping HostFunction) throws(LuaError) -> LuaReference {
        try pushHostFunction(HostFunctionBox(name: name, body: body))
        return try popReference()
    }

    /// Pushes a C closure that calls `box`, which the state keeps alive as long as it lives.
    private func pushHostFunction(_ box: HostFunctionBox) throws(LuaError) {
        hostFunctions.append(box)
        let status = sg_push_host_function(L, Unmanaged.passUnretained(box).toOpaque())
        guard status == LUA_OK else { throw failure(status: status) }
    }

    /// A Swift function that may make its task wait, as a Lua value kept in the registry.
    public func makeWaitingFunction(named name: String, _ function: WaitingHostFunction) throws(LuaError) -> LuaReference {
        try pushHostFunction(HostFunctionBox(name: name, waiting: function))
        return try popReference()
    }

    /// Defines a global seen by every environment; a table becomes read-only.
    public func defineGlobal(_ name: String, _ value: LuaReference) throws(LuaError) {
        let status = invoke(defineGlobalFunction, deadline: .none) {
            $0.push(name)
            $0.push(value)
        }
        guard status == LUA_OK else { throw failure(status: status) }
    }

    /// Defines a read-only library table of host functions and constants (`json`, `crypto`, …).
    public func defineLibrary(
        _ name: String, functions: [String: HostFunction], constants: (inout LuaPushBuffer) -> Void = { _ in }
    ) throws(LuaError) {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        buffer.removeAll()
        buffer.pushTable(recordCapacity: functions.count)
        constants(&buffer)
        var status = buffer.withProgram { sg_push(L, $0, $1, $2, $3) }
        guard status == LUA_OK else { throw failure(status: status) }
        for (key, body) in functions {
            try pushHostFunction(HostFunctionBox(name: "\(name).\(key)", body: body))
            status = key.withCString { sg_setfield(L, -2, $0) }
            guard status == LUA_OK else { throw failure(status: status) }
        }
        let table = try popReference()
        defer { release(table) }
        try defineGlobal(name, table)
    }

    /// Freezes `os.time()` and `os.date()` at `seconds` (nil: the real clock).
    public func setFrozenTime(_ seconds: Double?) throws(LuaError) {
        let status = invoke(setFrozenTimeFunction, deadline: .none) { b in
            if let seconds { b.push(seconds) } else { b.pushNil() }
        }
        guard status == LUA_OK else { throw failure(status: status) }
    }

    /// Defines `require`: `searcher(name)` returns a module's source and chunk
    /// name, or throws (not found, a bad name). Modules run once, frozen, cached.
    public func installRequire(_ searcher: @escaping HostFunction) throws(LuaError) {
        let function = try makeFunction(named: "require", searcher)
        defer { release(function) }
        let status = invoke(installRequireFunction, deadline: .none) { $0.push(function) }
        guard status == LUA_OK else { throw failure(status: status) }
    }

    /// A read-only proxy of a referenced table (writes and rawset raise).
    public func readOnlyReference(to table: LuaReference, name: String) throws(LuaError) -> LuaReference {
        guard let proxy = try callReturningReference(readonlyFunction, deadline: .none, arguments: {
            $0.push(table)
            $0.push(name)
        }) else { throw .conversion("not a table") }
        return proxy
    }

    // MARK: Errors

    private func ensureUsable() throws(LuaError) {
        guard isUsable else { throw .unusable }
    }

    /// Turns a limit the call hit into its typed error, whatever the script did.
    func checkLimits() throws(LuaError) {
        switch control.pointee.limit {
        case Int32(SG_LIMIT_TIME): isUsable = false; throw .timeout
        case Int32(SG_LIMIT_MEMORY): isUsable = false; throw .memory
        case Int32(SG_LIMIT_STACK): isUsable = false; throw .stackOverflow
        default: return
        }
    }

    /// The error for a failed status, with the error object on top of the stack.
    func failure(status: Int32) -> LuaError {
        failure(status: status, on: L)
    }

    /// The error for a failed status, with the error object on top of `thread`'s stack.
    func failure(status: Int32, on thread: OpaquePointer) -> LuaError {
        switch control.pointee.limit {
        case Int32(SG_LIMIT_TIME): return .timeout
        case Int32(SG_LIMIT_MEMORY): return .memory
        case Int32(SG_LIMIT_STACK): return .stackOverflow
        default: break
        }
        // The C side clears the mark only when the arguments could not be built
        // and no script code ran; the state is then still sound.
        if status == LUA_ERRMEM { return .memory }
        let message = lua_gettop(thread) > 0 ? LuaStackReader(L: thread).errorMessage(at: -1) : "unknown error"
        var traceback = ""
        if let tb = control.pointee.traceback {
            // The prelude's frames (a wrapper raising for the script) are ours, not the operator's.
            traceback = String(cString: tb).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("\t\(SandboxPrelude.chunkName.dropFirst()):") }
                .joined(separator: "\n")
            free(tb)
            control.pointee.traceback = nil
        }
        if message.hasSuffix("stack overflow") { isUsable = false; return .stackOverflow }
        return .runtime(message: message, traceback: traceback)
    }
}

#if canImport(Glibc)
import Glibc
#endif
