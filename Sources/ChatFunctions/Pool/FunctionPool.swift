import Dispatch
import Foundation
import Logging
import LuaRuntime
import Metrics
import Synchronization

/// Runs authentications on a pool of Lua states (SPEC §1 `--function-workers`).
///
/// Each state lives on a worker thread of its own. An authentication borrows an
/// idle worker, runs the whole chain there under one deadline, and gives the
/// worker back; when none is idle it waits in a bounded queue, and a full queue
/// answers `overloaded`. A state that hit a limit is rebuilt before its worker
/// takes another job. A watchdog thread answers `timedOut` at the budget plus 50–60 ms
/// even when a state is stuck inside C code, and replaces that worker.
public final class FunctionPool: Authenticator, Sendable {
    struct Current: Sendable {
        var folder: FunctionFolder
        var setGeneration: Int
        var fixtures: FunctionFixtures
        var fixturesGeneration: Int
    }

    struct State {
        var current: Current
        var idle: [Worker] = []
        var waiters: [CheckedContinuation<Worker?, Never>] = []
        var nextWorkerID = 0
        var shutDown = false
    }

    private let options: FunctionPoolOptions
    private let state: Mutex<State>
    private let logger: Logger
    private let duration: Metrics.Timer
    private let queueDepth: Gauge
    private let watchdog = Watchdog()
    /// Answer a stuck state this long after the budget.
    static let watchdogGrace: Duration = .milliseconds(50)

    /// Compiles every function of the folder once (on the calling thread) and starts the workers.
    public init(folder path: String, options: FunctionPoolOptions) throws(FunctionLoadError) {
        let folder = try FunctionFolder.read(path)
        _ = try FunctionRunner(folder: folder, settings: Self.settings(options), fixtures: FunctionFixtures(secrets: options.secrets))
        self.options = options
        self.logger = options.logger
        duration = Metrics.Timer(label: "sessiongate_function_duration_seconds", preferredDisplayUnit: .seconds)
        queueDepth = Gauge(label: "sessiongate_function_queue_depth")
        state = Mutex(State(current: Current(folder: folder, setGeneration: 0,
                                             fixtures: FunctionFixtures(secrets: options.secrets), fixturesGeneration: 0)))
        for _ in 0..<options.workers { addWorker() }
        logger.info("functions loaded", metadata: ["functions": .string(folder.version), "count": .stringConvertible(folder.functions.count)])
    }

    static func settings(_ options: FunctionPoolOptions) -> RunnerSettings {
        RunnerSettings(timeout: options.timeout, memoryLimit: options.memoryLimit, logger: options.logger)
    }

    public var functionCount: Int { state.withLock { $0.current.folder.functions.count } }
    public var version: String { state.withLock { $0.current.folder.version } }

    // MARK: Authenticating

    public func authenticate(_ event: AuthenticationEvent) async -> Verdict {
        guard let worker = await acquire() else { return .overloaded }
        let current = state.withLock { $0.current }
        let settings = Self.settings(options)
        let logger = self.logger
        let started = ContinuousClock.now
        let watchdog = self.watchdog
        let verdict: Verdict = await withCheckedContinuation { continuation in
            let answered = Mutex(false)
            let claim: @Sendable () -> Bool = { answered.withLock { done in defer { done = true }; return !done } }
            worker.submit { [self] slot in
                let deadline = LuaDeadline.after(settings.timeout)
                watchdog.watch(worker.id, deadline: deadline.nanoseconds &+ Self.watchdogGrace.nanoseconds) {
                    guard claim() else { return }
                    logger.error("a Lua state did not stop at its deadline; replacing its worker",
                                 metadata: ["worker": .stringConvertible(worker.id)])
                    continuation.resume(returning: .timedOut)
                    self.replace(worker)
                }
                let verdict = Self.prepare(slot, current, settings, logger)
                    ?? slot.runner!.authenticate(event, deadline: deadline)
                watchdog.finished(worker.id)
                guard claim() else {
                    worker.stop()
                    return
                }
                if slot.runner?.isUsable == false {
                    // Answer first, then rebuild the state before the worker takes another job.
                    continuation.resume(returning: verdict)
                    _ = Self.prepare(slot, self.state.withLock { $0.current }, settings, logger, force: true)
                    self.release(worker)
                } else {
                    // Back in the pool before the caller hears, so its next start finds it free.
                    self.release(worker)
                    continuation.resume(returning: verdict)
                }
            }
        }
        duration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return verdict
    }

    /// Makes the slot's runner match the current set and fixtures; a verdict when that fails.
    private static func prepare(_ slot: WorkerSlot, _ current: Current, _ settings: RunnerSettings, _ logger: Logger,
                                force: Bool = false) -> Verdict? {
        if force || slot.runner == nil || slot.runner?.isUsable == false || slot.setGeneration != current.setGeneration {
            slot.runner = nil
            do {
                slot.runner = try FunctionRunner(folder: current.folder, settings: settings, fixtures: current.fixtures)
                slot.setGeneration = current.setGeneration
                slot.fixturesGeneration = current.fixturesGeneration
            } catch {
                logger.error("cannot build a Lua state for the functions", metadata: ["problems": .string(error.description)])
                return .functionError(FunctionFailure(file: current.folder.path, message: error.description))
            }
        }
        if slot.fixturesGeneration != current.fixturesGeneration {
            do {
                try slot.runner!.apply(current.fixtures)
                slot.fixturesGeneration = current.fixturesGeneration
            } catch {
                slot.runner = nil
                return .functionError(FunctionFailure(file: current.folder.path, message: "cannot apply fixtures: \(error)"))
            }
        }
        return nil
    }

    // MARK: Workers

    private func addWorker() {
        let worker = state.withLock { s -> Worker in
            s.nextWorkerID += 1
            return Worker(id: s.nextWorkerID)
        }
        // Build the state now, so the first authentication does not pay for it.
        let current = state.withLock { $0.current }
        let settings = Self.settings(options)
        let logger = self.logger
        worker.submit { [self] slot in
            _ = Self.prepare(slot, current, settings, logger)
            self.release(worker)
        }
    }

    private func acquire() async -> Worker? {
        let depth = options.queueLimit
        let worker: Worker? = await withCheckedContinuation { continuation in
            enum Decision { case now(Worker?), wait }
            let decision = state.withLock { s -> Decision in
                if s.shutDown { return .now(nil) }
                if let worker = s.idle.popLast() { return .now(worker) }
                if s.waiters.count >= depth { return .now(nil) }
                s.waiters.append(continuation)
                return .wait
            }
            if case .now(let worker) = decision { continuation.resume(returning: worker) }
        }
        queueDepth.record(state.withLock { $0.waiters.count })
        return worker
    }

    private func release(_ worker: Worker) {
        let waiter = state.withLock { s -> CheckedContinuation<Worker?, Never>? in
            if s.shutDown {
                worker.stop()
                return nil
            }
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.idle.append(worker)
            return nil
        }
        waiter?.resume(returning: worker)
    }

    /// The worker is stuck: it leaves the pool and a fresh one takes its place.
    private func replace(_ worker: Worker) {
        guard !state.withLock({ $0.shutDown }) else { return }
        addWorker()
    }

    // MARK: Fixtures, reload, shutdown

    /// Test fixtures: the secrets `context.secrets` shows and a frozen clock for
    /// `context.now()`, `os.time()` and `os.date()` (nil: the real clock). Applies
    /// to authentications that start after it returns.
    public func setFixtures(secrets: [String: String], frozenTime: Double?) {
        state.withLock {
            $0.current.fixtures = FunctionFixtures(secrets: secrets, frozenTime: frozenTime)
            $0.current.fixturesGeneration += 1
        }
    }

    /// Swaps in a new, already compiled set; calls in flight finish on the old one.
    func install(_ folder: FunctionFolder) {
        state.withLock {
            $0.current.folder = folder
            $0.current.setGeneration += 1
        }
        logger.info("functions reloaded", metadata: ["functions": .string(folder.version), "count": .stringConvertible(folder.functions.count)])
    }

    var currentFolder: FunctionFolder { state.withLock { $0.current.folder } }
    var currentFixtures: FunctionFixtures { state.withLock { $0.current.fixtures } }
    var runnerSettings: RunnerSettings { Self.settings(options) }
    var reloadInterval: Duration { options.reloadInterval }

    /// Stops every worker once its job is done; later authentications are `overloaded`.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { s -> ([Worker], [CheckedContinuation<Worker?, Never>]) in
            s.shutDown = true
            defer { s.idle = []; s.waiters = [] }
            return (s.idle, s.waiters)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for worker in idle { worker.stop() }
        watchdog.stop()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
