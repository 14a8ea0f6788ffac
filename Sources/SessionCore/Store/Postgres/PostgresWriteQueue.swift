import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL store's queued writes (session history, `lastSeen`): each one statement, run
/// concurrently on the client's pool.
///
/// Unlike SQLite, PostgreSQL takes concurrent writers, and what costs here is the round trip, not
/// the transaction: a serial queue would make every start wait for the writes ahead of it. So
/// writes run side by side and PostgreSQL groups their commits' WAL flushes itself. Writes with
/// the same key (a session id) run one after the other in call order: of two ends of one session
/// the first wins. Nothing else depends on order: a session's end is only queued after its start
/// committed (the start is awaited), and `lastSeen` only ever moves forward (`GREATEST`).
///
/// While the database cannot be reached, writes wait and are tried again until it answers: a
/// session that ends during an outage is in the history afterwards.
final class PostgresWriteQueue: Sendable {
    typealias Body = @Sendable (PostgresConnection, Logger) async throws -> Void

    private struct State {
        var nextSequence = 0
        /// Sequence numbers of the queued writes not yet done.
        var inFlight: Set<Int> = []
        /// `flush` callers, each waiting for every write numbered below its mark.
        var waiters: [(mark: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// The last write queued for each key, while it is not done.
        var tails: [String: (sequence: Int, task: Task<Void, Never>)] = [:]
    }

    private let client: PostgresClient
    private let health: StoreHealth
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, health: StoreHealth, logger: Logger) {
        self.client = client
        self.health = health
        self.logger = logger
    }

    /// Queued writes not yet done (for shutdown logs).
    var queuedCount: Int { state.withLock { $0.inFlight.count } }

    /// Runs `body` in the background, after the writes queued before with the same `key`, again
    /// and again while the database cannot be reached.
    func enqueue(_ what: String, key: String, _ body: @escaping Body) {
        state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.inFlight.insert(sequence)
            let previous = state.tails[key]?.task
            let task = Task {
                await previous?.value
                await self.run(what, body)
                self.finish(sequence, key: key)
            }
            state.tails[key] = (sequence, task)
        }
    }

    /// Returns once every write queued before the call is done, or `limit` passed.
    /// - Returns: whether they were done in time.
    @discardableResult
    func flush(within limit: Duration) async -> Bool {
        let done: Bool? = try? await Deadline.run(limit) {
            await withCheckedContinuation { continuation in
                let ready = self.state.withLock { state in
                    let mark = state.nextSequence
                    guard let oldest = state.inFlight.min(), oldest < mark else { return true }
                    state.waiters.append((mark, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
            return true
        }
        return done ?? false
    }

    private func run(_ what: String, _ body: @escaping Body) async {
        while true {
            if !health.isReachable {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            do {
                try await client.withConnection { connection in try await body(connection, logger) }
                health.succeeded()
                return
            } catch {
                guard StoreHealth.isConnectivity(error) else {
                    logger.error("a queued store write failed", metadata: [
                        "write": "\(what)", "error": "\(StoreHealth.describe(error))",
                    ])
                    return
                }
                health.failed(error)
            }
        }
    }

    private func finish(_ sequence: Int, key: String) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight.remove(sequence)
            if state.tails[key]?.sequence == sequence { state.tails[key] = nil }
            let oldest = state.inFlight.min() ?? state.nextSequence
            var ready: [CheckedContinuation<Void, Never>] = []
            state.waiters.removeAll { waiter in
                guard waiter.mark <= oldest else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }
}
