import Foundation
import LuaRuntime
import Synchronization

/// One thread per pool that stops runs at their deadline and answers for jobs stuck past it.
///
/// Each worker has a slot (`WorkerWatch`) where it puts the run it is inside, with its deadline
/// (plus grace), its answer and the thread to interrupt at the deadline itself: the states run
/// without a count hook until then (`LuaDeadlineChecks.afterInterrupt`). Runs waiting on a
/// backend are watched by id. The watchdog scans every 10 ms. A per-call timer would cost a
/// timer allocation and a later firing for every authentication; a shared table of runs cost a
/// lookup, a contended lock and the retains of what answers for each run.
final class Watchdog: Sendable {
    /// The OS thread running a job's Lua code, interrupted once at `deadline`.
    struct Interrupt: @unchecked Sendable {
        var deadline: Int64
        var thread: pthread_t
    }

    /// A worker's slot: the run it is inside, if any. Written by the worker at every run and
    /// read by the watchdog's scan, each under the slot's own lock.
    final class WorkerWatch: Sendable {
        fileprivate struct Run: Sendable {
            var deadline: Int64
            var interrupt: Interrupt?
            var answer: RunAnswer
            var file: String
        }

        fileprivate let run = Mutex<Run?>(nil)
        /// Retires the worker, answers `function_timeout` for its run (in the file it names) and
        /// replaces the worker: made once per worker.
        fileprivate let stuck: @Sendable (RunAnswer, String) -> Void

        fileprivate init(stuck: @escaping @Sendable (RunAnswer, String) -> Void) {
            self.stuck = stuck
        }

        /// The worker runs `answer`'s job in `file` until `deadline`; its thread is interrupted
        /// at `interrupt`'s deadline.
        func watch(deadline: Int64, interrupt: Interrupt?, answer: RunAnswer, file: String) {
            run.withLock { $0 = Run(deadline: deadline, interrupt: interrupt, answer: answer, file: file) }
        }

        /// Out of the run: from here the worker's thread may end, never before (the scan
        /// interrupts a thread only while its slot holds a run).
        func finished() {
            run.withLock { $0 = nil }
        }
    }

    private struct State {
        var workers: [ObjectIdentifier: WorkerWatch] = [:]
        /// Runs waiting on a backend past whose deadline the watchdog answers.
        var waiting: [UInt64: (deadline: Int64, answer: RunAnswer)] = [:]
        /// Called at every scan, after the runs (the pool's backstop for jobs left waiting).
        var tick: (@Sendable () -> Void)?
        var stopped = false
    }

    private let state = Mutex(State())
    static let period: Duration = .milliseconds(10)

    init() {
        Thread.detachNewThread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: 0.010)
                guard let self else { return }
                if self.scan() { return }
            }
        }
    }

    /// Interrupts the runs at their deadline and answers for those past their grace; true once
    /// stopped.
    private func scan() -> Bool {
        let now = LuaClock.nowNanoseconds
        var stuck: [(WorkerWatch, WorkerWatch.Run)] = []
        var expired: [RunAnswer] = []
        var tick: (@Sendable () -> Void)?
        let stopped = state.withLock { state -> Bool in
            tick = state.tick
            for watch in state.workers.values {
                watch.run.withLock { run in
                    guard var current = run else { return }
                    if let interrupt = current.interrupt, interrupt.deadline <= now {
                        // Under the slot's lock: the worker clears it before its thread can end.
                        LuaInterrupt.send(to: interrupt.thread)
                        current.interrupt = nil
                        run = current
                    }
                    if current.deadline <= now {
                        stuck.append((watch, current))
                        run = nil
                    }
                }
            }
            for (id, entry) in state.waiting where entry.deadline <= now {
                expired.append(entry.answer)
                state.waiting[id] = nil
            }
            return state.stopped
        }
        for (watch, run) in stuck { watch.stuck(run.answer, run.file) }
        for answer in expired { answer(RunAnswer.Result(verdict: .timedOut)) }
        if !stopped { tick?() }
        return stopped
    }

    /// A slot for a new worker; `stuck` acts for it when a run outlives its grace.
    func addWorker(stuck: @escaping @Sendable (RunAnswer, String) -> Void) -> WorkerWatch {
        let watch = WorkerWatch(stuck: stuck)
        state.withLock { $0.workers[ObjectIdentifier(watch)] = watch }
        return watch
    }

    /// The worker's thread is ending.
    func removeWorker(_ watch: WorkerWatch) {
        _ = state.withLock { $0.workers.removeValue(forKey: ObjectIdentifier(watch)) }
    }

    /// A run waiting on a backend: answered `function_timeout` at `deadline` unless `finished` first.
    func watchWaiting(_ run: UInt64, deadline: Int64, answer: RunAnswer) {
        state.withLock { $0.waiting[run] = (deadline, answer) }
    }

    func finishedWaiting(_ run: UInt64) {
        _ = state.withLock { $0.waiting.removeValue(forKey: run) }
    }

    /// Calls `body` at every scan.
    func onTick(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.tick = body }
    }

    func stop() { state.withLock { $0.stopped = true } }
}
