import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// This instance's part in a cluster of gateways on one PostgreSQL database (SPEC §6): a lease
/// renewed every `renewInterval`, the reaping of instances whose lease lapsed, one listening
/// connection for revokes and failure blocks from the others, and a poll that catches up with
/// the notifications a dropped connection lost.
///
/// A service: run it in the gateway's service group; it stops on graceful shutdown.
public final class PostgresCluster: SessionDirectory, Service {
    public let store: PostgresUserStore
    private let logger: Logger
    private let renewInterval: Duration
    private let pollInterval: Duration
    private let sessions = Mutex<SessionService?>(nil)
    private let limiters = Mutex<[String: SharedFailureLimiter]>([:])
    private let listening = Atomic<Bool>(false)

    public init(
        store: PostgresUserStore, logger: Logger, renewInterval: Duration = .seconds(2), pollInterval: Duration = .seconds(1)
    ) {
        self.store = store
        self.logger = logger
        self.renewInterval = renewInterval
        self.pollInterval = pollInterval
    }

    public var instanceID: String { store.instanceID }

    public var isReachable: Bool { store.isReachable }

    /// Whether the listening connection is up (for tests and logs).
    public var isListening: Bool { listening.load(ordering: .relaxed) }

    public func makeFailureLimiter(
        _ limit: FailureLimit, scope: String, now: @escaping @Sendable () -> ContinuousClock.Instant
    ) -> any FailureLimiting {
        let limiter = SharedFailureLimiter(
            scope: scope, limit: limit, local: FailureLimiter(limit: limit, now: now), store: store
        )
        limiters.withLock { $0[scope] = limiter }
        return limiter
    }

    public func sessionsElsewhere() async throws -> [ListedSession] {
        try await store.sessionsOfOtherInstances()
    }

    public func revokeElsewhere(sessionID: String) async throws -> Bool {
        try await store.revokeElsewhere(sessionID: sessionID)
    }

    public func attach(_ sessions: SessionService) {
        self.sessions.withLock { $0 = sessions }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.renewAndReap() }
            group.addTask { await self.listen() }
            group.addTask { await self.poll() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        sessions.withLock { $0 = nil }
    }

    /// Reaps only after this instance has renewed its own lease for a whole lease without a
    /// failure: after an outage every instance's lease may have lapsed, and each must get the
    /// chance to renew before the others judge it dead.
    private func renewAndReap() async {
        var renewingSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                try await store.renewLease()
                let since = renewingSince ?? .now
                renewingSince = since
                if ContinuousClock.now - since >= PostgresUserStore.leaseDuration {
                    for instance in try await store.reapLapsedInstances() {
                        logger.warning("an instance stopped renewing its lease: its sessions ended as instance_lost", metadata: [
                            "instance": "\(instance)",
                        ])
                    }
                }
            } catch {
                renewingSince = nil
            }
            try? await Task.sleep(for: renewInterval)
        }
    }

    private func listen() async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                var configuration = try store.url.connectionConfiguration()
                configuration.options.additionalStartupParameters = [("application_name", "sessiongate-listen \(instanceID)")]
                // Ids apart from the pool's, so that log lines tell the listener from the pool.
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 1_000_000 + attempt, logger: logger
                )
                let outcome: Result<Void, any Error>
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: PostgresUserStore.channel) { notifications in
                            listening.store(true, ordering: .relaxed)
                            logger.debug("listening for other instances", metadata: ["instance": "\(instanceID)"])
                            // Whatever was sent while no connection listened.
                            await catchUp()
                            for try await notification in notifications {
                                await handle(notification.payload)
                            }
                        }
                    } onCancel: {
                        let closing: EventLoopFuture<Void> = connection.close()
                        closing.whenComplete { _ in }
                    }
                    outcome = .success(())
                } catch {
                    outcome = .failure(error)
                }
                // Closed on every path: a connection dropped unclosed is a programming error to postgres-nio.
                try? await connection.close()
                try outcome.get()
            } catch {
                if listening.load(ordering: .relaxed) || attempt == 1 {
                    logger.warning("the listening connection to the database failed; reconnecting", metadata: [
                        "error": "\(StoreHealth.describe(error))",
                    ])
                }
            }
            listening.store(false, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func poll() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: pollInterval)
            await catchUp()
        }
    }

    /// Ends this instance's sessions that were revoked elsewhere, and learns every current block.
    private func catchUp() async {
        guard store.isReachable else { return }
        do {
            for id in try await store.revokedLocalSessions() {
                await revokeLocally(id)
            }
            let blocked = try await store.blockedKeys()
            let limiters = limiters.withLock { $0 }
            for (scope, key, until) in blocked {
                limiters[scope]?.block(key, until: until)
            }
        } catch {
            logger.debug("catching up with the cluster failed", metadata: ["error": "\(StoreHealth.describe(error))"])
        }
    }

    /// `revoke SESSION INSTANCE` or `limit SCOPE UNTIL_MS KEY`.
    private func handle(_ payload: String) async {
        let parts = payload.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        switch parts.first {
        case "revoke" where parts.count >= 3:
            let instance = parts[2...].joined(separator: " ")
            if instance == instanceID { await revokeLocally(String(parts[1])) }
        case "limit" where parts.count == 4:
            guard let millis = Int64(parts[2]) else { return }
            let until = Date(timeIntervalSince1970: Double(millis) / 1000)
            limiters.withLock { $0[String(parts[1])] }?.block(String(parts[3]), until: until)
        default:
            logger.debug("unknown notification", metadata: ["payload": "\(payload)"])
        }
    }

    private func revokeLocally(_ sessionID: String) async {
        guard let service = sessions.withLock({ $0 }) else { return }
        if await service.revoke(sessionID: sessionID) {
            logger.info("session revoked by another instance", metadata: ["session_id": "\(sessionID)"])
        }
    }
}
