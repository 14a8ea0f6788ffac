import Foundation
import GRDB
import StrictJSON
import ChatFunctions

/// Conversions between rows and the store's values, in one place.
extension SQLiteUserStore {
    static func fetchUser(_ db: Database, named name: String) throws -> StoredUser? {
        // Columns by position: a start reads its user every time, and finding a column by name
        // is a search through the row's names.
        let statement = try db.cachedStatement(
            sql: """
                SELECT id, name, displayName, displayPictureUrl, isGuest, properties, createdTime, lastSeen
                FROM users WHERE name = ?
                """
        )
        return try Row.fetchOne(statement, arguments: [name]).map(user(from:))
    }

    /// A row of `fetchUser`'s SELECT.
    private static func user(from row: Row) throws -> StoredUser {
        let name: String = try row.decode(atIndex: 1)
        return StoredUser(
            id: try row.decode(atIndex: 0),
            name: name,
            displayName: try row.decode(atIndex: 2),
            displayPictureUrl: try row.decode(atIndex: 3),
            isGuest: try row.decode(atIndex: 4),
            properties: try StoredProperties.object(from: try row.decode(atIndex: 5), user: name),
            createdTime: try date(row[6] as DatabaseValue, "createdTime"),
            lastSeen: try optionalDate(row[7] as DatabaseValue, "lastSeen")
        )
    }

    static func session(from row: Row) throws -> SessionRecord {
        let reason: String? = try row.decode(forColumn: "endReason")
        return SessionRecord(
            id: try row.decode(forColumn: "id"),
            userID: try row.decode(forColumn: "userId"),
            startedAt: try date(row["startedAt"], "startedAt"),
            endedAt: try optionalDate(row["endedAt"], "endedAt"),
            endReason: try reason.map { text in
                guard let reason = SessionEndReason(rawValue: text) else {
                    throw UserStoreError.corruptData("unknown session end reason \"\(text)\"")
                }
                return reason
            },
            remoteAddress: try row.decode(forColumn: "remoteAddress"),
            userAgent: try row.decode(forColumn: "userAgent"),
            functionSetVersion: try row.decode(forColumn: "functionSetVersion")
        )
    }

    /// Inserts the user and returns it with the id SQLite assigned.
    static func insert(_ user: StoredUser, _ db: Database) throws -> StoredUser {
        try db.cachedStatement(
            sql: """
                INSERT INTO users (name, displayName, displayPictureUrl, isGuest, properties, createdTime, lastSeen)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            user.name, user.displayName, user.displayPictureUrl, user.isGuest,
            StoredProperties.text(user.properties), Timestamp.sqlText(user.createdTime), user.lastSeen.map(Timestamp.sqlText),
        ])
        var inserted = user
        inserted.id = db.lastInsertedRowID
        return inserted
    }

    /// Writes every mutable field of an existing user (the id and name stay).
    static func update(_ user: StoredUser, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE users SET displayName = ?, displayPictureUrl = ?, isGuest = ?, properties = ?, lastSeen = ?
                WHERE id = ?
                """
        ).execute(arguments: [
            user.displayName, user.displayPictureUrl, user.isGuest, StoredProperties.text(user.properties),
            user.lastSeen.map(Timestamp.sqlText), user.id,
        ])
    }

    static func setLastSeen(_ date: Date, ofUser id: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE users SET lastSeen = ? WHERE id = ?")
            .execute(arguments: [Timestamp.sqlText(date), id])
    }

    /// Dates are stored as GRDB stores them (`yyyy-MM-dd HH:mm:ss.SSS`, UTC) but formatted and read
    /// here: GRDB goes through DateFormatter and Calendar, which cost more than the rest of a start.
    private static func date(_ value: DatabaseValue, _ column: String) throws -> Date {
        guard let date = try optionalDate(value, column) else {
            throw UserStoreError.corruptData("\(column) is missing")
        }
        return date
    }

    private static func optionalDate(_ value: DatabaseValue, _ column: String) throws -> Date? {
        if value.isNull { return nil }
        if case .string(let text) = value.storage, let date = Timestamp.parseSQLText(text) { return date }
        guard let date = Date.fromDatabaseValue(value) else {
            throw UserStoreError.corruptData("\(column) is not a date: \(value)")
        }
        return date
    }
}
