import Dispatch
import Foundation
import Logging
import LuaRuntime
import Metrics
import StrictJSON
import Synchronization

/// Runs authentications and triggers on a pool of Lua states (SPEC §1 `--function-workers`).
///
/// Each state lives on a worker thread of its own (`PoolWorker`). A run is queued as a job; a
/// worker with room takes it and runs it in a task of its state. A run that calls `http` waits
/// without holding its worker: the worker sends the request and takes other runs, and resumes
/// the run when the answer arrives. When no worker has room the job waits in a bounded queue,
/// and a full queue answers `overloaded`. A state that hit a limit is rebuilt, after its caller
/// is answered, before its worker takes another run. The states run without Lua's count hook:
/// a watchdog thread interrupts a run at its budget (within 10 ms), which arms the hook, and it
/// answers `timedOut` at the budget plus 50–60 ms when a state is stuck inside C code, and
/// replaces that worker.
public final class FunctionPool: Authenticator, Sendable {
    struct Current: Sendable {
        var folder: FunctionFolder
        var setGeneration: Int
        var fixtures: FunctionFixtures
        var fixturesGeneration: Int
        var triggers: Set<TriggerName>
    }

    /// The queue and the workers' mailboxes. The function set is kept apart (`current`): it is
    /// read by every run, the queue by every submit and every worker, and one lock for both
    /// made each wait for the other.
    struct State {
        var queue = JobQueue()
        var nextWorkerID = 0
        var shutDown = false
        /// What the queue-depth gauge was last set to: it is set under this lock, and only on a
        /// change (under load the depth is 0 at nearly every start, and each set takes the
        /// metrics back end's lock).
        var gaugedDepth = -1
    }

    let options: FunctionPoolOptions
    private let state = Mutex(State())
    private let current: Mutex<Current>
    let logger: Logger
    let watchdog = Watchdog()
    let metrics: PoolMetrics
    private let runIDs = Atomic<UInt64>(0)
    /// A moving average of how long a worker stays in a run, in nanoseconds (0 before the
    /// first): whether a job is left to an awake worker (`JobQueue`).
    private let averageRunNanoseconds = Atomic<Int>(0)
    /// Runs shorter than this on average are left to an awake worker; a wake costs about as
    /// much CPU as a few microseconds of Lua, and a wait for a run this long is no slower.
    static let shortRun = 50_000
    /// Counts changes to `current` (a set installed, fixtures set): a worker whose runner is
    /// up to date with the count it last saw needs neither the lock nor a copy of the set,
    /// which every run took before.
    private let currentChanges = Atomic<Int>(0)
    private let triggersInFlight = Atomic<Int>(0)
    /// The triggers the current set defines, one bit each: every start and end asks, so it is
    /// read without the set's lock.
    private let definedTriggers = Atomic<UInt8>(0)

    /// Compiles every function of the folder once (on the calling thread) and starts the workers.
    public init(folder path: String, options: FunctionPoolOptions) throws(FunctionLoadError) {
        let folder = try FunctionFolder.read(path)
        let runner = try FunctionRunner(folder: folder, settings: Self.settings(options), fixtures: FunctionFixtures(secrets: options.secrets))
        self.options = options
        self.logger = options.logger
        metrics = PoolMetrics()
        current = Mutex(Current(folder: folder, setGeneration: 0,
                                fixtures: FunctionFixtures(secrets: options.secrets), fixturesGeneration: 0,
                                triggers: Set(TriggerName.allCases.filter(runner.defines))))
        definedTriggers.store(Self.bits(current.withLock { $0.triggers }), ordering: .releasing)
        watchdog.onTick { [weak self] in self?.wakeIdleWorkerIfJobsWait() }
        for _ in 0..<options.workers { addWorker() }
        logger.info("functions loaded", metadata: ["functions": .string(folder.version), "count": .stringConvertible(folder.functions.count)])
    }

    static func settings(_ options: FunctionPoolOptions) -> RunnerSettings {
        // The watchdog interrupts each run at its deadline, so runs go without the count hook.
        RunnerSettings(timeout: options.timeout, memoryLimit: options.memoryLimit, logger: options.logger,
                       deadlineChecks: .afterInterrupt)
    }

    public var functionCount: Int { current.withLock { $0.folder.functions.count } }
    public var version: String { current.withLock { $0.folder.version } }

    // MARK: Authenticating

    public func authenticate(_ event: AuthenticationEvent) async -> Verdict {
        await withCheckedContinuation { continuation in
            authenticate(event) { continuation.resume(returning: $0) }
        }
    }

    /// Calls `completion` exactly once: on the worker's thread as soon as the verdict is known
    /// (before a state that hit a limit is rebuilt), on the watchdog's thread when the state is
    /// stuck or the budget ends while the run waits, or on the caller's when the queue is full.
    public func authenticate(_ event: AuthenticationEvent, completion: @escaping @Sendable (Verdict) -> Void) {
        let answer = RunAnswer(verdictTo: completion, started: .now, metrics: metrics)
        if !submit(PoolJob(kind: .authentication(event), answer: answer), isTrigger: false) {
            answer(RunAnswer.Result(verdict: .overloaded))
        }
    }

    // MARK: Triggers

    /// Whether any file of the current set defines `trigger`.
    public func defines(_ trigger: TriggerName) -> Bool {
        definedTriggers.load(ordering: .acquiring) & Self.bit(trigger) != 0
    }

    private static func bit(_ trigger: TriggerName) -> UInt8 { trigger == .sessionStarted ? 1 : 2 }

    private static func bits(_ triggers: Set<TriggerName>) -> UInt8 {
        triggers.reduce(0) { $0 | bit($1) }
    }

    /// Queues `trigger` with `event`; every file's trigger runs, in file-name order, after the
    /// authentications queued before it. `completion` (optional) gets each file's outcome.
    /// False when the trigger queue is full or the pool is shut down: the trigger is dropped,
    /// logged and counted.
    @discardableResult
    public func queueTrigger(
        _ trigger: TriggerName, event: JSONObject,
        completion: (@Sendable ([TriggerOutcome]) -> Void)? = nil
    ) -> Bool {
        guard defines(trigger) else {
            completion?([])
            return true
        }
        triggersInFlight.add(1, ordering: .relaxed)
        let logger = self.logger
        let metrics = self.metrics
        let answer = RunAnswer { [self] result in
            if result.dropped {
                metrics.countTrigger(trigger, result: "dropped")
                logger.warning("trigger dropped: the pool stopped first", metadata: ["trigger": .string(trigger.rawValue)])
            }
            for outcome in result.triggerOutcomes {
                metrics.countTrigger(trigger, result: outcome.result.rawValue)
                if outcome.result != .ok {
                    logger.warning("trigger failed", metadata: [
                        "trigger": .string(trigger.rawValue), "function": .string(outcome.file),
                        "result": .string(outcome.result.rawValue), "error": .string(outcome.message ?? outcome.result.rawValue),
                    ])
                }
            }
            // What the completion queues (a session's end after its start) counts before this does not.
            completion?(result.triggerOutcomes)
            triggersInFlight.subtract(1, ordering: .relaxed)
        }
        guard submit(PoolJob(kind: .trigger(trigger, event: event), answer: answer), isTrigger: true) else {
            triggersInFlight.subtract(1, ordering: .relaxed)
            metrics.countTrigger(trigger, result: "dropped")
            logger.warning("trigger dropped: the trigger queue is full", metadata: ["trigger": .string(trigger.rawValue)])
            completion?([])
            return false
        }
        return true
    }

    /// Waits until no trigger is queued or running, for at most `limit` (SIGTERM: SPEC §3's 10 s).
    public func drainTriggers(within limit: Duration) async {
        let end = ContinuousClock.now + limit
        while triggersInFlight.load(ordering: .relaxed) > 0 && ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Queue

    /// Queues `job` for the next worker with room; false when the queue is full or the pool is shut down.
    private func submit(_ job: PoolJob, isTrigger: Bool) -> Bool {
        let limit = isTrigger ? options.triggerQueueLimit : options.queueLimit
        let metrics = self.metrics
        let average = averageRunNanoseconds.load(ordering: .relaxed)
        let shortRuns = average > 0 && average < Self.shortRun
        let (accepted, wakeup) = state.withLock { s -> (Bool, DispatchSemaphore?) in
            if s.shutDown { return (false, nil) }
            let queued = isTrigger ? s.queue.queuedTriggerCount : s.queue.waitingCount
            var outcome: (Bool, DispatchSemaphore?) = (false, nil)
            if s.queue.hasIdleWorker || queued < limit {
                outcome = (true, s.queue.add(job, isTrigger: isTrigger, shortRuns: shortRuns))
            }
            if s.gaugedDepth != s.queue.waitingCount {
                s.gaugedDepth = s.queue.waitingCount
                metrics.queueDepth.record(s.gaugedDepth)
            }
            return outcome
        }
        wakeup?.signal()
        return accepted
    }

    func nextAction(for worker: Int, hasRoom: Bool) -> WorkerAction {
        state.withLock { s in
            s.shutDown ? .exit : s.queue.next(for: worker, hasRoom: hasRoom)
        }
    }

    func makeRunID() -> UInt64 { runIDs.add(1, ordering: .relaxed).newValue }

    /// A worker spent `nanoseconds` in a run (one step of it, for a run that waits on `http`).
    /// Updated without a lock: racing workers may lose a sample, which an average can spare.
    func noteRunTime(_ nanoseconds: Int) {
        let average = averageRunNanoseconds.load(ordering: .relaxed)
        let next = average == 0 ? max(1, nanoseconds) : average + (nanoseconds - average) / 8
        averageRunNanoseconds.store(next, ordering: .relaxed)
    }

    /// The watchdog's tick: a job left to an awake worker whose run turned out long gets a
    /// sleeping worker now.
    func wakeIdleWorkerIfJobsWait() {
        state.withLock { $0.shutDown ? nil : $0.queue.wakeIdleWorkerIfJobsWait() }?.signal()
    }

    /// Sends a run's request and hands the answer to the worker the run waits on.
    func send(_ request: ScriptHTTPRequest, runID: UInt64, worker: Int) {
        let started = ContinuousClock.now
        let logger = self.logger
        let metrics = self.metrics
        options.http.send(request) { [self] result in
            let elapsed = ContinuousClock.now - started
            metrics.recordHTTP(result, duration: elapsed)
            // Method, URL without its query, status and time: never headers or bodies (SPEC §3).
            var metadata: Logger.Metadata = [
                "function": .string(request.file), "method": .string(request.method),
                "url": .string(request.loggableURL), "ms": .stringConvertible((elapsed.milliseconds * 10).rounded() / 10),
            ]
            switch result {
            case .response(let response): metadata["status"] = .stringConvertible(response.status)
            case .failure(let message): metadata["failure"] = .string(message)
            }
            logger.debug("http call", metadata: metadata)
            let wakeup = state.withLock { $0.queue.deliver(Resumption(runID: runID, result: result), to: worker) }
            wakeup?.signal()
        }
    }

    // MARK: Workers

    /// Starts a worker thread with a state of its own.
    private func addWorker() {
        // A replacement the watchdog asks for after shutdown has nothing left to do.
        guard let id = state.withLock({ s -> Int? in
            guard !s.shutDown else { return nil }
            s.nextWorkerID += 1
            s.queue.addWorker(s.nextWorkerID)
            return s.nextWorkerID
        }) else { return }
        let thread = Thread { [self] in PoolWorker(id: id, pool: self).loop() }
        thread.name = "sessiongate-lua-\(id)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The watchdog gave up on a stuck worker: its mailbox closes and a new worker takes its place.
    func replace(_ worker: Int) {
        logger.error("a Lua state did not stop at its deadline; replacing its worker", metadata: ["worker": .stringConvertible(worker)])
        state.withLock { $0.queue.removeWorker(worker) }
        addWorker()
    }

    // MARK: Fixtures, reload, shutdown

    /// Test fixtures: the secrets `context.secrets` shows and a frozen clock for
    /// `context.now()`, `os.time()` and `os.date()` (nil: the real clock). Applies
    /// to authentications that start after it returns.
    public func setFixtures(secrets: [String: String], frozenTime: Double?) {
        current.withLock {
            $0.fixtures = FunctionFixtures(secrets: secrets, frozenTime: frozenTime)
            $0.fixturesGeneration += 1
            currentChanges.add(1, ordering: .releasing)
        }
    }

    /// Swaps in a new, already compiled set; runs in flight finish on the old one.
    func install(_ folder: FunctionFolder, triggers: Set<TriggerName>) {
        current.withLock {
            $0.folder = folder
            $0.setGeneration += 1
            $0.triggers = triggers
            currentChanges.add(1, ordering: .releasing)
        }
        definedTriggers.store(Self.bits(triggers), ordering: .releasing)
        logger.info("functions reloaded", metadata: ["functions": .string(folder.version), "count": .stringConvertible(folder.functions.count)])
    }

    /// Calls queued that no worker has taken yet (tests wait on it instead of sleeping).
    var untakenCallCount: Int { state.withLock { $0.queue.untakenCount } }
    /// Calls and triggers workers have taken so far.
    var takenCallCount: Int { state.withLock { $0.queue.takenCount } }
    /// Workers started so far, replacements included.
    var startedWorkerCount: Int { state.withLock { $0.nextWorkerID } }

    var currentSet: Current { current.withLock { $0 } }
    /// How many times `current` has changed; read before `currentSet`, so that a change in between
    /// shows as a new count the next time.
    var currentChangeCount: Int { currentChanges.load(ordering: .acquiring) }
    var currentFolder: FunctionFolder { current.withLock { $0.folder } }
    var currentFixtures: FunctionFixtures { current.withLock { $0.fixtures } }
    var runnerSettings: RunnerSettings { Self.settings(options) }
    var reloadInterval: Duration { options.reloadInterval }

    /// Stops every worker once its job is done; calls still queued and later ones are `overloaded`.
    public func shutdown() async {
        let (dropped, sleepers) = state.withLock { s -> ([PoolJob], [DispatchSemaphore]) in
            s.shutDown = true
            return (s.queue.removeAll(), s.queue.wakeAll())
        }
        for sleeper in sleepers { sleeper.signal() }
        for job in dropped { job.answer(RunAnswer.Result(verdict: .overloaded, dropped: true)) }
        watchdog.stop()
        await options.http.shutdown()
    }
}

extension Duration {
    var milliseconds: Double { Double(nanoseconds) / 1_000_000 }

    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
