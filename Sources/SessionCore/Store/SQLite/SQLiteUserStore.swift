import CSQLiteSettings
import ChatFunctions
import Foundation
import GRDB
import Logging
import Synchronization

/// The user store in SQLite, through GRDB.
///
/// A file is opened as a `DatabasePool` in WAL mode with `synchronous=NORMAL`: a transaction that
/// has committed is in the WAL file, so it survives the process being killed (only an operating
/// system crash or power loss could drop the last commits). Writes go through a `WriteBatcher`, so
/// concurrent starts share IMMEDIATE transactions; SQLite's lock (with a busy timeout) serializes
/// them with other processes. Statements are prepared once per connection and cached.
///
/// Reads run on the calling thread: a WAL reader never waits for the writer, so a lookup by an
/// indexed name blocks for microseconds, less than a hop to another thread and back would cost.
/// Users read or written in the last second are kept in a `UserCache`, so a returning user's
/// start reads nothing at all.
/// Session bookkeeping (history rows, `lastSeen`) is queued rather than awaited; `flush()`, the
/// history and count reads and `close()` wait for it.
///
/// `close()` does not call GRDB's `close()`: GRDB crashes (rather than throws) when a closed
/// connection is used, and a start may still be in flight. It marks the store closed instead,
/// so later calls throw `UserStoreError.closed`, and the connections close with the store.
public final class SQLiteUserStore: UserStore {
    /// `sqlite:PATH` or `sqlite::memory:`, for log lines and errors.
    public let location: String
    private let connection: Connection
    /// Set by `close`; every call checks it, so it is read without a lock (the connection itself
    /// never changes, and a lock read by every store call on every thread was contended).
    private let closed = Atomic<Bool>(false)
    private let isFile: Bool
    private let logger: Logger

    /// How long session bookkeeping gathers before a transaction writes it (`WriteBatcher.linger`).
    static let bookkeepingLinger: Duration = .milliseconds(50)
    /// How long `lastSeen` notes gather (`HistoryLedger.lastSeenInterval`).
    static let lastSeenInterval: Duration = .seconds(1)

    /// How long a user read or written stays in the store's `UserCache`.
    public static let defaultUserCacheLifetime: Duration = .seconds(1)
    /// In memory, nothing but this store can write the database, and each of its writes updates
    /// the cache: an entry cannot go stale, so it lives until the cache is full. With the file's
    /// one-second lifetime every returning user was read again each second, and a read of an
    /// in-memory database waits behind the writer in a task of its own (a hundred times a
    /// lookup in the cache).
    static let inMemoryUserCacheLifetime: Duration = .seconds(100 * 365 * 86_400)

    /// A class so that each store call's `opened()` takes one reference, not four.
    private final class Connection: Sendable {
        let database: any DatabaseWriter
        let writes: WriteBatcher
        let users: UserCache
        let history: HistoryLedger

        init(database: any DatabaseWriter, logger: Logger, userCacheLifetime: Duration) {
            self.database = database
            users = UserCache(lifetime: userCacheLifetime)
            history = HistoryLedger(users: users, lastSeenInterval: SQLiteUserStore.lastSeenInterval)
            writes = WriteBatcher(writer: database, logger: logger, ledger: history, linger: SQLiteUserStore.bookkeepingLinger)
        }
    }

    /// Opens the database file at `path` (relative to the working directory), creating it when
    /// missing, and migrates it to the current schema. Users are cached for `userCacheLifetime`
    /// (see `UserCache`): what another process writes to the file is seen after at most that long.
    public init(path: String, logger: Logger, userCacheLifetime: Duration = defaultUserCacheLifetime) throws {
        location = "sqlite:\(path)"
        isFile = true
        self.logger = logger
        do {
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrator.migrate(pool)
            connection = Connection(database: pool, logger: logger, userCacheLifetime: userCacheLifetime)
        } catch {
            throw UserStoreError.cannotOpen(location: location, reason: Self.describe(error))
        }
        logger.info("user store opened", metadata: ["database": "\(location)"])
    }

    /// A throw-away database in memory, gone when the store is.
    public init(inMemoryWithLogger logger: Logger) throws {
        location = "sqlite::memory:"
        isFile = false
        self.logger = logger
        do {
            let queue = try DatabaseQueue(configuration: Self.configuration())
            try Self.migrator.migrate(queue)
            connection = Connection(database: queue, logger: logger, userCacheLifetime: Self.inMemoryUserCacheLifetime)
        } catch {
            throw UserStoreError.cannotOpen(location: location, reason: Self.describe(error))
        }
    }

    public func user(named name: String) async throws -> StoredUser? {
        try lookUp(name, in: opened())
    }

    public func userImmediately(named name: String) throws -> Immediate<StoredUser?> {
        try lookUpImmediately(name, in: opened())
    }

    /// An existing user needs no commit: a guest's `lastSeen` is queued.
    public func findOrCreateGuestImmediately(named name: String, at now: Date) throws -> Immediate<StoredUser> {
        let open = try opened()
        guard case .done(var existing?) = try lookUpImmediately(name, in: open) else { return .mustWait }
        guard existing.isGuest else { return .done(existing) }
        existing.lastSeen = now
        queueLastSeen(now, ofUserID: existing.id, in: open)
        return .done(existing)
    }

    public func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser {
        if case .done(let user) = try findOrCreateGuestImmediately(named: name, at: now) { return user }
        let open = try opened()
        return try await open.writes.perform({ db in
            // Another start may have created it since the read.
            if var existing = try Self.fetchUser(db, named: name) {
                guard existing.isGuest else { return existing }
                existing.lastSeen = now
                try Self.setLastSeen(now, ofUser: existing.id, db)
                return existing
            }
            let guest = StoredUser(id: 0, name: name, displayName: name, isGuest: true, createdTime: now, lastSeen: now)
            return try Self.insert(guest, db)
        }, afterCommit: { open.users.wrote($0) })
    }

    /// A returning user whose profile changes nothing but `lastSeen` is committed as it is:
    /// only `lastSeen` is queued, as a known guest's is. (That write touches nothing else, so
    /// a `knownUser` read a moment ago cannot undo another start's change.)
    public func createOrUpgradeImmediately(
        named name: String, profile: Profile, at now: Date, knownUser: StoredUser?
    ) throws -> Immediate<StoredUser> {
        let open = try opened()
        let existing: StoredUser
        if let knownUser {
            existing = knownUser
        } else {
            guard case .done(let found?) = try lookUpImmediately(name, in: open) else { return .mustWait }
            existing = found
        }
        guard let user = profile.appliedWithoutChange(to: existing, name: name, at: now) else { return .mustWait }
        queueLastSeen(now, ofUserID: existing.id, in: open)
        return .done(user)
    }

    public func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser {
        if case .done(let user) = try createOrUpgradeImmediately(named: name, profile: profile, at: now, knownUser: knownUser) {
            return user
        }
        let open = try opened()
        return try await open.writes.perform({ db in
            let existing = try Self.fetchUser(db, named: name)
            // The id of a new user is only known after the insert.
            let user = profile.applied(to: existing, name: name, newID: 0, at: now)
            guard existing != nil else { return try Self.insert(user, db) }
            try Self.update(user, db)
            return user
        }, afterCommit: { open.users.wrote($0) })
    }

    public func insert(_ new: NewUser) async throws -> StoredUser {
        let open = try opened()
        return try await open.writes.perform({ db in
            guard try Self.fetchUser(db, named: new.name) == nil else { throw UserStoreError.nameTaken(new.name) }
            let user = StoredUser(
                id: 0, name: new.name, displayName: new.displayName ?? new.name,
                displayPictureUrl: new.displayPictureUrl, isGuest: new.isGuest, properties: new.properties,
                createdTime: new.createdTime
            )
            return try Self.insert(user, db)
        }, afterCommit: { open.users.wrote($0) })
    }

    public func userCount() async throws -> Int {
        try await flush()
        return try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM users")) ?? 0 }
    }

    public func recordSessionStart(_ session: SessionRecord) throws {
        let open = try opened()
        open.history.noteStart(session)
        open.writes.noted()
    }

    /// The cached user learns the end's `lastSeen` when it is written, within the linger.
    public func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) throws {
        let open = try opened()
        open.history.noteEnd(id: id, at: endedAt, reason: reason)
        open.writes.noted()
    }

    public func sessions(ofUser userID: Int64) async throws -> [SessionRecord] {
        try await flush()
        return try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM sessions WHERE userId = ? ORDER BY startedAt, rowid"),
                arguments: [userID]
            ).map(Self.session(from:))
        }
    }

    public func flush() async throws {
        try await opened().writes.perform { _ in }
    }

    /// Folds the WAL back into the database file and refuses every later call.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let open = connection
        do {
            try await open.writes.perform { _ in }
        } catch {
            logger.error("flushing queued writes failed", metadata: ["database": "\(location)", "error": "\(error)"])
        }
        let writer = open.database
        if isFile {
            do {
                try await writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            } catch {
                // Not fatal: the WAL is durable and SQLite folds it in on the next open.
                logger.warning("WAL checkpoint failed", metadata: ["database": "\(location)", "error": "\(error)"])
            }
        }
        logger.info("user store closed", metadata: ["database": "\(location)"])
    }

    private func opened() throws -> Connection {
        guard !closed.load(ordering: .acquiring) else { throw UserStoreError.closed }
        return connection
    }

    /// A lookup where the caller stands: a file's reads never wait for the writer (WAL), but an
    /// in-memory database has one connection, and its reads queue behind the writer's
    /// transactions, so there only the cache answers at once.
    private func lookUpImmediately(_ name: String, in open: Connection) throws -> Immediate<StoredUser?> {
        if isFile { return .done(try lookUp(name, in: open)) }
        guard let cached = open.users.user(named: name) else { return .mustWait }
        return .done(cached)
    }

    /// A user by name: from the cache, or read (and then cached).
    private func lookUp(_ name: String, in open: Connection) throws -> StoredUser? {
        if let cached = open.users.user(named: name) { return cached }
        let generation = open.users.generation
        guard let found = try open.database.unsafeRead({ db in try Self.fetchUser(db, named: name) }) else { return nil }
        open.users.filled(by: found, readAt: generation)
        return found
    }

    /// The cache learns the new `lastSeen` when the ledger writes it (see `UserCache`: nothing
    /// decides on a cached `lastSeen`, so teaching it at once only added a contended lock and two
    /// lookups to every start).
    private func queueLastSeen(_ date: Date, ofUserID id: Int64, in open: Connection) {
        open.history.noteLastSeen(date, ofUser: id)
        open.writes.noted()
    }

    /// A read of one statement on the calling thread. Not `async`, so that GRDB's synchronous read
    /// is the one chosen. `unsafeRead` skips the transaction GRDB wraps around a read: one SELECT
    /// is atomic by itself, and the BEGIN/COMMIT pair cost more than the lookup.
    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        try opened().database.unsafeRead(body)
    }

    private static func configuration() -> GRDB.Configuration {
        _ = processSettings
        var configuration = GRDB.Configuration()
        configuration.label = "sessiongate.users"
        // Another process (a second gateway, the sqlite3 shell) may hold the write lock for a moment.
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        return configuration
    }

    /// SQLite's process-wide settings (`sg_sqlite_configure_process`), applied once before the
    /// first connection opens (after that SQLite refuses them and keeps its defaults): no memory
    /// statistics, no mutex around each call on a connection. Each took a mutex: 112 mutex
    /// entries per session's bookkeeping with both, 23 without the first (BENCHMARKS.md §3).
    private static let processSettings: Void = {
        _ = sg_sqlite_configure_process()
    }()

    private static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
