import Foundation
import PostgresNIO

/// A returning guest's start in one round trip: its user read and its session row inserted by
/// one statement, batched over the guest starts that wait together.
///
/// The row is inserted only for names whose user is a guest in the statement's snapshot, so a
/// user that became a person on another instance before the statement ran gets no session here
/// (the same rule as the read-then-insert it replaces, with no gap between the two).
extension PostgresUserStore {
    struct GuestStart: Sendable {
        var name: String
        var session: SessionRecord
    }

    public func findOrCreateGuest(named name: String, at now: Date, committing start: SessionRecord) async throws -> StoredUser {
        try ensureOpen()
        let found = try await guestStarts.submit(GuestStart(name: name, session: start)) { starts in
            try await self.startGuests(starts)
        }
        if var user = found {
            guard user.isGuest else { return user }
            user.lastSeen = now
            queueLastSeen(now, ofUserID: user.id)
            return user
        }
        // A first start of this name: create the guest (or find the winner of a race), then its row.
        let user = try await findOrCreateGuest(named: name, at: now)
        if user.isGuest { try await commitSessionStart(start.withUserID(user.id)) }
        return user
    }

    /// One statement for a batch: every asked name's user, and a session row for each start
    /// whose user exists and is a guest. A data-modifying WITH runs whether or not the outer
    /// SELECT reads it.
    private func startGuests(_ starts: [GuestStart]) async throws -> [StoredUser?] {
        let instanceID = instanceID
        let names = starts.map(\.name), ids = starts.map(\.session.id), started = starts.map(\.session.startedAt)
        let addresses = starts.map(\.session.remoteAddress)
        let agents = starts.map { $0.session.userAgent ?? "" }, hasAgent = starts.map { $0.session.userAgent != nil }
        let found = try await query { client in
            var users: [String: StoredUser] = [:]
            let rows = try await client.query(
                """
                WITH found AS (
                    SELECT id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen
                    FROM users WHERE name = ANY(\(Array(Set(names))))
                ), started AS (
                    INSERT INTO sessions (id, user_id, instance_id, started_at, remote_address, user_agent)
                    SELECT s.id, found.id, \(instanceID), s.started_at, s.address, CASE WHEN s.has_agent THEN s.agent END
                    FROM unnest(\(names)::text[], \(ids)::text[], \(started)::timestamptz[], \(addresses)::text[],
                                \(agents)::text[], \(hasAgent)::boolean[])
                         AS s (name, id, started_at, address, agent, has_agent)
                    JOIN found ON found.name = s.name AND found.is_guest
                    ON CONFLICT (id) DO NOTHING
                )
                SELECT id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen FROM found
                """
            )
            for try await row in rows.decode(UserRow.self) {
                let user = try Self.user(from: row)
                users[user.name] = user
            }
            return users
        }
        return names.map { found[$0] }
    }
}
