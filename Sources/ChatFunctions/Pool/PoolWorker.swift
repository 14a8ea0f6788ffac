import Foundation
import Logging
import LuaRuntime
import Synchronization

/// One worker thread of a pool: its Lua state, the runs waiting in that state, and its loop.
///
/// A run that calls `http` yields; the worker sends the request and goes on with other runs,
/// and the answer comes back through the worker's mailbox, so a run waiting on a backend holds
/// no thread. Everything here belongs to the worker's thread except `flags`.
final class PoolWorker: ChainRunDeadlineObserver {
    /// What the watchdog may change from its own thread.
    final class Flags: Sendable {
        private let retiredFlag = Atomic<Bool>(false)
        var isRetired: Bool { retiredFlag.load(ordering: .acquiring) }
        func retire() { retiredFlag.store(true, ordering: .releasing) }
    }

    let id: Int
    let pool: FunctionPool
    let flags: Flags
    /// This worker's slot in the watchdog.
    private let watch: Watchdog.WorkerWatch
    private var runner: FunctionRunner?
    private var setGeneration = -1
    private var fixturesGeneration = -1
    /// Jobs this worker has started (every eighth is timed for the pool's average).
    private var startedJobs = 0
    /// The pool's change count when the runner last matched its set and fixtures.
    private var seenChanges = -1
    private var runs: [UInt64: (run: ChainRun, answer: RunAnswer)] = [:]
    /// The answer of the run this worker is inside (`execute`).
    private var executing: RunAnswer?
    /// This worker's OS thread, which the watchdog interrupts at a run's deadline.
    private var thread: pthread_t?

    init(id: Int, pool: FunctionPool) {
        self.id = id
        self.pool = pool
        let flags = Flags()
        self.flags = flags
        watch = pool.watchdog.addWorker { [weak pool] answer, file in
            flags.retire()
            answer(RunAnswer.Result(verdict: .timedOut, triggerOutcomes: [TriggerOutcome(file: file, result: .timeout)]))
            pool?.replace(id)
        }
    }

    /// Builds the state before the first run (so that no authentication pays for it), then
    /// runs until the pool shuts down or the watchdog retires this worker.
    func loop() {
        defer { pool.watchdog.removeWorker(watch) }
        thread = LuaInterrupt.receiveOnCurrentThread()
        _ = prepare()
        while !flags.isRetired {
            switch pool.nextAction(for: id, hasRoom: runs.count < pool.options.runsPerWorker) {
            case .exit:
                stop()
                return
            case .sleep(let wakeup):
                wakeup.wait()
            case .start(let job):
                // Timed with the answer and what its caller does on this thread (a start's
                // store steps): how soon this worker can take the next job. One job in eight:
                // two clock reads per job were a measurable part of a short run.
                startedJobs &+= 1
                guard startedJobs & 7 == 0 else {
                    start(job)
                    continue
                }
                let began = LuaClock.nowNanoseconds
                start(job)
                pool.noteRunTime(Int(LuaClock.nowNanoseconds - began))
            case .resume(let resumptions):
                for resumption in resumptions { resume(resumption) }
            }
        }
        // Retired by the watchdog and back from the call it was stuck in: what still waits here
        // has lost its mailbox.
        stop()
    }

    // MARK: Runs

    private func start(_ job: PoolJob) {
        if let failure = prepare() {
            job.answer(RunAnswer.Result(verdict: failure))
            return
        }
        // Made after `prepare`, which may build a state: the budget starts here.
        let run = ChainRun(id: pool.makeRunID(), kind: job.kind, budget: pool.options.timeout)
        runs[run.id] = (run, job.answer)
        let runner = self.runner!
        execute(run, job.answer) { runner.begin(run) }
    }

    private func resume(_ resumption: Resumption) {
        guard let (run, answer) = runs[resumption.runID] else { return }
        pool.watchdog.finishedWaiting(run.id)
        guard let runner = run.runner, !answer.isAnswered else {
            // The watchdog answered while the run waited: nobody wants the rest.
            run.runner?.abandon(run)
            runs[run.id] = nil
            return
        }
        let budgetOver = LuaClock.nowNanoseconds >= run.deadline.nanoseconds
            || (run.outgoingEndsWithBudget && resumption.result == .failure(ScriptHTTPResult.timeoutMessage))
        execute(run, answer) {
            budgetOver ? runner.giveUp(run, because: .timeout) : runner.resume(run, with: resumption.result)
        }
    }

    /// Runs `body` (which starts or resumes `run`) under the watchdog, then acts on where the run stands.
    private func execute(_ run: ChainRun, _ answer: RunAnswer, _ body: () -> ChainRunProgress) {
        executing = answer
        run.deadlineObserver = self
        budgetStarted(run, deadline: run.deadline)
        let progress = body()
        watch.finished()
        run.deadlineObserver = nil
        executing = nil
        // Too late: the watchdog answered and a new worker has taken this one's place.
        guard !flags.isRetired else { return }
        switch progress {
        case .finished(let verdict):
            runs[run.id] = nil
            answer(RunAnswer.Result(verdict: verdict, triggerOutcomes: run.triggerOutcomes, decidingFile: run.currentFile))
            if runner?.isUsable == false {
                // Rebuilt now, after the answer, before this worker takes another run.
                _ = prepare(force: true)
            }
        case .waiting:
            guard let request = run.outgoing else { return }
            if case .authentication = run.kind {
                // A backstop: the request's own timeout ends with the budget and resumes the run.
                pool.watchdog.watchWaiting(run.id, deadline: run.deadline.nanoseconds &+ pool.options.stuckGrace.nanoseconds,
                                           answer: answer)
            }
            pool.send(request, runID: run.id, worker: id)
        case .needsFreshState:
            if let failure = prepare(force: true) {
                runs[run.id] = nil
                answer(RunAnswer.Result(verdict: failure, triggerOutcomes: run.triggerOutcomes))
                return
            }
            let runner = self.runner!
            execute(run, answer) { runner.begin(run) }
        }
    }

    /// The watchdog follows the budget of the run this worker executes: at the deadline it
    /// interrupts this thread, and past the grace it answers for the run and replaces the worker.
    func budgetStarted(_ run: ChainRun, deadline: LuaDeadline) {
        guard let answer = executing else { return }
        let interrupt = thread.map { Watchdog.Interrupt(deadline: deadline.nanoseconds, thread: $0) }
        watch.watch(
            deadline: deadline.nanoseconds &+ pool.options.stuckGrace.nanoseconds, interrupt: interrupt, answer: answer,
            file: run.currentFile
        )
    }

    /// Shutdown: runs still waiting on a backend get no verdict from their functions.
    private func stop() {
        for (run, answer) in runs.values {
            pool.watchdog.finishedWaiting(run.id)
            run.runner?.abandon(run)
            answer(RunAnswer.Result(verdict: .overloaded, triggerOutcomes: run.triggerOutcomes, dropped: true))
        }
        runs = [:]
    }

    // MARK: State

    /// Makes the runner match the current set and fixtures; a verdict when that fails.
    /// A runner replaced here lives on in the runs that still wait in it.
    private func prepare(force: Bool = false) -> Verdict? {
        let changes = pool.currentChangeCount
        if !force, changes == seenChanges, runner?.isUsable == true { return nil }
        let current = pool.currentSet
        let settings = pool.runnerSettings
        if force || runner == nil || runner?.isUsable == false || setGeneration != current.setGeneration {
            runner = nil
            do {
                runner = try FunctionRunner(folder: current.folder, settings: settings, fixtures: current.fixtures)
                setGeneration = current.setGeneration
                fixturesGeneration = current.fixturesGeneration
            } catch {
                pool.logger.error("cannot build a Lua state for the functions", metadata: ["problems": .string(error.description)])
                return .functionError(FunctionFailure(file: current.folder.path, message: error.description))
            }
        }
        if fixturesGeneration != current.fixturesGeneration {
            do {
                try runner!.apply(current.fixtures)
                fixturesGeneration = current.fixturesGeneration
            } catch {
                runner = nil
                return .functionError(FunctionFailure(file: current.folder.path, message: "cannot apply fixtures: \(error)"))
            }
        }
        seenChanges = changes
        return nil
    }
}
