import GRDB

extension SQLiteUserStore {
    /// The schema, one migration per change. Never edit a registered migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: users and session history") { db in
            try db.create(table: "users") { table in
                // AUTOINCREMENT so that the id of a deleted user is never handed out again.
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull().unique()
                table.column("displayName", .text).notNull()
                table.column("displayPictureUrl", .text)
                table.column("isGuest", .boolean).notNull()
                table.column("properties", .text).notNull().defaults(to: "{}")
                table.column("createdTime", .datetime).notNull()
                table.column("lastSeen", .datetime)
            }
            try db.create(table: "sessions") { table in
                table.primaryKey("id", .text)
                table.column("userId", .integer).notNull().references("users", onDelete: .cascade)
                table.column("startedAt", .datetime).notNull()
                table.column("endedAt", .datetime)
                table.column("endReason", .text)
                table.column("remoteAddress", .text).notNull()
                table.column("userAgent", .text)
                table.column("functionSetVersion", .text)
            }
            try db.create(index: "sessions_userId", on: "sessions", columns: ["userId", "startedAt"])
        }
        return migrator
    }
}
