import Dispatch
import GRDB
import Logging
import Synchronization

/// Runs the store's writes in shared transactions (group commit).
///
/// A transaction's fixed cost (taking the write lock, the WAL commit, GRDB's hop to its writer
/// queue) dwarfs the few rows one start writes. So writes queue up here, and whatever queued while
/// one transaction was committing goes into the next: one transaction when the gateway is idle,
/// dozens under load, with no timer and no added wait.
///
/// Three kinds of work:
/// - `perform`: the caller waits until its write has committed and gets the body's result.
/// - `enqueue`: the caller goes on at once; the write lands in the next transaction, in queue order
///   with every other write. A failure is logged. `perform { _ in }` waits for all of them.
/// - the `ledger`'s notes (session bookkeeping), which callers make on the ledger itself and
///   announce with `noted()`: every transaction writes them after its queued writes (`lastSeen`
///   only once due, or along with an awaited write), and a timer starts one for `lastSeen`
///   notes left alone.
///
/// A body that throws spoils only itself: its batch is rolled back and each of its writes is run
/// again in a transaction of its own, so bodies must depend on nothing but the database. Notes
/// whose own writing fails are logged and dropped.
final class WriteBatcher: Sendable {
    private let writer: any DatabaseWriter
    private let logger: Logger
    private let ledger: HistoryLedger?
    private let queue = Mutex(Queue())
    /// Whether a drain runs or a linger timer is set (`draining || lingering`), readable without
    /// the lock: `noted()` runs three times per session, and then it nearly always is.
    /// Cleared before the queue and the ledger are looked at for the last time, so that a note
    /// made after that look finds it clear and arms a timer itself.
    private let armed = Atomic<Bool>(false)
    private let transactions = Atomic<Int>(0)

    /// How many transactions have committed; with `writesCommitted`, how well writes are batched.
    var transactionsCommitted: Int { transactions.load(ordering: .relaxed) }

    /// Writes waiting for the next transaction.
    var queuedCount: Int { queue.withLock { $0.writes.count } }

    private struct Queue {
        var writes: [any BatchedWrite] = []
        /// A drain is running (or scheduled) on GRDB's writer: new writes only need to be queued.
        var draining = false
        /// Queued writes and notes alone wait for this timer to start a drain.
        var lingering = false
        /// A timer is set for `lastSeen` notes that are not due yet (the only notes left).
        var waitingForLastSeen = false
    }

    /// How long bookkeeping nobody waits for (queued writes, the ledger's notes) gathers before a
    /// transaction starts for it, from idle and between transactions alike. A write someone
    /// awaits starts one at once and takes it along. The longer the gathering, the more of a
    /// short session's end folds into its row's INSERT instead of updating it afterwards.
    /// (`lastSeen` notes have a wait of their own, the ledger's `lastSeenInterval`.)
    let linger: Duration

    init(writer: any DatabaseWriter, logger: Logger, ledger: HistoryLedger? = nil, linger: Duration = .milliseconds(2)) {
        self.writer = writer
        self.logger = logger
        self.ledger = ledger
        self.linger = linger
    }

    /// Runs `body` in the next transaction and returns its result once that transaction committed.
    /// Not cancellable: a write that started is finished, so the database never depends on a
    /// client staying connected.
    ///
    /// `afterCommit` runs on GRDB's writer right after the commit, before the caller resumes, in
    /// commit order with every other write's: what mirrors the database (a cache) is updated there.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T,
        afterCommit: @escaping @Sendable (T) -> Void = { _ in }
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(AwaitedWrite(body: body, afterCommit: afterCommit, continuation: continuation))
        }
    }

    /// Queues `body` for the next transaction without waiting for it. `what` names it in the log
    /// if it fails.
    func enqueue(_ what: String, _ body: @escaping @Sendable (Database) throws -> Void) {
        submit(QueuedWrite(what: what, body: body, logger: logger))
    }

    /// Says that notes were added to the ledger: a transaction will write them within `linger`.
    func noted() {
        if armed.load(ordering: .sequentiallyConsistent) { return }
        let next = queue.withLock { queue -> Next in
            if queue.draining || queue.lingering { return .nothing }
            queue.lingering = true
            armed.store(true, ordering: .sequentiallyConsistent)
            return .linger
        }
        act(on: next)
    }

    /// What to start once the queue's lock is let go.
    private enum Next {
        case nothing
        /// A drain on GRDB's writer, taking what is queued at once.
        case drain
        /// The linger timer; the drain follows it.
        case linger
        /// The `lastSeen` timer, for notes that are not due yet.
        case waitForLastSeen(Duration)
    }

    private func act(on next: Next) {
        switch next {
        case .nothing: break
        case .drain: writer.asyncWriteWithoutTransaction { db in self.drain(db) }
        case .linger: after(linger) { self.lingerEnded() }
        case .waitForLastSeen(let delay): after(delay) { self.lastSeenDue() }
        }
    }

    private func submit(_ write: any BatchedWrite) {
        let next = queue.withLock { queue -> Next in
            queue.writes.append(write)
            if queue.draining { return .nothing }
            if write.isAwaited || linger == .zero {
                queue.draining = true
                armed.store(true, ordering: .sequentiallyConsistent)
                return .drain
            }
            if queue.lingering { return .nothing }
            queue.lingering = true
            armed.store(true, ordering: .sequentiallyConsistent)
            return .linger
        }
        act(on: next)
    }

    private func after(_ delay: Duration, _ body: @escaping @Sendable () -> Void) {
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds)), execute: body)
    }

    private func lingerEnded() {
        let next = queue.withLock { queue -> Next in
            queue.lingering = false
            // A running drain leaves armed set and looks at the notes when it ends.
            guard !queue.draining else { return .nothing }
            armed.store(false, ordering: .sequentiallyConsistent)
            return startDrainIfReady(&queue)
        }
        act(on: next)
    }

    /// The `lastSeen` timer: by now the notes it waited for are due, unless a drain took them.
    private func lastSeenDue() {
        let next = queue.withLock { queue -> Next in
            queue.waitingForLastSeen = false
            // A drain or a linger under way looks at the notes when it ends.
            guard !queue.draining, !queue.lingering else { return .nothing }
            return startDrainIfReady(&queue)
        }
        act(on: next)
    }

    /// Under the queue's lock, with no drain or linger under way: starts a drain when writes are
    /// queued or notes are ready, or says how long the `lastSeen` notes still wait.
    private func startDrainIfReady(_ queue: inout Queue) -> Next {
        let readiness = ledger?.readiness() ?? .nothing
        guard queue.writes.isEmpty, readiness != .now else {
            queue.draining = true
            armed.store(true, ordering: .sequentiallyConsistent)
            return .drain
        }
        return waitForLastSeen(readiness, &queue)
    }

    private func waitForLastSeen(_ readiness: HistoryLedger.Readiness, _ queue: inout Queue) -> Next {
        guard case .after(let delay) = readiness, !queue.waitingForLastSeen else { return .nothing }
        queue.waitingForLastSeen = true
        return .waitForLastSeen(delay)
    }

    /// Commits batches until no awaited write is queued, then leaves what is left (queued writes,
    /// notes) to gather for `linger`. What is queued when it starts goes at once: a drain starts
    /// for an awaited write, or when what was queued has lingered already.
    /// Runs on GRDB's writer, which it holds meanwhile.
    private func drain(_ db: Database) {
        var gathered = true
        while true {
            var afterDrain = Next.nothing
            let batch = queue.withLock { queue -> [any BatchedWrite]? in
                guard gathered || linger == .zero || queue.writes.contains(where: \.isAwaited) else {
                    queue.draining = false
                    afterDrain = armLingerIfPending(&queue)
                    return nil
                }
                let batch = queue.writes
                queue.writes.removeAll(keepingCapacity: true)
                if batch.isEmpty && ledger?.readiness() != .now {
                    queue.draining = false
                    afterDrain = armLingerIfPending(&queue)
                    return nil
                }
                return batch
            }
            guard let batch else { return act(on: afterDrain) }
            // A write someone awaits carries every note made before it, the `lastSeen` ones too.
            commit(batch, notes: ledger?.take(all: batch.contains(where: \.isAwaited)), db)
            gathered = false
        }
    }

    /// After a drain stopped: clears `armed`, then looks at what is left: a linger for queued
    /// writes and ready notes, a longer wait for `lastSeen` notes that are not due. Under the
    /// queue's lock.
    private func armLingerIfPending(_ queue: inout Queue) -> Next {
        if queue.lingering { return .nothing }
        armed.store(false, ordering: .sequentiallyConsistent)
        let readiness = ledger?.readiness() ?? .nothing
        guard queue.writes.isEmpty, readiness != .now else {
            queue.lingering = true
            armed.store(true, ordering: .sequentiallyConsistent)
            return .linger
        }
        return waitForLastSeen(readiness, &queue)
    }

    private func commit(_ batch: [any BatchedWrite], notes: HistoryLedger.Notes?, _ db: Database) {
        do {
            try db.inTransaction(.immediate) {
                for write in batch { try write.run(db) }
                if let notes, let ledger { try ledger.write(notes, db) }
                return .commit
            }
            transactions.add(1, ordering: .relaxed)
            for write in batch { write.committed() }
        } catch {
            guard batch.count + (notes == nil ? 0 : 1) > 1, !Self.isSystemic(error) else {
                for write in batch { write.failed(error) }
                if notes != nil { notesFailed(error) }
                return
            }
            // Rolled back: find the write at fault by giving each its own transaction, and the
            // notes one of theirs.
            for write in batch { commit([write], notes: nil, db) }
            if let notes { commit([], notes: notes, db) }
        }
    }

    private func notesFailed(_ error: any Error) {
        logger.error("writing the session history failed", metadata: ["error": "\(error)"])
    }

    /// An error no single write caused (the database locked by another process past the busy
    /// timeout, a full disk, an I/O error): retrying write by write would only repeat it.
    private static func isSystemic(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY: return true
        default: return false
        }
    }
}

/// One write of a batch. `run` may be called again after a rollback; exactly one of `committed`
/// and `failed` is called at the end.
private protocol BatchedWrite: Sendable {
    /// Someone waits for this write's commit: it starts a drain at once.
    var isAwaited: Bool { get }
    func run(_ db: Database) throws
    func committed()
    func failed(_ error: any Error)
}

private final class AwaitedWrite<T: Sendable>: BatchedWrite, @unchecked Sendable {
    // @unchecked: `result` is only touched on GRDB's writer, by one drain at a time.
    private let body: @Sendable (Database) throws -> T
    private let afterCommit: @Sendable (T) -> Void
    private let continuation: CheckedContinuation<T, any Error>
    private var result: T?

    init(
        body: @escaping @Sendable (Database) throws -> T,
        afterCommit: @escaping @Sendable (T) -> Void,
        continuation: CheckedContinuation<T, any Error>
    ) {
        self.body = body
        self.afterCommit = afterCommit
        self.continuation = continuation
    }

    var isAwaited: Bool { true }

    func run(_ db: Database) throws { result = try body(db) }

    func committed() {
        afterCommit(result!)
        continuation.resume(returning: result!)
    }

    func failed(_ error: any Error) { continuation.resume(throwing: error) }
}

private struct QueuedWrite: BatchedWrite {
    let what: String
    let body: @Sendable (Database) throws -> Void
    let logger: Logger

    var isAwaited: Bool { false }

    func run(_ db: Database) throws { try body(db) }

    func committed() {}

    func failed(_ error: any Error) {
        logger.error("a queued store write failed", metadata: ["write": "\(what)", "error": "\(error)"])
    }
}
