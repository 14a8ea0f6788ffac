import ChatFunctions
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The user store in PostgreSQL, shared by every instance that names the same database (SPEC §6).
///
/// Nothing about a user is cached: a start reads the user from the database every time, so a
/// user that became a person on another instance refuses a guest start here at once (no stale
/// window to invalidate). Names are unique by constraint; a first start inserts with
/// `ON CONFLICT DO NOTHING RETURNING` and, when another instance won, reads the winner's row.
///
/// What answers a client (its user, and a session's start row, which every instance's admin API
/// lists) is committed before the reply; the rest of the history and `lastSeen` are queued and
/// survive outages (`PostgresWriteQueue`), and `lastSeen` only moves forward. The statements a
/// start waits for are batched over the starts that wait together (`StatementBatcher`) and
/// prepared once per connection (`PostgresStatements`). Every call that answers a
/// client is bounded by `queryTimeout` and fails at once while the database is known to be down.
///
/// The `PostgresClient` is a ServiceLifecycle service; the store runs it itself for its whole
/// life, because the schema must be migrated before the gateway listens, i.e. before the service
/// group starts.
public final class PostgresUserStore: UserStore {
    /// The database, without its password.
    public let url: PostgresDatabaseURL
    /// The instance whose sessions this store records (SPEC §6).
    public let instanceID: String
    let client: PostgresClient
    let health: StoreHealth
    let writes: PostgresWriteQueue
    let logger: Logger
    let queryTimeout: Duration
    private let runner: Mutex<Task<Void, Never>?>
    private let isClosed = Atomic<Bool>(false)
    /// The statements a start waits for, each batched over the starts that wait together.
    private let userReads = StatementBatcher<String, StoredUser?>(concurrency: 1)
    private let sessionInserts = StatementBatcher<SessionRecord, Void>(concurrency: 1)
    /// A returning guest's start: both in one statement (`PostgresUserStore+GuestStarts`).
    let guestStarts = StatementBatcher<GuestStart, StoredUser?>()

    /// Whether the database answered the last query.
    public var isReachable: Bool { health.isReachable }

    /// Connects, migrates the schema and registers the instance.
    /// - Throws: `UserStoreError.cannotOpen` when the database cannot be reached or migrated.
    public static func open(
        _ url: PostgresDatabaseURL, instanceID: String, logger: Logger, queryTimeout: Duration = .seconds(3)
    ) async throws -> PostgresUserStore {
        let store = PostgresUserStore(url: url, instanceID: instanceID, logger: logger, queryTimeout: queryTimeout)
        do {
            try await Deadline.run(.seconds(15)) { [client = store.client] in
                try await migrate(client, logger: logger)
            }
            try await store.register()
        } catch {
            await store.stopClient()
            throw UserStoreError.cannotOpen(location: url.description, reason: StoreHealth.describe(error))
        }
        logger.info("user store opened", metadata: ["database": "\(url)", "instance": "\(instanceID)"])
        return store
    }

    private init(url: PostgresDatabaseURL, instanceID: String, logger: Logger, queryTimeout: Duration) {
        self.url = url
        self.instanceID = instanceID
        self.logger = logger
        self.queryTimeout = queryTimeout
        let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        health = StoreHealth(logger: logger) { try await client.query("SELECT 1") }
        writes = PostgresWriteQueue(client: client, health: health, logger: logger)
        runner = Mutex(Task { await client.run() })
    }

    /// A store dropped without `close()` (tests) still lets its connections go.
    deinit {
        runner.withLock { $0?.cancel() }
    }

    public func user(named name: String) async throws -> StoredUser? {
        try ensureOpen()
        return try await reading(name).value
    }

    public func userImmediately(named name: String) throws -> Immediate<StoredUser?> {
        try ensureOpen()
        return .later(reading(name))
    }

    private func reading(_ name: String) -> Later<StoredUser?> {
        Later { completion in
            self.userReads.submit(name, run: { names in try await self.users(named: names) }, completion: completion)
        }
    }

    /// One SELECT for every name asked for while the previous one ran.
    private func users(named names: [String]) async throws -> [StoredUser?] {
        let unique = Array(Set(names))
        let found = try await query { client in
            var users: [String: StoredUser] = [:]
            for try await row in try await client.execute(PostgresStatements.UsersNamed(names: unique)) {
                let user = try Self.user(from: row)
                users[user.name] = user
            }
            return users
        }
        return names.map { found[$0] }
    }

    public func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser {
        let found: StoredUser
        if let existing = try await user(named: name) {
            found = existing
        } else if let created = try await insertGuest(named: name, at: now) {
            return created
        } else if let winner = try await user(named: name) {
            // Another start (on any instance) inserted it between the two statements.
            found = winner
        } else {
            throw UserStoreError.corruptData("user \"\(name)\" neither inserted nor found")
        }
        return seen(found, at: now)
    }

    private func insertGuest(named name: String, at now: Date) async throws -> StoredUser? {
        try await query { client in
            try await Self.firstUser(client.query(
                """
                INSERT INTO users (name, display_name, is_guest, properties, created_time, last_seen)
                VALUES (\(name), \(name), true, '{}', \(now), \(now))
                ON CONFLICT (name) DO NOTHING
                RETURNING id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen
                """
            ))
        }
    }

    public func createOrUpgradeImmediately(
        named name: String, profile: Profile, at now: Date, knownUser: StoredUser?
    ) throws -> Immediate<StoredUser> {
        try ensureOpen()
        return alreadyCommitted(named: name, profile: profile, at: now, knownUser: knownUser).map { .done($0) } ?? .mustWait
    }

    /// A returning user whose profile changes nothing but `lastSeen` is committed as it is
    /// (its `lastSeen` queued); `nil` when the upsert must run.
    private func alreadyCommitted(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) -> StoredUser? {
        guard let existing = knownUser, let user = profile.appliedWithoutChange(to: existing, name: name, at: now) else {
            return nil
        }
        queueLastSeen(now, ofUserID: existing.id)
        return user
    }

    public func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser {
        if let user = alreadyCommitted(named: name, profile: profile, at: now, knownUser: knownUser) { return user }
        // One statement, so that concurrent starts on several instances cannot interleave: the
        // profile's `nil` fields keep what the row holds at that moment (Profile.applied's rules).
        let properties = profile.properties.map(StoredProperties.text)
        let user = try await query { client in
            try await Self.firstUser(client.query(
                """
                INSERT INTO users AS u (name, display_name, display_picture_url, is_guest, properties, created_time, last_seen)
                VALUES (\(name), COALESCE(\(profile.displayName), \(name)), \(profile.displayPictureUrl), false,
                        COALESCE(\(properties), '{}'), \(now), \(now))
                ON CONFLICT (name) DO UPDATE SET
                    display_name = COALESCE(\(profile.displayName), u.display_name),
                    display_picture_url = COALESCE(\(profile.displayPictureUrl), u.display_picture_url),
                    is_guest = false,
                    properties = COALESCE(\(properties), u.properties),
                    last_seen = GREATEST(u.last_seen, \(now))
                RETURNING id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen
                """
            ))
        }
        guard let user else { throw UserStoreError.corruptData("upsert of user \"\(name)\" returned nothing") }
        return user
    }

    public func insert(_ new: NewUser) async throws -> StoredUser {
        let properties = StoredProperties.text(new.properties)
        let inserted = try await query { client in
            try await Self.firstUser(client.query(
                """
                INSERT INTO users (name, display_name, display_picture_url, is_guest, properties, created_time)
                VALUES (\(new.name), \(new.displayName ?? new.name), \(new.displayPictureUrl), \(new.isGuest),
                        \(properties), \(new.createdTime))
                ON CONFLICT (name) DO NOTHING
                RETURNING id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen
                """
            ))
        }
        guard let inserted else { throw UserStoreError.nameTaken(new.name) }
        return inserted
    }

    public func userCount() async throws -> Int {
        try await flush()
        return try await query { client in
            var count = 0
            for try await value in try await client.query("SELECT count(*) FROM users").decode(Int64.self) {
                count = Int(value)
            }
            return count
        }
    }

    /// The admin API of every instance lists a session and revokes it as soon as its client is
    /// told it started: the start waits for its row (`commitSessionStart`).
    public var sessionStartsMustCommit: Bool { true }

    /// Only the session row is awaited; its user's `lastSeen` is queued: the user row may be
    /// locked meanwhile by a batch of queued writes, and a start must not wait for that batch.
    public func commitSessionStart(_ session: SessionRecord) async throws {
        try ensureOpen()
        try await committing(session).value
    }

    public func commitSessionStartImmediately(_ session: SessionRecord) throws -> Immediate<Void> {
        try ensureOpen()
        return .later(committing(session))
    }

    private func committing(_ session: SessionRecord) -> Later<Void> {
        Later { completion in
            self.sessionInserts.submit(session, run: { sessions in try await self.insertSessions(sessions) }) { result in
                if case .success = result { self.queueLastSeen(session.startedAt, ofUserID: session.userID) }
                completion(result)
            }
        }
    }

    /// One INSERT for every session start committed while the previous one ran.
    private func insertSessions(_ sessions: [SessionRecord]) async throws -> [Void] {
        let instanceID = instanceID
        // A start has no end yet; anything else (never seen on this path) goes row by row.
        let (plain, ended) = (sessions.filter { $0.endedAt == nil && $0.endReason == nil },
                              sessions.filter { $0.endedAt != nil || $0.endReason != nil })
        try await query { client in
            if !plain.isEmpty {
                for try await _ in try await client.execute(PostgresStatements.SessionStarts(sessions: plain, instanceID: instanceID)) {}
            }
            for session in ended { try await client.query(Self.insertSession(session, instanceID: instanceID)) }
        }
        return sessions.map { _ in () }
    }

    /// Queued (before its end, which the queue writes after it), for a caller that does not need
    /// the row at once.
    public func recordSessionStart(_ session: SessionRecord) throws {
        try ensureOpen()
        let instanceID = instanceID
        writes.enqueue("session start") { connection, logger in
            try await connection.query(Self.insertSession(session, instanceID: instanceID), logger: logger)
        }
        queueLastSeen(session.startedAt, ofUserID: session.userID)
    }

    private static func insertSession(_ session: SessionRecord, instanceID: String) -> PostgresQuery {
        """
        INSERT INTO sessions (id, user_id, instance_id, started_at, ended_at, end_reason,
                              remote_address, user_agent, function_set_version)
        VALUES (\(session.id), \(session.userID), \(instanceID), \(session.startedAt), \(session.endedAt),
                \(session.endReason?.rawValue), \(session.remoteAddress), \(session.userAgent),
                \(session.functionSetVersion))
        ON CONFLICT (id) DO NOTHING
        """
    }

    public func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) throws {
        try ensureOpen()
        writes.noteSessionEnd(id, at: endedAt, reason: reason.rawValue)
    }

    public func sessions(ofUser userID: Int64) async throws -> [SessionRecord] {
        try await flush()
        return try await query { client in
            var sessions: [SessionRecord] = []
            let rows = try await client.query(
                """
                SELECT id, user_id, started_at, ended_at, end_reason, remote_address, user_agent, function_set_version
                FROM sessions WHERE user_id = \(userID) ORDER BY started_at, seq
                """
            )
            for try await row in rows.decode(SessionRow.self) {
                sessions.append(try Self.session(from: row))
            }
            return sessions
        }
    }

    public func flush() async throws {
        try ensureOpen()
        guard await writes.flush(within: .seconds(30)) else { throw UserStoreError.unavailable }
    }

    /// Writes what is queued (waiting a while for a database that is down), leaves the cluster
    /// and stops the client.
    public func close() async throws {
        guard !isClosed.exchange(true, ordering: .relaxed) else { return }
        if !(await writes.flush(within: .seconds(10))) {
            logger.error("session history lost: the database did not come back before shutdown", metadata: [
                "writes": "\(writes.queuedCount)",
            ])
        }
        do {
            _ = try await Deadline.run(.seconds(2)) { [client, instanceID] in
                try await client.query("DELETE FROM instances WHERE id = \(instanceID)")
            }
        } catch {
            logger.warning("leaving the cluster failed; the others will reap this instance", metadata: [
                "error": "\(StoreHealth.describe(error))",
            ])
        }
        await stopClient()
        logger.info("user store closed", metadata: ["database": "\(url)"])
    }

    /// Runs a read or a one-statement write that a client waits for: bounded, failing at once
    /// while the database is down, and telling `health` what it found.
    func query<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try ensureOpen()
        try health.check()
        do {
            let result = try await Deadline.run(queryTimeout) { [client] in try await body(client) }
            health.succeeded()
            return result
        } catch {
            health.failed(error)
            if StoreHealth.isConnectivity(error) { throw UserStoreError.unavailable }
            throw error
        }
    }

    func queueLastSeen(_ date: Date, ofUserID id: Int64) {
        writes.noteLastSeen(date, ofUserID: id)
    }

    func ensureOpen() throws {
        if isClosed.load(ordering: .relaxed) { throw UserStoreError.closed }
    }

    private func stopClient() async {
        guard let task = runner.withLock({ $0.take() }) else { return }
        task.cancel()
        await task.value
    }
}
