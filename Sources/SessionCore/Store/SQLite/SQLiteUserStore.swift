import ChatFunctions
import Foundation
import GRDB
import Logging
import Synchronization

/// The user store in SQLite, through GRDB.
///
/// A file is opened as a `DatabasePool` in WAL mode with `synchronous=NORMAL`: a transaction that
/// has committed is in the WAL file, so it survives the process being killed (only an operating
/// system crash or power loss could drop the last commits). Writes are IMMEDIATE transactions,
/// serialized by GRDB within the process and by SQLite's lock (with a busy timeout) across processes.
/// Every access is async and never blocks a thread of the cooperative pool.
///
/// `close()` does not call GRDB's `close()`: GRDB crashes (rather than throws) when a closed
/// connection is used, and a start may still be in flight. It drops the store's reference instead,
/// so later calls throw `UserStoreError.closed` and the connections close when the last in-flight
/// access lets go.
public final class SQLiteUserStore: UserStore {
    /// `sqlite:PATH` or `sqlite::memory:`, for log lines and errors.
    public let location: String
    private let connection: Mutex<(any DatabaseWriter)?>
    private let isFile: Bool
    private let logger: Logger

    /// Opens the database file at `path` (relative to the working directory), creating it when
    /// missing, and migrates it to the current schema.
    public init(path: String, logger: Logger) throws {
        location = "sqlite:\(path)"
        isFile = true
        self.logger = logger
        do {
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrator.migrate(pool)
            connection = Mutex(pool)
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
            connection = Mutex(queue)
        } catch {
            throw UserStoreError.cannotOpen(location: location, reason: Self.describe(error))
        }
    }

    public func user(named name: String) async throws -> StoredUser? {
        try await writer().read { db in try Self.fetchUser(db, named: name) }
    }

    public func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser {
        try await writer().write { db in
            if var existing = try Self.fetchUser(db, named: name) {
                guard existing.isGuest else { return existing }
                existing.lastSeen = now
                try Self.update(existing, db)
                return existing
            }
            let guest = StoredUser(id: 0, name: name, displayName: name, isGuest: true, createdTime: now, lastSeen: now)
            return try Self.insert(guest, db)
        }
    }

    public func createOrUpgrade(named name: String, profile: Profile, at now: Date) async throws -> StoredUser {
        try await writer().write { db in
            let existing = try Self.fetchUser(db, named: name)
            // The id of a new user is only known after the insert.
            let user = profile.applied(to: existing, name: name, newID: 0, at: now)
            guard existing != nil else { return try Self.insert(user, db) }
            try Self.update(user, db)
            return user
        }
    }

    public func insert(_ new: NewUser) async throws -> StoredUser {
        try await writer().write { db in
            guard try Self.fetchUser(db, named: new.name) == nil else { throw UserStoreError.nameTaken(new.name) }
            let user = StoredUser(
                id: 0, name: new.name, displayName: new.displayName ?? new.name,
                displayPictureUrl: new.displayPictureUrl, isGuest: new.isGuest, properties: new.properties,
                createdTime: new.createdTime
            )
            return try Self.insert(user, db)
        }
    }

    public func userCount() async throws -> Int {
        try await writer().read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    public func recordSessionStart(_ session: SessionRecord) async throws {
        try await writer().write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO sessions
                    (id, userId, startedAt, endedAt, endReason, remoteAddress, userAgent, functionSetVersion)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, session.userID, session.startedAt, session.endedAt, session.endReason?.rawValue,
                    session.remoteAddress, session.userAgent, session.functionSetVersion,
                ]
            )
            try db.execute(
                sql: "UPDATE users SET lastSeen = ? WHERE id = ?", arguments: [session.startedAt, session.userID]
            )
        }
    }

    public func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) async throws {
        try await writer().write { db in
            try db.execute(
                sql: "UPDATE sessions SET endedAt = ?, endReason = ? WHERE id = ? AND endedAt IS NULL",
                arguments: [endedAt, reason.rawValue, id]
            )
            guard db.changesCount > 0 else { return }
            try db.execute(
                sql: "UPDATE users SET lastSeen = ? WHERE id = (SELECT userId FROM sessions WHERE id = ?)",
                arguments: [endedAt, id]
            )
        }
    }

    public func sessions(ofUser userID: Int64) async throws -> [SessionRecord] {
        try await writer().read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sessions WHERE userId = ? ORDER BY startedAt, rowid", arguments: [userID]
            ).map(Self.session(from:))
        }
    }

    /// Folds the WAL back into the database file and refuses every later call.
    public func close() async throws {
        guard let writer = connection.withLock({ $0.take() }) else { return }
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

    private func writer() throws -> any DatabaseWriter {
        guard let writer = connection.withLock({ $0 }) else { throw UserStoreError.closed }
        return writer
    }

    private static func configuration() -> GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.label = "sessiongate.users"
        // Another process (a second gateway, the sqlite3 shell) may hold the write lock for a moment.
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        return configuration
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
