import Foundation
import Synchronization

/// One thread per pool that stops runs at their deadline and answers for jobs stuck past it.
///
/// Workers register each running job with its deadline (plus grace) and the action that
/// answers for it, and with the thread to interrupt at the deadline itself: the states run
/// without a count hook until then (`LuaDeadlineChecks.afterInterrupt`). The watchdog scans
/// every 10 ms. A per-call timer would cost a timer allocation and a later firing for every
/// authentication.
final class Watchdog: Sendable {
    struct Entry: Sendable {
        var deadline: Int64
        var interrupt: Interrupt?
        var expiry: Expiry
    }

    /// What answers for a job past its deadline. Data rather than a closure: every run registers
    /// one, and a closure's captures were an allocation each time.
    enum Expiry: Sendable {
        /// A worker still inside its run: it is retired and replaced, and the run (in `file`)
        /// answers `function_timeout`.
        case stuckWorker(PoolWorker.Flags, RunAnswer, file: String, pool: FunctionPool, workerID: Int)
        /// A run waiting on a backend past its budget answers `function_timeout`.
        case waitingRun(RunAnswer)

        func fire() {
            switch self {
            case .stuckWorker(let flags, let answer, let file, let pool, let workerID):
                flags.retire()
                answer(RunAnswer.Result(verdict: .timedOut, triggerOutcomes: [TriggerOutcome(file: file, result: .timeout)]))
                pool.replace(workerID)
            case .waitingRun(let answer):
                answer(RunAnswer.Result(verdict: .timedOut))
            }
        }
    }

    /// The OS thread running a job's Lua code, interrupted once at `deadline`.
    struct Interrupt: @unchecked Sendable {
        var deadline: Int64
        var thread: pthread_t
    }

    private let entries = Mutex<(jobs: [UInt64: Entry], stopped: Bool)>(([:], false))
    static let period: Duration = .milliseconds(10)

    init() {
        Thread.detachNewThread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: 0.010)
                guard let self else { return }
                let now = sg_now()
                let (due, stopped) = self.entries.withLock { state -> ([Entry], Bool) in
                    for (key, entry) in state.jobs {
                        guard let interrupt = entry.interrupt, interrupt.deadline <= now else { continue }
                        // Under the lock: the worker removes its entry before its thread can end.
                        LuaInterrupt.send(to: interrupt.thread)
                        state.jobs[key]?.interrupt = nil
                    }
                    let due = state.jobs.filter { $0.value.deadline <= now }
                    for key in due.keys { state.jobs[key] = nil }
                    return (Array(due.values), state.stopped)
                }
                for entry in due { entry.expiry.fire() }
                if stopped { return }
            }
        }
    }

    func watch(_ job: UInt64, deadline: Int64, interrupt: Interrupt? = nil, expiry: Expiry) {
        entries.withLock { $0.jobs[job] = Entry(deadline: deadline, interrupt: interrupt, expiry: expiry) }
    }

    func finished(_ job: UInt64) {
        _ = entries.withLock { $0.jobs.removeValue(forKey: job) }
    }

    func stop() { entries.withLock { $0.stopped = true } }
}

import LuaRuntime
@inline(__always) private func sg_now() -> Int64 { LuaClock.nowNanoseconds }
