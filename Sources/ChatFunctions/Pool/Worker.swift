import Foundation

/// What a job gets on the worker thread that runs it: the worker's runner and which set and
/// fixtures it was built with, so the pool can tell when to rebuild it.
final class WorkerSlot {
    /// The worker's id, for the watchdog and the log.
    let workerID: Int
    var runner: FunctionRunner?
    var setGeneration = -1
    var fixturesGeneration = -1

    init(workerID: Int) {
        self.workerID = workerID
    }
}

/// What a job tells its worker when it returns.
enum JobOutcome {
    /// Take the next job.
    case carryOn
    /// The watchdog gave up on this job and a replacement worker took this one's place: exit.
    case retire
}

/// One queued call.
struct PoolJob: Sendable {
    /// Runs on a worker thread, which owns the slot: the runner never leaves that thread.
    var run: @Sendable (WorkerSlot) -> JobOutcome
    /// Answers the caller when the job will never run (the pool shut down first).
    var refuse: @Sendable () -> Void
}

/// The jobs waiting for a worker, and how many workers are free.
///
/// Workers take jobs themselves: a worker that finishes one takes the next at once, without a
/// round trip through the caller's thread, so under load no worker sits idle while a caller
/// waits to be scheduled. A worker sleeps only when no job waits.
struct JobQueue {
    private var jobs: [PoolJob] = []
    private var head = 0
    /// Workers asleep that no signal has been sent to.
    private(set) var freeWorkers = 0
    /// Signals sent to sleeping workers that have not woken up yet.
    private var wakeupsOnTheWay = 0

    /// Jobs that no worker is on its way to take.
    var waitingCount: Int { max(0, jobs.count - head - wakeupsOnTheWay) }

    /// Jobs that no worker has taken yet, including those a woken worker is about to take.
    var untakenCount: Int { jobs.count - head }

    /// Adds a job; true when a sleeping worker must be signalled for it.
    mutating func add(_ job: PoolJob) -> Bool {
        jobs.append(job)
        guard freeWorkers > 0 else { return false }
        freeWorkers -= 1
        wakeupsOnTheWay += 1
        return true
    }

    /// The next job; `nil` when there is none, and the caller goes to sleep as a free worker.
    mutating func next() -> PoolJob? {
        guard head < jobs.count else {
            freeWorkers += 1
            return nil
        }
        let job = jobs[head]
        head += 1
        if head > 64 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// A signalled worker woke up.
    mutating func wokeUp() {
        wakeupsOnTheWay -= 1
    }

    /// Empties the queue (shutdown) and returns the jobs that never ran.
    mutating func removeAll() -> [PoolJob] {
        defer { jobs = []; head = 0 }
        return Array(jobs[head...])
    }

    /// Every sleeping worker, for shutdown: the number of signals to send.
    mutating func wakeAll() -> Int {
        defer { wakeupsOnTheWay += freeWorkers; freeWorkers = 0 }
        return freeWorkers
    }
}
