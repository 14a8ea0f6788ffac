import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import SessionCore

/// SQLite's process-wide settings (`SQLiteUserStore.processSettings`) are applied by the first
/// store, before its connection opens. Checked in a process of its own: in this one, other
/// tests open SQLite directly, and whichever opens it first decides.
@Suite struct SQLiteProcessSettingsTests {
    @Test func theFirstStoreTurnsOffMemoryStatisticsAndConnectionMutexes() async {
        await #expect(processExitsWith: .success) {
            let store = try SQLiteUserStore(inMemoryWithLogger: quietLogger)
            _ = try await store.findOrCreateGuest(named: "visitor", at: Date())
            // Any connection opened afterwards has no mutex of its own (multi-thread mode)...
            let other = try DatabaseQueue()
            let mutex = try other.inDatabase { db in sqlite3_db_mutex(db.sqliteConnection) }
            // ...and SQLite counts none of its memory, though two connections have used some.
            guard mutex == nil, sqlite3_memory_used() == 0 else { exit(1) }
        }
    }
}
