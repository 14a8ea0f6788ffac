import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL store's queued writes (session history, `lastSeen`), committed in shared
/// transactions (group commit), in queue order.
///
/// As `WriteBatcher` does for SQLite: whatever queued while one transaction was committing goes
/// into the next, so the database commits (and flushes its WAL) once per batch rather than once
/// per write. A batch of one runs as a single autocommitted statement. Nothing a client waits
/// for goes through here.
///
/// While the database cannot be reached, writes stay queued and are tried again until it
/// answers: a session that ends during an outage is in the history afterwards.
final class PostgresWriteQueue: Sendable {
    typealias Body = @Sendable (PostgresConnection, Logger) async throws -> Void

    private struct Write: Sendable {
        var what: String
        var body: Body
        /// A `lastSeen` note: the batch folds every note into one statement.
        var lastSeen: (userID: Int64, at: Date)? = nil
        /// A session end: the batch folds every end into one statement.
        var end: (sessionID: String, at: Date, reason: String)? = nil
    }

    private struct State {
        var writes: [Write] = []
        var draining = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// How long queued writes gather before they are written.
    static let linger = Duration.milliseconds(10)

    private let client: PostgresClient
    private let health: StoreHealth
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, health: StoreHealth, logger: Logger) {
        self.client = client
        self.health = health
        self.logger = logger
    }

    /// Writes waiting (for tests and shutdown logs).
    var queuedCount: Int { state.withLock { $0.writes.count } }

    /// Queues `body` for the next transaction without waiting; kept across outages. Writes run
    /// in queue order (a queued session start before its end).
    func enqueue(_ what: String, _ body: @escaping Body) {
        submit(Write(what: what, body: body))
    }

    /// Queues a session's end (and its user's `lastSeen`); the ends of one batch become one
    /// statement, after the batch's other writes. Of two ends of one session the first wins.
    func noteSessionEnd(_ sessionID: String, at date: Date, reason: String) {
        submit(Write(what: "session end", body: { _, _ in }, end: (sessionID, date, reason)))
    }

    /// Queues a user's `lastSeen`; the notes of one batch become one UPDATE, each user's latest.
    func noteLastSeen(_ date: Date, ofUserID userID: Int64) {
        submit(Write(what: "lastSeen", body: { _, _ in }, lastSeen: (userID, date)))
    }

    /// Returns once every write queued before the call has committed, or `limit` passed.
    /// - Returns: whether the queue drained in time.
    @discardableResult
    func flush(within limit: Duration) async -> Bool {
        let drained: Bool? = try? await Deadline.run(limit) {
            await withCheckedContinuation { continuation in
                let idle = self.state.withLock { state in
                    if state.writes.isEmpty && !state.draining { return true }
                    state.idleWaiters.append(continuation)
                    return false
                }
                if idle { continuation.resume() }
            }
            return true
        }
        return drained ?? false
    }

    private func submit(_ write: Write) {
        let start = state.withLock { state in
            state.writes.append(write)
            defer { state.draining = true }
            return !state.draining
        }
        if start { Task { await drain() } }
    }

    private func drain() async {
        while true {
            // Let a batch gather: each costs the server and the gateway a statement's fixed work
            // whatever its size, and nobody waits for these writes (but a flush, which goes at once).
            if state.withLock({ $0.idleWaiters.isEmpty }) { try? await Task.sleep(for: Self.linger) }
            let batch = Self.folded(state.withLock { state -> [Write] in
                let batch = state.writes
                state.writes.removeAll(keepingCapacity: true)
                return batch
            })
            if batch.isEmpty {
                let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
                    // Something may have come in since the batch was taken.
                    guard state.writes.isEmpty else { return nil }
                    state.draining = false
                    defer { state.idleWaiters = [] }
                    return state.idleWaiters
                }
                guard let waiters else { continue }
                for waiter in waiters { waiter.resume() }
                return
            }
            let retry = await commit(batch)
            guard !retry.isEmpty else { continue }
            // The database is down: keep what must survive at the head of the queue and wait.
            state.withLock { $0.writes.insert(contentsOf: retry, at: 0) }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// The batch's writes, then one statement for all its session ends and `lastSeen` notes
    /// (GREATEST: never back). A queue that falls behind catches up this way: a bigger batch
    /// costs the same statements, not one per session; a batch of ends and notes alone is one
    /// autocommitted statement, one round trip.
    private static func folded(_ batch: [Write]) -> [Write] {
        var latest: [Int64: Date] = [:]
        var writes: [Write] = []
        var ends: [(sessionID: String, at: Date, reason: String)] = []
        var ended: Set<String> = []
        for write in batch {
            if let note = write.lastSeen {
                latest[note.userID] = max(note.at, latest[note.userID] ?? note.at)
            } else if let end = write.end {
                if ended.insert(end.sessionID).inserted { ends.append(end) }
            } else {
                writes.append(write)
            }
        }
        guard !ends.isEmpty || !latest.isEmpty else { return writes }
        let statement = PostgresStatements.EndsAndLastSeen(
            ends: ends, lastSeen: latest.keys.sorted().map { ($0, latest[$0]!) }
        )
        writes.append(Write(what: "\(ends.count) session ends, lastSeen of \(latest.count) users") { connection, logger in
            _ = try await connection.execute(statement, logger: logger)
        })
        return writes
    }

    /// Commits `batch`; returns the writes to try again (the database could not be reached).
    private func commit(_ batch: [Write]) async -> [Write] {
        do {
            if batch.count == 1 {
                try await client.withConnection { connection in try await batch[0].body(connection, logger) }
            } else {
                try await client.withTransaction(logger: logger) { connection in
                    for write in batch { try await write.body(connection, logger) }
                }
            }
            health.succeeded()
            return []
        } catch {
            if StoreHealth.isConnectivity(error) {
                health.failed(error)
                return batch
            }
            guard batch.count > 1 else {
                logger.error("a queued store write failed", metadata: [
                    "write": "\(batch[0].what)", "error": "\(StoreHealth.describe(error))",
                ])
                return []
            }
            // Rolled back: find the write at fault by giving each its own statement.
            var retry: [Write] = []
            for write in batch { retry += await commit([write]) }
            return retry
        }
    }
}
