import Foundation
import GRDB
import StrictJSON

/// Conversions between rows and the store's values, in one place.
extension SQLiteUserStore {
    /// Deep enough for anything a profile can hold; the parser does not recurse, so this costs nothing.
    private static let propertiesMaxDepth = 10_000

    static func fetchUser(_ db: Database, named name: String) throws -> StoredUser? {
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(user(from:))
    }

    static func user(from row: Row) throws -> StoredUser {
        let name: String = try row.decode(forColumn: "name")
        return StoredUser(
            id: try row.decode(forColumn: "id"),
            name: name,
            displayName: try row.decode(forColumn: "displayName"),
            displayPictureUrl: try row.decode(forColumn: "displayPictureUrl"),
            isGuest: try row.decode(forColumn: "isGuest"),
            properties: try properties(from: try row.decode(forColumn: "properties"), user: name),
            createdTime: try row.decode(forColumn: "createdTime"),
            lastSeen: try row.decode(forColumn: "lastSeen")
        )
    }

    static func session(from row: Row) throws -> SessionRecord {
        let reason: String? = try row.decode(forColumn: "endReason")
        return SessionRecord(
            id: try row.decode(forColumn: "id"),
            userID: try row.decode(forColumn: "userId"),
            startedAt: try row.decode(forColumn: "startedAt"),
            endedAt: try row.decode(forColumn: "endedAt"),
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
        try db.execute(
            sql: """
                INSERT INTO users (name, displayName, displayPictureUrl, isGuest, properties, createdTime, lastSeen)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                user.name, user.displayName, user.displayPictureUrl, user.isGuest,
                propertiesText(user.properties), user.createdTime, user.lastSeen,
            ]
        )
        var inserted = user
        inserted.id = db.lastInsertedRowID
        return inserted
    }

    /// Writes every mutable field of an existing user (the id and name stay).
    static func update(_ user: StoredUser, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE users SET displayName = ?, displayPictureUrl = ?, isGuest = ?, properties = ?, lastSeen = ?
                WHERE id = ?
                """,
            arguments: [
                user.displayName, user.displayPictureUrl, user.isGuest, propertiesText(user.properties),
                user.lastSeen, user.id,
            ]
        )
    }

    static func propertiesText(_ properties: JSONObject) -> String {
        JSONValue.object(properties).encoded()
    }

    private static func properties(from text: String, user: String) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, maxDepth: propertiesMaxDepth)
        } catch {
            throw UserStoreError.corruptData("properties of user \"\(user)\": \(error.message)")
        }
        guard let object = value.objectValue else {
            throw UserStoreError.corruptData("properties of user \"\(user)\" are not a JSON object")
        }
        return object
    }
}
