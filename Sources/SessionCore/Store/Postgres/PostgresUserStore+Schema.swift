import Logging
import PostgresNIO

extension PostgresUserStore {
    /// Every schema change, in order. Never edit a shipped one: add a new one.
    static let migrations: [(version: Int32, statements: [PostgresQuery])] = [
        (1, [
            """
            CREATE TABLE users (
                id bigserial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                display_name text NOT NULL,
                display_picture_url text,
                is_guest boolean NOT NULL,
                properties text NOT NULL DEFAULT '{}',
                created_time timestamptz NOT NULL,
                last_seen timestamptz
            )
            """,
            // `revoked` is set by the instance that took the DELETE; the holder ends the session
            // (NOTIFY, or its poll) and writes ended_at. `seq` keeps the history in start order.
            """
            CREATE TABLE sessions (
                id text PRIMARY KEY,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                instance_id text,
                started_at timestamptz NOT NULL,
                ended_at timestamptz,
                end_reason text,
                revoked boolean NOT NULL DEFAULT false,
                remote_address text NOT NULL,
                user_agent text,
                function_set_version text
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id, started_at, seq)",
            "CREATE INDEX sessions_active ON sessions (instance_id) WHERE ended_at IS NULL",
            "CREATE TABLE instances (id text PRIMARY KEY, started_at timestamptz NOT NULL, lease_until timestamptz NOT NULL)",
            // One fixed window per key: `count` failures since `window_start`; `blocked_until` set
            // once the count reached the limit.
            """
            CREATE TABLE failures (
                scope text NOT NULL,
                key text NOT NULL,
                window_start timestamptz NOT NULL,
                count integer NOT NULL,
                blocked_until timestamptz,
                PRIMARY KEY (scope, key)
            )
            """,
            "CREATE INDEX failures_blocked ON failures (blocked_until) WHERE blocked_until IS NOT NULL",
        ]),
        // The gateway never deletes users, and writes a session's user_id only from the user row
        // it has just read; the foreign key's check cost every session start a lock on its user's
        // row (a MultiXact when several sessions of one user start together), about a sixth of
        // the database's work per start under load.
        (2, [
            "ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_user_id_fkey",
        ]),
    ]

    /// An arbitrary constant: the advisory lock that serializes migrations of instances starting
    /// at the same time (the second waits, then finds nothing left to do).
    private static let migrationLock: Int64 = 0x5e55_1046_a7e0_0001

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS sessiongate_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger
            )
            var current: Int32 = 0
            for try await version in try await connection.query(
                "SELECT COALESCE(max(version), 0) FROM sessiongate_schema", logger: logger
            ).decode(Int32.self) {
                current = version
            }
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(statement, logger: logger)
                }
                try await connection.query("INSERT INTO sessiongate_schema (version) VALUES (\(migration.version))", logger: logger)
                logger.info("database schema migrated", metadata: ["version": "\(migration.version)"])
            }
        }
    }
}
