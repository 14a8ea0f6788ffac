import Dispatch
import NIOCore

/// The runs waiting for a worker, the answers waiting for their workers, and which workers
/// sleep. Kept under the pool's lock.
///
/// Workers take runs themselves: a worker that finishes one takes the next at once, without a
/// round trip through the caller's thread. Authentications go before triggers, which never
/// delay a reply. A worker sleeps only when it has nothing to resume and nothing it can take.
///
/// While runs are short, one job waiting is left to a worker that is awake rather than given
/// to a sleeping one: the awake worker takes it within about one run, and waking a sleeper
/// (a futex call, and a context switch in and out for a few microseconds of Lua) cost more
/// than the run. A second job waiting, or runs that are not short, wake a sleeper as before,
/// and the pool's watchdog wakes one for a job still waiting at its next tick (10 ms).
struct JobQueue {
    struct Mailbox {
        let wakeup = DispatchSemaphore(value: 0)
        var resumptions: [Resumption] = []
        var sleeping = false
        /// Woken by `add`: counted in `wakeupsOnTheWay` until it looks at the queue.
        var wokenForRun = false
    }

    // NIO's ring buffer: a job leaves it, and releases what it holds, the moment it is taken.
    private var authentications = CircularBuffer<PoolJob>()
    private var triggers = CircularBuffer<PoolJob>()
    private(set) var mailboxes: [Int: Mailbox] = [:]
    /// Sleeping workers with room for another run, most recent last.
    private var idle: [Int] = []
    /// Workers woken for a run that have not looked at the queue yet.
    private var wakeupsOnTheWay = 0

    /// Authentications that no worker is on its way to take.
    var waitingCount: Int { max(0, authentications.count - wakeupsOnTheWay) }
    /// Authentications no worker has taken yet, including those a woken worker is about to take.
    var untakenCount: Int { authentications.count }
    /// Runs workers have taken since the pool started (tests wait on it).
    private(set) var takenCount = 0
    var queuedTriggerCount: Int { triggers.count }
    var hasIdleWorker: Bool { !idle.isEmpty }
    /// A worker is not asleep: in a run, or woken and on its way to the queue.
    private var hasAwakeWorker: Bool { mailboxes.values.contains { !$0.sleeping } }

    mutating func addWorker(_ id: Int) { mailboxes[id] = Mailbox() }

    mutating func removeWorker(_ id: Int) {
        if mailboxes[id]?.wokenForRun == true { wakeupsOnTheWay -= 1 }
        mailboxes[id] = nil
        idle.removeAll { $0 == id }
    }

    /// Queues a run; the semaphore of a sleeping worker to signal for it, if any. With
    /// `shortRuns`, a single waiting job is left to a worker that is awake.
    mutating func add(_ job: PoolJob, isTrigger: Bool, shortRuns: Bool) -> DispatchSemaphore? {
        if isTrigger { triggers.append(job) } else { authentications.append(job) }
        if shortRuns, authentications.count + triggers.count - wakeupsOnTheWay <= 1, hasAwakeWorker { return nil }
        return wakeIdleWorker()
    }

    /// Wakes a sleeping worker with room for a job that waits (the watchdog's backstop for a
    /// job left to an awake worker whose run turned out long); its semaphore to signal.
    mutating func wakeIdleWorkerIfJobsWait() -> DispatchSemaphore? {
        guard authentications.count + triggers.count > wakeupsOnTheWay else { return nil }
        return wakeIdleWorker()
    }

    private mutating func wakeIdleWorker() -> DispatchSemaphore? {
        guard let id = idle.popLast() else { return nil }
        mailboxes[id]?.sleeping = false
        mailboxes[id]?.wokenForRun = true
        wakeupsOnTheWay += 1
        return mailboxes[id]?.wakeup
    }

    /// Hands an answer to its worker; the semaphore to signal when that worker sleeps.
    mutating func deliver(_ resumption: Resumption, to worker: Int) -> DispatchSemaphore? {
        guard mailboxes[worker] != nil else { return nil }
        mailboxes[worker]!.resumptions.append(resumption)
        guard mailboxes[worker]!.sleeping else { return nil }
        mailboxes[worker]!.sleeping = false
        if let index = idle.firstIndex(of: worker) {
            idle.remove(at: index)
        }
        return mailboxes[worker]!.wakeup
    }

    /// The next thing for `worker` to do; `hasRoom` says whether it may start another run.
    mutating func next(for worker: Int, hasRoom: Bool) -> WorkerAction {
        guard mailboxes[worker] != nil else { return .exit }
        if mailboxes[worker]!.wokenForRun {
            mailboxes[worker]!.wokenForRun = false
            wakeupsOnTheWay -= 1
        }
        if !mailboxes[worker]!.resumptions.isEmpty {
            defer { mailboxes[worker]!.resumptions.removeAll(keepingCapacity: true) }
            return .resume(mailboxes[worker]!.resumptions)
        }
        if hasRoom {
            if let job = authentications.popFirst() ?? triggers.popFirst() {
                takenCount += 1
                return .start(job)
            }
            idle.append(worker)
        }
        mailboxes[worker]!.sleeping = true
        return .sleep(mailboxes[worker]!.wakeup)
    }

    /// Empties the queues (shutdown) and returns the runs that never started.
    mutating func removeAll() -> [PoolJob] {
        var dropped: [PoolJob] = []
        while let job = authentications.popFirst() { dropped.append(job) }
        while let job = triggers.popFirst() { dropped.append(job) }
        return dropped
    }

    /// Every sleeping worker's semaphore, for shutdown.
    mutating func wakeAll() -> [DispatchSemaphore] {
        idle.removeAll()
        var semaphores: [DispatchSemaphore] = []
        for (id, mailbox) in mailboxes where mailbox.sleeping {
            mailboxes[id]!.sleeping = false
            semaphores.append(mailbox.wakeup)
        }
        return semaphores
    }
}
