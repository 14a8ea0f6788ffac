import Foundation
import Logging
import LuaRuntime
import StrictJSON

/// Secrets and clock that functions see; tests replace them per test.
public struct FunctionFixtures: Sendable, Equatable {
    public var secrets: [String: String]
    /// Seconds since the epoch that `context.now()`, `os.time()` and `os.date()` return; nil: the real clock.
    public var frozenTime: Double?

    public init(secrets: [String: String] = [:], frozenTime: Double? = nil) {
        self.secrets = secrets
        self.frozenTime = frozenTime
    }
}

/// The settings every state of a set is built with.
public struct RunnerSettings: Sendable {
    public var timeout: Duration
    public var memoryLimit: Int
    public var logger: Logger
    /// `.afterInterrupt` only where a watchdog interrupts runs at their deadline (the pool).
    public var deadlineChecks: LuaDeadlineChecks

    public init(timeout: Duration = .seconds(1), memoryLimit: Int = 32 << 20, logger: Logger,
                deadlineChecks: LuaDeadlineChecks = .fromTheStart) {
        self.timeout = timeout
        self.memoryLimit = memoryLimit
        self.logger = logger
        self.deadlineChecks = deadlineChecks
    }
}

/// One Lua state loaded with a function set: runs the chain for one event at a time.
/// Not thread-safe; the pool confines each runner to one worker thread.
public final class FunctionRunner {
    /// One function file of the set: what it defines, and its `context.log`.
    struct Link {
        var file: String
        var authenticate: LuaReference?
        var sessionStarted: LuaReference?
        var sessionEnded: LuaReference?
        var log: LuaReference

        func function(for trigger: TriggerName) -> LuaReference? {
            trigger == .sessionStarted ? sessionStarted : sessionEnded
        }
    }

    public let folder: FunctionFolder
    let lua: LuaState
    let settings: RunnerSettings
    var chain: [Link] = []
    let calls = HTTPCallContext()
    /// Tasks whose last call returned: the next run takes one instead of making a new one.
    var idleTasks: [LuaTask] = []
    private let clock = FrozenClock()
    var secrets: LuaReference?
    var now: LuaReference?
    public private(set) var fixtures = FunctionFixtures()

    /// False once a call hit a limit; the runner must then be replaced.
    public var isUsable: Bool { lua.isUsable }

    /// Builds a fresh state and loads every function of the folder.
    public init(folder: FunctionFolder, settings: RunnerSettings, fixtures: FunctionFixtures = FunctionFixtures()) throws(FunctionLoadError) {
        self.folder = folder
        self.settings = settings
        var printLogger = settings.logger
        printLogger[metadataKey: "functions"] = .string(folder.version)
        let log = printLogger
        do {
            lua = try LuaState(limits: LuaLimits(memory: settings.memoryLimit, deadlineChecks: settings.deadlineChecks)) { level, line in
                log.log(level: level == .warning ? .warning : .info, "\(line)", metadata: ["source": "lua"])
            }
            let clock = self.clock
            try HostLibraries.installAll(into: lua, now: { clock.frozenTime ?? HostLibraries.systemTime() })
            try HTTPLibrary.install(into: lua, calls: calls)
            try lua.installRequire { [folder] args, results throws(LuaHostError) in
                let name = try args.string(1).description
                guard FunctionFolder.isValidModuleName(name), let module = folder.modules[name] else {
                    throw LuaHostError("module '\(name)' not found: require loads only functions/lib/NAME.lua (dotted names for subfolders)")
                }
                results.push(bytes: module.bytes)
                results.push(module.chunkName)
            }
            now = try lua.makeFunction(named: "context.now") { _, results in
                results.push(clock.frozenTime ?? Date().timeIntervalSince1970)
            }
            try apply(fixtures)
        } catch {
            throw FunctionLoadError("\(folder.path): cannot create a Lua state: \(error)")
        }
        var problems: [String] = []
        for source in folder.functions {
            do {
                try load(source)
            } catch {
                problems.append(contentsOf: error.problems)
                if !lua.isUsable { break }
            }
        }
        guard problems.isEmpty else { throw FunctionLoadError(problems: problems) }
    }

    private func load(_ source: FunctionSource) throws(FunctionLoadError) {
        let file = source.chunkName
        let module: LuaModule
        do {
            module = try lua.load(source.bytes, chunkName: file, policy: .frozenAfterLoad, deadline: .after(settings.timeout))
        } catch {
            throw FunctionLoadError(Self.loadProblem(error, file: file))
        }
        var authenticate, sessionStarted, sessionEnded: LuaReference?
        switch (module.typeName, module.value) {
        case ("function", let value?):
            authenticate = value
        case ("table", let table?):
            defer { lua.release(table) }
            func member(_ name: String) throws(FunctionLoadError) -> LuaReference? {
                guard let (value, type) = try? lua.field(name, of: table) else { return nil }
                guard type == "function" else {
                    lua.release(value)
                    throw FunctionLoadError("\(file):1: the returned table's '\(name)' is a \(type), not a function")
                }
                return value
            }
            authenticate = try member("authenticate")
            sessionStarted = try member(TriggerName.sessionStarted.rawValue)
            sessionEnded = try member(TriggerName.sessionEnded.rawValue)
            guard authenticate != nil || sessionStarted != nil || sessionEnded != nil else {
                throw FunctionLoadError("\(file):1: the returned table has no 'authenticate', 'session_started' or 'session_ended' function")
            }
        default:
            throw FunctionLoadError("\(file):1: must return a function or a table with an 'authenticate' function (it returned \(module.typeName))")
        }
        do {
            chain.append(Link(file: file, authenticate: authenticate, sessionStarted: sessionStarted,
                              sessionEnded: sessionEnded, log: try makeLogTable(file: file)))
        } catch {
            throw FunctionLoadError("\(file):1: \(error)")
        }
    }

    /// Whether any file defines `trigger`: a set without one skips queueing it at all.
    public func defines(_ trigger: TriggerName) -> Bool {
        chain.contains { $0.function(for: trigger) != nil }
    }

    private static func loadProblem(_ error: LuaError, file: String) -> String {
        switch error {
        case .syntax(let message), .runtime(let message, _): return message
        case .timeout: return "\(file):1: loading ran past the time limit"
        case .memory: return "\(file):1: loading ran past the memory limit"
        case .stackOverflow: return "\(file):1: loading overflowed the stack"
        default: return "\(file):1: \(error)"
        }
    }

    /// `context.log`: structured lines tagged with the function's file.
    private func makeLogTable(file: String) throws(LuaError) -> LuaReference {
        var functions: [(String, LuaReference)] = []
        defer { for (_, f) in functions { lua.release(f) } }
        let levels: [(String, Logger.Level)] = [("debug", .debug), ("info", .info), ("warn", .warning), ("error", .error)]
        for (name, level) in levels {
            let logger = settings.logger
            let version = folder.version
            let function = try lua.makeFunction(named: "context.log.\(name)") { args, _ throws(LuaHostError) in
                let message = try args.string(1).description
                var metadata: Logger.Metadata = ["function": .string(file), "functions": .string(version)]
                if case .table(let fields) = try args.value(2) {
                    for (key, value) in fields.entries {
                        if case .string(let k) = key { metadata["field." + k.description] = .string(Self.describe(value)) }
                    }
                }
                logger.log(level: level, "\(message)", metadata: metadata)
            }
            functions.append((name, function))
        }
        return try lua.makeReference { b in
            b.pushTable(recordCapacity: functions.count)
            for (name, function) in functions { b.setField(name) { $0.push(function) } }
        }
    }

    private static func describe(_ value: LuaValue) -> String {
        if let json = try? JSONValue(lua: value) {
            if case .string(let s) = json { return s }
            return json.encoded()
        }
        return value.typeName
    }

    /// Replaces the secrets and the clock functions see.
    public func apply(_ fixtures: FunctionFixtures) throws(LuaError) {
        let table = try lua.makeReference { b in
            b.pushTable(recordCapacity: fixtures.secrets.count)
            for (name, value) in fixtures.secrets { b.setField(name) { $0.push(value) } }
        }
        defer { lua.release(table) }
        let proxy = try lua.readOnlyReference(to: table, name: "context.secrets")
        if let secrets { lua.release(secrets) }
        secrets = proxy
        clock.frozenTime = fixtures.frozenTime
        try lua.setFrozenTime(fixtures.frozenTime)
        self.fixtures = fixtures
    }

    func pushEvent(_ event: AuthenticationEvent, into b: inout LuaPushBuffer) {
        b.pushTable(recordCapacity: 5)
        b.setField(literal: "username") { $0.push(event.username) }
        b.setField(literal: "authParams") { event.authParams.push(into: &$0) }
        b.setField(literal: "remoteAddress") { $0.push(event.remoteAddress) }
        if let userAgent = event.userAgent { b.setField(literal: "userAgent") { $0.push(userAgent) } }
        if let origin = event.origin { b.setField(literal: "origin") { $0.push(origin) } }
    }

    func pushContext(_ user: UserSnapshot?, log: LuaReference, into b: inout LuaPushBuffer) {
        let secrets = self.secrets
        let now = self.now
        b.pushTable(recordCapacity: 4)
        b.setField(literal: "secrets") { secrets.push(into: &$0) }
        b.setField(literal: "log") { $0.push(log) }
        b.setField(literal: "now") { now.push(into: &$0) }
        if let user { b.setField(literal: "user") { user.push(into: &$0) } }
    }
}

/// The clock `context.now()` reads; a class so the host function sees fixture changes.
final class FrozenClock {
    var frozenTime: Double?
}
