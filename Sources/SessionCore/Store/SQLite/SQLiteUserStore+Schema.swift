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
        // Every history row enters the user index at a random place (the users of one
        // transaction's rows interleave), and with `startedAt` in its key each entry was three
        // times wider: the index cost about a third of the writer's time per session. A user's
        // sessions are now sorted by `startedAt` when listed (an admin read), and the index on
        // `userId` alone still serves that read and the cascade when a user is deleted.
        migrator.registerMigration("v2: session history indexed by user alone") { db in
            try db.drop(index: "sessions_userId")
            try db.create(index: "sessions_user", on: "sessions", columns: ["userId"])
        }
        return migrator
    }
}
