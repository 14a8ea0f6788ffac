import Foundation
import GRDB
import Synchronization
import Testing
@testable import SessionCore

/// Group commit on a real SQLite file: what queues while the writer is busy shares one transaction,
/// a failing write spoils only itself, queued writes keep their order.
@Suite struct WriteBatcherTests {
    let directory: TemporaryDirectory
    let pool: DatabasePool
    let batcher: WriteBatcher

    init() throws {
        directory = try TemporaryDirectory()
        pool = try DatabasePool(path: directory.file("batch.sqlite"))
        try pool.write { db in try db.execute(sql: "CREATE TABLE items (n INTEGER PRIMARY KEY)") }
        batcher = WriteBatcher(writer: pool, logger: quietLogger)
    }

    @Test func writesQueuedWhileTheWriterIsBusyCommitInOneTransaction() async throws {
        let writerHeld = holdWriter()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 1...50 {
                group.addTask {
                    try await batcher.perform { db in
                        try db.execute(sql: "INSERT INTO items (n) VALUES (?)", arguments: [n])
                        return n * 10
                    }
                }
            }
            try await waitUntil { batcher.queuedCount == 50 }
            writerHeld.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == (1...50).map { $0 * 10 })
        #expect(batcher.transactionsCommitted == 1)
        #expect(try count() == 50)
    }

    @Test func aFailingWriteIsRolledBackAloneAndTheOthersCommit() async throws {
        struct Refused: Error {}
        let writerHeld = holdWriter()
        async let first = batcher.perform { db in try db.execute(sql: "INSERT INTO items (n) VALUES (1)") }
        try await waitUntil { batcher.queuedCount == 1 }
        let failing = Task {
            try await batcher.perform { db in
                // Writes, then fails: its row must not survive.
                try db.execute(sql: "INSERT INTO items (n) VALUES (2)")
                throw Refused()
            }
        }
        try await waitUntil { batcher.queuedCount == 2 }
        async let third = batcher.perform { db in try db.execute(sql: "INSERT INTO items (n) VALUES (3)") }
        try await waitUntil { batcher.queuedCount == 3 }
        writerHeld.release()

        try await first
        await #expect(throws: Refused.self) { try await failing.value }
        try await third
        #expect(try await pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM items ORDER BY n") } == [1, 3])
    }

    @Test func afterCommitRunsInCommitOrderOnlyForWritesThatCommitted() async throws {
        struct Refused: Error {}
        final class Seen: Sendable { let order = Mutex<[Int]>([]) }
        let seen = Seen()
        let writerHeld = holdWriter()
        let results = try await withThrowingTaskGroup(of: Int?.self) { group in
            for n in 1...20 {
                group.addTask {
                    do {
                        return try await batcher.perform({ db in
                            try db.execute(sql: "INSERT INTO items (n) VALUES (?)", arguments: [n])
                            if n % 5 == 0 { throw Refused() }
                            return n
                        }, afterCommit: { n in seen.order.withLock { $0.append(n) } })
                    } catch is Refused {
                        return nil
                    }
                }
                // One at a time into the queue, so that queue order is 1...20.
                try await waitUntil { batcher.queuedCount == n }
            }
            writerHeld.release()
            return try await group.reduce(into: [Int]()) { if let n = $1 { $0.append(n) } }
        }
        let committed = (1...20).filter { $0 % 5 != 0 }
        #expect(results.sorted() == committed)
        #expect(seen.order.withLock { $0 } == committed, "in commit order, and never for a write that was rolled back")
    }

    @Test func queuedWritesLandInOrderBeforeALaterAwaitedWrite() async throws {
        for n in 1...100 {
            batcher.enqueue("item \(n)") { db in
                // Each write depends on the one before: out of order, the chain breaks.
                let last = try Int.fetchOne(db, sql: "SELECT MAX(n) FROM items") ?? 0
                try db.execute(sql: "INSERT INTO items (n) VALUES (?)", arguments: [last + 1])
            }
        }
        try await batcher.perform { _ in }
        #expect(try await pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM items ORDER BY n") } == Array(1...100))
    }

    @Test func aQueuedWriteThatFailsIsLoggedAndTheNextOnesStillLand() async throws {
        let logged = CapturedLogs()
        let batcher = WriteBatcher(writer: pool, logger: logged.logger)
        batcher.enqueue("duplicate") { db in
            try db.execute(sql: "INSERT INTO items (n) VALUES (7)")
            try db.execute(sql: "INSERT INTO items (n) VALUES (7)")
        }
        batcher.enqueue("fine") { db in try db.execute(sql: "INSERT INTO items (n) VALUES (8)") }
        try await batcher.perform { _ in }
        #expect(try await pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM items") } == [8])
        let errors = logged.lines.filter { $0.level == .error }
        #expect(errors.map(\.message) == ["a queued store write failed"])
        #expect(errors.first?.metadata["write"] == "duplicate")
    }

    @Test func aLockedDatabaseFailsTheWholeBatchAtOnceAndTheNextWriteWorks() async throws {
        // Another connection holds the write lock; the batcher's pool waits up to 1 s for it.
        var unsafe = GRDB.Configuration()
        unsafe.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: directory.file("batch.sqlite"), configuration: unsafe)
        var patient = GRDB.Configuration()
        patient.busyMode = .timeout(1)
        let pool = try DatabasePool(path: directory.file("batch.sqlite"), configuration: patient)
        let batcher = WriteBatcher(writer: pool, logger: quietLogger)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }

        let writerHeld = Gate()
        pool.asyncWriteWithoutTransaction { _ in writerHeld.wait() }
        let writes = (1...3).map { (n: Int) in
            Task { try await batcher.perform { db in try db.execute(sql: "INSERT INTO items (n) VALUES (?)", arguments: [n]) } }
        }
        try await waitUntil { batcher.queuedCount == 3 }
        let released = ContinuousClock.now
        writerHeld.release()
        for write in writes {
            await #expect(throws: DatabaseError.self) { try await write.value }
        }
        // One wait for the lock, not one per write (which would take 4 s).
        #expect(ContinuousClock.now - released < .seconds(3))
        #expect(batcher.transactionsCommitted == 0)

        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try await batcher.perform { db in try db.execute(sql: "INSERT INTO items (n) VALUES (4)") }
        #expect(try count() == 1)
    }

    @Test func queuedWritesAloneWaitForCompanyThenCommitTogether() async throws {
        let lingering = WriteBatcher(writer: pool, logger: quietLogger, linger: .milliseconds(200))
        for n in 1...20 {
            lingering.enqueue("item \(n)") { db in try db.execute(sql: "INSERT INTO items (n) VALUES (?)", arguments: [n]) }
        }
        // Nobody waits for them: nothing is committed before the linger ends ...
        #expect(try count() == 0)
        #expect(lingering.transactionsCommitted == 0)
        // ... and then all of them are, in one transaction, without anyone asking.
        try await waitUntil { (try? count()) == 20 }
        #expect(lingering.transactionsCommitted == 1)
    }

    @Test func anAwaitedWriteTakesTheLingeringOnesAlongAtOnce() async throws {
        let lingering = WriteBatcher(writer: pool, logger: quietLogger, linger: .seconds(60))
        lingering.enqueue("queued") { db in try db.execute(sql: "INSERT INTO items (n) VALUES (1)") }
        try await lingering.perform { db in try db.execute(sql: "INSERT INTO items (n) VALUES (2)") }
        #expect(try count() == 2)
        #expect(lingering.transactionsCommitted == 1)
    }

    /// Occupies GRDB's writer until `release()`, as a long transaction would.
    private func holdWriter() -> Gate {
        let gate = Gate()
        pool.asyncWriteWithoutTransaction { _ in gate.wait() }
        return gate
    }

    private func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") ?? 0 }
    }
}

/// Polls `condition` every millisecond for up to 5 s.
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<5_000 where !condition() {
        try await Task.sleep(for: .milliseconds(1))
    }
    #expect(condition(), "condition not met within 5 s")
}

private final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func wait() { semaphore.wait() }
    func release() { semaphore.signal() }
}
