import Dispatch
import Foundation
import Logging
import LuaRuntime
import Metrics
import Synchronization

/// Runs authentications on a pool of Lua states (SPEC §1 `--function-workers`).
///
/// Each state lives on a worker thread of its own. An authentication is queued as
/// a job; a free worker takes it and runs the whole chain under one deadline, and
/// a worker that finishes takes the next job itself, so a busy pool never waits
/// for a caller's thread to be scheduled. When every worker is busy the job waits
/// in a bounded queue, and a full queue answers `overloaded`. A state that hit a
/// limit is rebuilt, after its caller is answered, before its worker takes another job. A watchdog thread answers `timedOut` at the budget plus 50–60 ms
/// even when a state is stuck inside C code, and replaces that worker.
public final class FunctionPool: Authenticator, Sendable {
    struct Current: Sendable {
        var folder: FunctionFolder
        var setGeneration: Int
        var fixtures: FunctionFixtures
        var fixturesGeneration: Int
    }

    /// The queue and the workers' bookkeeping. The function set is kept apart (`current`): it is
    /// read by every call and every start, the queue by every submit and every worker, and one
    /// lock for both made each wait for the other.
    struct State {
        var queue = JobQueue()
        var nextWorkerID = 0
        var shutDown = false
    }

    private let options: FunctionPoolOptions
    private let state = Mutex(State())
    private let current: Mutex<Current>
    private let logger: Logger
    private let duration: Metrics.Timer
    private let queueDepth: Gauge
    private let watchdog = Watchdog()
    /// Sleeping workers wait here; `JobQueue` counts who was signalled.
    private let wakeup = DispatchSemaphore(value: 0)
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
        current = Mutex(Current(folder: folder, setGeneration: 0,
                                fixtures: FunctionFixtures(secrets: options.secrets), fixturesGeneration: 0))
        for _ in 0..<options.workers { addWorker() }
        logger.info("functions loaded", metadata: ["functions": .string(folder.version), "count": .stringConvertible(folder.functions.count)])
    }

    static func settings(_ options: FunctionPoolOptions) -> RunnerSettings {
        RunnerSettings(timeout: options.timeout, memoryLimit: options.memoryLimit, logger: options.logger)
    }

    public var functionCount: Int { current.withLock { $0.folder.functions.count } }
    public var version: String { current.withLock { $0.folder.version } }

    // MARK: Authenticating

    public func authenticate(_ event: AuthenticationEvent) async -> Verdict {
        await withCheckedContinuation { continuation in
            authenticate(event) { continuation.resume(returning: $0) }
        }
    }

    /// Runs on a worker and calls `completion` on that worker's thread as soon as the verdict is
    /// known (before a state that hit a limit is rebuilt), or on the watchdog's thread when the
    /// state is stuck, or on the caller's when the queue is full. Exactly once.
    public func authenticate(_ event: AuthenticationEvent, completion: @escaping @Sendable (Verdict) -> Void) {
        let settings = Self.settings(options)
        let logger = self.logger
        let started = ContinuousClock.now
        let watchdog = self.watchdog
        let duration = self.duration
        let answered = Atomic<Bool>(false)
        let answer: @Sendable (Verdict) -> Bool = { verdict in
            guard !answered.exchange(true, ordering: .acquiringAndReleasing) else { return false }
            duration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            completion(verdict)
            return true
        }
        let run: @Sendable (WorkerSlot) -> JobOutcome = { [self] slot in
            let current = self.current.withLock { $0 }
            let deadline = LuaDeadline.after(settings.timeout)
            let workerID = slot.workerID
            watchdog.watch(workerID, deadline: deadline.nanoseconds &+ Self.watchdogGrace.nanoseconds) {
                guard answer(.timedOut) else { return }
                logger.error("a Lua state did not stop at its deadline; replacing its worker",
                             metadata: ["worker": .stringConvertible(workerID)])
                self.addWorker()
            }
            let verdict = Self.prepare(slot, current, settings, logger)
                ?? slot.runner!.authenticate(event, deadline: deadline)
            watchdog.finished(slot.workerID)
            // Too late: the watchdog answered and a new worker has taken this one's place.
            guard answer(verdict) else { return .retire }
            if slot.runner?.isUsable == false {
                // Rebuilt now, after the answer, before this worker takes another job.
                _ = Self.prepare(slot, self.current.withLock { $0 }, settings, logger, force: true)
            }
            return .carryOn
        }
        let refuse: @Sendable () -> Void = { _ = answer(.overloaded) }
        if !submit(PoolJob(run: run, refuse: refuse)) { refuse() }
    }

    /// Queues `job` for the next free worker; false (and the job dropped) when the queue is full
    /// or the pool is shut down.
    private func submit(_ job: PoolJob) -> Bool {
        let depth = options.queueLimit
        let (accepted, signal, waiting) = state.withLock { s -> (Bool, Bool, Int) in
            if s.shutDown { return (false, false, 0) }
            if s.queue.freeWorkers == 0 && s.queue.waitingCount >= depth { return (false, false, s.queue.waitingCount) }
            let signal = s.queue.add(job)
            return (true, signal, s.queue.waitingCount)
        }
        if signal { wakeup.signal() }
        queueDepth.record(waiting)
        return accepted
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

    /// Starts a worker thread with a state of its own, built before it takes its first job so
    /// that no authentication pays for it.
    private func addWorker() {
        // A replacement the watchdog asks for after shutdown has nothing left to do.
        guard let id = state.withLock({ s -> Int? in
            guard !s.shutDown else { return nil }
            s.nextWorkerID += 1
            return s.nextWorkerID
        }) else { return }
        let settings = Self.settings(options)
        let logger = self.logger
        let thread = Thread { [self] in
            let slot = WorkerSlot(workerID: id)
            _ = Self.prepare(slot, current.withLock { $0 }, settings, logger)
            runJobs(slot)
        }
        thread.name = "sessiongate-lua-\(id)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// A worker's loop: take jobs until none is left, then sleep until signalled. A worker
    /// counts as free only from its first look at the queue, once its state is built, so a
    /// queue limit of 0 never counts on a worker that cannot run yet.
    private func runJobs(_ slot: WorkerSlot) {
        while true {
            while let job = state.withLock({ s in s.shutDown ? nil : s.queue.next() }) {
                if case .retire = job.run(slot) { return }
            }
            if state.withLock({ $0.shutDown }) { return }
            wakeup.wait()
            state.withLock { $0.queue.wokeUp() }
        }
    }

    // MARK: Fixtures, reload, shutdown

    /// Test fixtures: the secrets `context.secrets` shows and a frozen clock for
    /// `context.now()`, `os.time()` and `os.date()` (nil: the real clock). Applies
    /// to authentications that start after it returns.
    public func setFixtures(secrets: [String: String], frozenTime: Double?) {
        current.withLock {
            $0.fixtures = FunctionFixtures(secrets: secrets, frozenTime: frozenTime)
            $0.fixturesGeneration += 1
        }
    }

    /// Swaps in a new, already compiled set; calls in flight finish on the old one.
    func install(_ folder: FunctionFolder) {
        current.withLock {
            $0.folder = folder
            $0.setGeneration += 1
        }
        logger.info("functions reloaded", metadata: ["functions": .string(folder.version), "count": .stringConvertible(folder.functions.count)])
    }

    /// Calls queued that no worker has taken yet (tests wait on it instead of sleeping).
    var untakenCallCount: Int { state.withLock { $0.queue.untakenCount } }

    var currentFolder: FunctionFolder { current.withLock { $0.folder } }
    var currentFixtures: FunctionFixtures { current.withLock { $0.fixtures } }
    var runnerSettings: RunnerSettings { Self.settings(options) }
    var reloadInterval: Duration { options.reloadInterval }

    /// Stops every worker once its job is done; calls still queued and later ones are `overloaded`.
    public func shutdown() async {
        let (dropped, sleepers) = state.withLock { s -> ([PoolJob], Int) in
            s.shutDown = true
            return (s.queue.removeAll(), s.queue.wakeAll())
        }
        for _ in 0..<sleepers { wakeup.signal() }
        for job in dropped { job.refuse() }
        watchdog.stop()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
