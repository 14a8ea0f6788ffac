import Foundation
import PostgresNIO

/// The statements every start and end runs, prepared once per connection.
///
/// Sent as plain queries, each of these batched statements was parsed and planned again on every
/// execution: about 1 ms of the server's CPU per batch, more than running it. Prepared, the
/// server keeps a generic plan after its first executions. Every value is a bound parameter.
enum PostgresStatements {
    /// The users of a batch of names (`user(named:)`).
    struct UsersNamed: PostgresPreparedStatement {
        static let name = "sessiongate_users_named_v1"
        static let sql = """
            SELECT id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen
            FROM users WHERE name = ANY($1::text[])
            """
        typealias Row = PostgresUserStore.UserRow

        var names: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(names)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A batch of returning guests' starts: their users, and a session row for each start whose
    /// user is a guest (`PostgresUserStore+GuestStarts`). A data-modifying WITH runs whether or
    /// not the outer SELECT reads it.
    struct GuestStarts: PostgresPreparedStatement {
        static let name = "sessiongate_guest_starts_v1"
        static let sql = """
            WITH found AS (
                SELECT id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen
                FROM users WHERE name = ANY($1::text[])
            ), started AS (
                INSERT INTO sessions (id, user_id, instance_id, started_at, remote_address, user_agent)
                SELECT s.id, found.id, $8, s.started_at, s.address, CASE WHEN s.has_agent THEN s.agent END
                FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::boolean[])
                     AS s (name, id, started_at, address, agent, has_agent)
                JOIN found ON found.name = s.name AND found.is_guest
                ON CONFLICT (id) DO NOTHING
            )
            SELECT id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen FROM found
            """
        typealias Row = PostgresUserStore.UserRow

        var starts: [(name: String, session: SessionRecord)]
        var instanceID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(Array(Set(starts.map(\.name))))
            bindings.append(starts.map(\.name))
            bindings.append(starts.map(\.session.id))
            bindings.append(starts.map(\.session.startedAt))
            bindings.append(starts.map(\.session.remoteAddress))
            bindings.appendNullable(starts.map(\.session.userAgent))
            bindings.append(instanceID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A batch of session starts whose users are known (`commitSessionStart`).
    struct SessionStarts: PostgresPreparedStatement {
        static let name = "sessiongate_session_starts_v1"
        static let sql = """
            INSERT INTO sessions (id, user_id, instance_id, started_at, remote_address, user_agent, function_set_version)
            SELECT s.id, s.user_id, $9, s.started_at, s.address,
                   CASE WHEN s.has_agent THEN s.agent END, CASE WHEN s.has_version THEN s.version END
            FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[],
                        $5::text[], $6::boolean[], $7::text[], $8::boolean[])
                 AS s (id, user_id, started_at, address, agent, has_agent, version, has_version)
            ON CONFLICT (id) DO NOTHING
            """
        typealias Row = ()

        var sessions: [SessionRecord]
        var instanceID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(sessions.map(\.id))
            bindings.append(sessions.map(\.userID))
            bindings.append(sessions.map(\.startedAt))
            bindings.append(sessions.map(\.remoteAddress))
            bindings.appendNullable(sessions.map(\.userAgent))
            bindings.appendNullable(sessions.map(\.functionSetVersion))
            bindings.append(instanceID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// A batch's session ends and `lastSeen` notes, in one statement (`PostgresWriteQueue`).
    struct EndsAndLastSeen: PostgresPreparedStatement {
        static let name = "sessiongate_ends_and_last_seen_v1"
        static let sql = """
            WITH ended AS (
                UPDATE sessions SET ended_at = noted.at, end_reason = noted.reason
                FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS noted (id, at, reason)
                WHERE sessions.id = noted.id AND sessions.ended_at IS NULL
                RETURNING sessions.user_id, noted.at
            ), seen AS (
                SELECT user_id, at FROM ended
                UNION ALL
                SELECT * FROM unnest($4::bigint[], $5::timestamptz[]) AS noted (user_id, at)
            )
            UPDATE users SET last_seen = GREATEST(users.last_seen, latest.at)
            FROM (SELECT user_id, max(at) AS at FROM seen GROUP BY user_id) AS latest
            WHERE users.id = latest.user_id
            """
        typealias Row = ()

        var ends: [(sessionID: String, at: Date, reason: String)]
        var lastSeen: [(userID: Int64, at: Date)]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(ends.map(\.sessionID))
            bindings.append(ends.map(\.at))
            bindings.append(ends.map(\.reason))
            bindings.append(lastSeen.map(\.userID))
            bindings.append(lastSeen.map(\.at))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}

extension PostgresBindings {
    /// A column that may be NULL, as two arrays: the values (`""` for NULL) and whether each is
    /// there (`CASE WHEN has THEN value END` in the statement); arrays of optionals do not bind.
    mutating func appendNullable(_ values: [String?]) {
        append(values.map { $0 ?? "" })
        append(values.map { $0 != nil })
    }
}
