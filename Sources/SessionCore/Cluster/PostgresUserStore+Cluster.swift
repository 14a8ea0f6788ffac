import Foundation
import PostgresNIO

/// The statements behind `PostgresCluster`: the instance lease, the shared admin list and
/// revoke, and the shared failure counts. Each is one statement (autocommitted) unless noted.
extension PostgresUserStore {
    /// How long a lease lasts without renewal; an instance is reaped once it lapsed.
    static let leaseDuration: Duration = .seconds(10)

    /// The channel of every notification between instances.
    static let channel = "sessiongate"

    private static var leaseSeconds: Double { Double(leaseDuration.components.seconds) }

    /// Takes this instance's lease. A previous life of this instance (same id, killed) is over:
    /// its sessions are ended as `instance_lost`.
    func register() async throws {
        let instanceID = instanceID
        _ = try await query { client in
            try await client.query(
                """
                UPDATE sessions SET ended_at = now(), end_reason = 'instance_lost'
                WHERE instance_id = \(instanceID) AND ended_at IS NULL
                """
            )
        }
        try await renewLease()
    }

    /// Renews the lease, or takes it again if another instance reaped this one meanwhile.
    func renewLease() async throws {
        let instanceID = instanceID
        _ = try await query { client in
            try await client.query(
                """
                INSERT INTO instances (id, started_at, lease_until)
                VALUES (\(instanceID), now(), now() + \(Self.leaseSeconds) * interval '1 second')
                ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until
                """
            )
        }
    }

    /// Removes every instance whose lease lapsed and ends its sessions as `instance_lost`;
    /// returns the instances reaped. Several reapers at once reap each instance once.
    func reapLapsedInstances() async throws -> [String] {
        try await query { client in
            var reaped: [String] = []
            let rows = try await client.query(
                """
                WITH lapsed AS (DELETE FROM instances WHERE lease_until < now() RETURNING id),
                ended AS (
                    UPDATE sessions SET ended_at = now(), end_reason = 'instance_lost'
                    WHERE ended_at IS NULL AND instance_id IN (SELECT id FROM lapsed)
                )
                SELECT id FROM lapsed
                """
            )
            for try await id in rows.decode(String.self) { reaped.append(id) }
            return reaped
        }
    }

    /// The active sessions of every other live instance, oldest first.
    func sessionsOfOtherInstances() async throws -> [ListedSession] {
        let instanceID = instanceID
        return try await query { client in
            var listed: [ListedSession] = []
            let rows = try await client.query(
                """
                SELECT s.id, s.started_at, s.remote_address, s.user_agent, s.instance_id,
                       u.id, u.name, u.display_name, u.display_picture_url, u.is_guest, u.properties,
                       u.created_time, u.last_seen
                FROM sessions s JOIN users u ON u.id = s.user_id JOIN instances i ON i.id = s.instance_id
                WHERE s.ended_at IS NULL AND NOT s.revoked AND s.instance_id <> \(instanceID)
                  AND i.lease_until > now()
                ORDER BY s.started_at, s.seq
                """
            )
            for try await row in rows.decode(
                (String, Date, String, String?, String, Int64, String, String, String?, Bool, String, Date, Date?).self
            ) {
                let user = try Self.user(from: (row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12))
                let session = ActiveSession(
                    id: row.0, startedAt: row.1, user: user.snapshot(online: true), remoteAddress: row.2,
                    userAgent: row.3
                )
                listed.append(ListedSession(session: session, instance: row.4))
            }
            return listed
        }
    }

    /// Marks a session of another live instance revoked and tells its holder; the notification
    /// is sent when the statement commits. `false` when no live instance holds it.
    func revokeElsewhere(sessionID: String) async throws -> Bool {
        let instanceID = instanceID
        return try await query { client in
            let rows = try await client.query(
                """
                WITH revoked AS (
                    UPDATE sessions SET revoked = true
                    WHERE id = \(sessionID) AND ended_at IS NULL AND NOT revoked AND instance_id <> \(instanceID)
                      AND instance_id IN (SELECT id FROM instances WHERE lease_until > now())
                    RETURNING id, instance_id
                )
                SELECT instance_id, pg_notify(\(Self.channel), 'revoke ' || id || ' ' || instance_id)::text
                FROM revoked
                """
            )
            var found = false
            for try await _ in rows.decode((String, String).self) { found = true }
            return found
        }
    }

    /// This instance's sessions that another instance revoked (for the poll that catches up
    /// with lost notifications).
    func revokedLocalSessions() async throws -> [String] {
        let instanceID = instanceID
        return try await query { client in
            var ids: [String] = []
            let rows = try await client.query(
                "SELECT id FROM sessions WHERE instance_id = \(instanceID) AND revoked AND ended_at IS NULL"
            )
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    /// Counts one failure of `key` in its fixed window and returns the end of its block, if the
    /// count reached the limit. The instance that trips the block tells the others.
    func countFailure(scope: String, key: String, limit: FailureLimit) async throws -> Date? {
        let window = Double(limit.window.components.seconds) + Double(limit.window.components.attoseconds) / 1e18
        let count = Int64(limit.count)
        let result: (Int32, Date?)? = try await query { client in
            let rows = try await client.query(
                """
                INSERT INTO failures AS f (scope, key, window_start, count, blocked_until)
                VALUES (\(scope), \(key), now(), 1,
                        CASE WHEN \(count) <= 1 THEN now() + \(window) * interval '1 second' END)
                ON CONFLICT (scope, key) DO UPDATE SET
                    count = CASE WHEN f.window_start > now() - \(window) * interval '1 second' THEN f.count + 1 ELSE 1 END,
                    window_start = CASE WHEN f.window_start > now() - \(window) * interval '1 second'
                                   THEN f.window_start ELSE now() END,
                    blocked_until = CASE
                        WHEN f.window_start > now() - \(window) * interval '1 second' AND f.count + 1 >= \(count)
                            THEN f.window_start + \(window) * interval '1 second'
                        WHEN f.window_start <= now() - \(window) * interval '1 second' AND \(count) <= 1
                            THEN now() + \(window) * interval '1 second'
                    END
                RETURNING count, blocked_until
                """
            )
            for try await row in rows.decode((Int32, Date?).self) { return row }
            return nil
        }
        guard let (newCount, blockedUntil) = result, let blockedUntil else { return nil }
        if Int64(newCount) == count {
            let millis = Int64((blockedUntil.timeIntervalSince1970 * 1000).rounded(.up))
            _ = try? await query { client in
                try await client.query("SELECT pg_notify(\(Self.channel), 'limit ' || \(scope) || ' ' || \(millis) || ' ' || \(key))::text")
            }
        }
        return blockedUntil
    }

    /// Every key blocked now, by scope (for the poll).
    func blockedKeys() async throws -> [(scope: String, key: String, until: Date)] {
        try await query { client in
            var blocked: [(scope: String, key: String, until: Date)] = []
            let rows = try await client.query(
                "SELECT scope, key, blocked_until FROM failures WHERE blocked_until > now()"
            )
            for try await (scope, key, until) in rows.decode((String, String, Date).self) {
                blocked.append((scope, key, until))
            }
            return blocked
        }
    }
}
