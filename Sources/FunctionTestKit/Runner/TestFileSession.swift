import ChatFunctions
import Foundation
import LuaRuntime

/// Runs the tests of one file in a Lua state of its own, on the calling thread (a thread of
/// its own, see `ThreadBridge`): the sandbox of the functions, their host libraries, `require`
/// of the folder's `lib/`, and the test API.
///
/// Before each test the harness is reset (empty store, no secrets, real clock). A test that
/// hits the time or memory limit of the test state fails, and the state is rebuilt (the file
/// registered again) for the tests after it.
final class TestFileSession {
    private let file: TestFile
    private let harness: FunctionHarness
    private let modules: [String: FunctionSource]
    private let options: TestRunOptions
    private let capturedLog: CapturedLog
    /// What the pool's worker asks this thread to run: `given.http` answers.
    private let inbox = TestThreadInbox()
    private var output: [String] = []
    /// Lua cuts chunk names past 60 bytes to "...tail" in error positions, so the state knows
    /// files by their short names inside the folder (`a_test.lua`, `lib/x.lua`); reports give
    /// them their full names again.
    private var fullNames: [String: String] = [:]

    private struct Loaded {
        let lua: LuaState
        let run: LuaReference
        let tests: [(name: String, file: String, line: Int?)]
    }

    init(file: TestFile, harness: FunctionHarness, modules: [String: FunctionSource], options: TestRunOptions,
         capturedLog: CapturedLog) {
        self.file = file
        self.harness = harness
        self.modules = modules
        self.options = options
        self.capturedLog = capturedLog
        fullNames[file.shortName] = file.name
        for (name, module) in modules { fullNames[Self.shortName(ofModule: name)] = module.chunkName }
    }

    static func shortName(ofModule name: String) -> String {
        "lib/" + name.replacingOccurrences(of: ".", with: "/") + ".lua"
    }

    private func fullName(_ name: String) -> String { fullNames[name] ?? name }

    private func failure(_ text: String, file: String, line: Int?) -> TestFailure {
        var failure = TestFailure.parse(text, fallbackFile: file, fallbackLine: line)
        failure.file = fullName(failure.file)
        return failure
    }

    func run(filter: String?) -> TestFileResult {
        let started = ContinuousClock.now
        var result = runTests(filter: filter)
        result.duration = ContinuousClock.now - started
        return result
    }

    private func runTests(filter: String?) -> TestFileResult {
        var result = TestFileResult(file: file.name, cases: [], loadFailure: nil, duration: .zero)
        guard let source = FileManager.default.contents(atPath: file.path) else {
            result.loadFailure = TestFailure(file: file.name, line: nil, message: "cannot read the file")
            return result
        }
        harness.reset()
        output.removeAll()
        var loaded: Loaded
        let firstLoad = load(Array(source))
        // Kept from the first load only: a state rebuilt after a limit runs the top level again.
        result.output = output
        switch firstLoad {
        case .success(let value): loaded = value
        case .failure(let failure):
            result.loadFailure = failure
            return result
        }
        let tests = loaded.tests
        for (index, test) in tests.enumerated() where filter.map({ test.name.contains($0) }) ?? true {
            if !loaded.lua.isUsable {
                // A limit cut the last test short: build a fresh state and register the file again.
                switch load(Array(source)) {
                case .success(let value) where value.tests.count == tests.count: loaded = value
                case .success:
                    result.loadFailure = TestFailure(
                        file: file.name, line: nil, message: "the file registered other tests when loaded again")
                    return result
                case .failure(let failure):
                    result.loadFailure = failure
                    return result
                }
            }
            result.cases.append(runTest(index, test, in: loaded))
        }
        return result
    }

    private func runTest(_ index: Int, _ test: (name: String, file: String, line: Int?), in loaded: Loaded) -> TestCaseResult {
        harness.reset()
        _ = capturedLog.drain()
        output.removeAll()
        let started = ContinuousClock.now
        var failure: TestFailure?
        do {
            let results = try loaded.lua.call(loaded.run, deadline: .after(options.testTimeout)) {
                $0.push(Int64(index + 1))
            }
            if results.first != .boolean(true) {
                let text = results.count > 1 ? Self.text(results[1]) : "the test failed"
                failure = self.failure(text, file: test.file, line: test.line)
            }
        } catch {
            failure = TestFailure(file: test.file, line: test.line, message: limitMessage(error, doing: "the test"))
        }
        return TestCaseResult(
            name: test.name, file: test.file, line: test.line, failure: failure,
            duration: ContinuousClock.now - started, output: output, log: capturedLog.drain()
        )
    }

    /// A fresh state with the framework, and the file's tests registered.
    private func load(_ source: [UInt8]) -> Result<Loaded, TestFailure> {
        let lua: LuaState
        let runner: LuaReference
        do {
            lua = try LuaState(limits: LuaLimits(memory: options.testMemoryLimit)) { [weak self] _, line in
                self?.output.append(line)
            }
            let harness = self.harness
            try HostLibraries.installAll(into: lua, now: { harness.frozenTime ?? HostLibraries.systemTime() })
            let modules = self.modules
            try lua.installRequire { args, results throws(LuaHostError) in
                let name = try args.string(1).description
                guard FunctionFolder.isValidModuleName(name), let module = modules[name] else {
                    throw LuaHostError("module '\(name)' not found: require loads only lib/NAME.lua of the functions folder")
                }
                results.push(bytes: module.bytes)
                results.push(Self.shortName(ofModule: name))
            }
            let framework = try lua.load(
                Array(TestFramework.source.utf8), chunkName: TestFramework.chunkName, policy: .open, deadline: .after(.seconds(5))
            )
            guard let setup = framework.value else { throw LuaError.conversion("the test framework returned nothing") }
            let host = try TestHost(harness: harness, inbox: inbox).install(into: lua)
            guard let made = try lua.callReturningReference(setup, deadline: .after(.seconds(5)), arguments: { $0.push(host) })
            else { throw LuaError.conversion("the test framework's setup returned nothing") }
            runner = made
            guard let (os, _) = try lua.field("os", of: runner) else { throw LuaError.conversion("no os table") }
            try lua.defineGlobal("os", os)
            guard let (dispatch, _) = try lua.field("dispatch_http", of: runner) else {
                throw LuaError.conversion("no dispatch_http")
            }
            installResponder(lua: lua, dispatch: dispatch)
        } catch {
            return .failure(TestFailure(file: file.name, line: nil, message: "cannot build the test state: \(error)"))
        }
        do {
            guard let (loadFunction, _) = try lua.field("load", of: runner),
                let (run, _) = try lua.field("run", of: runner)
            else { throw LuaError.conversion("the test framework has no load or run") }
            let results = try lua.call(loadFunction, deadline: .after(options.testTimeout)) {
                $0.push(bytes: source)
                $0.push(file.shortName)
            }
            guard results.first == .boolean(true), results.count > 1, case .table(let list) = results[1] else {
                let text = results.count > 1 ? Self.text(results[1]) : "the file did not load"
                return .failure(failure(text, file: file.shortName, line: nil))
            }
            return .success(Loaded(lua: lua, run: run, tests: tests(in: list)))
        } catch {
            return .failure(TestFailure(file: file.name, line: nil, message: limitMessage(error, doing: "loading the file")))
        }
    }

    /// Answers the functions' `http` calls with the test state's `given.http` stubs. The
    /// worker's thread blocks while this file's thread (waiting in `authenticate`) computes it.
    private func installResponder(lua: LuaState, dispatch: LuaReference) {
        let state = TestStateAccess(lua: lua, dispatch: dispatch, timeout: options.testTimeout)
        let inbox = self.inbox
        harness.http.setResponder { request in
            inbox.run { state.answer(request) }
        }
    }

    /// The registered tests; `file` and `line` are where their `it` is.
    private func tests(in list: LuaTable) -> [(name: String, file: String, line: Int?)] {
        (list.sequence ?? []).map { entry in
            let record = entry.tableValue ?? LuaTable()
            var line: Int?
            if case .integer(let value) = record["line"] { line = Int(value) }
            var name = "?"
            if case .string(let text) = record["name"] { name = text.description }
            return (name, fullName(record["file"].stringValue ?? file.shortName), line)
        }
    }

    private func limitMessage(_ error: any Error, doing what: String) -> String {
        switch error as? LuaError {
        case .timeout?: return "\(what) ran past its time limit of \(options.testTimeout)"
        case .memory?: return "\(what) ran past the memory limit of the test state, \(options.testMemoryLimit >> 20) MiB"
        case .stackOverflow?: return "stack overflow"
        case .runtime(let message, _)?: return message
        case let other?: return other.description
        case nil: return "\(error)"
        }
    }

    private static func text(_ value: LuaValue) -> String {
        if case .string(let s) = value { return s.description }
        return "(a \(value.typeName) error)"
    }
}
