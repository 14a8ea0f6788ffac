import ChatFunctions
import Foundation
import GRDB
import Testing
@testable import SessionCore

/// The `lastSeen` notes of one transaction become one update per user, with the latest value,
/// and never move a stored `lastSeen` back.
@Suite struct LastSeenLedgerTests {
    let queue: DatabaseQueue
    let ledger = LastSeenLedger()
    let batcher: WriteBatcher
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        let queue = try DatabaseQueue()
        let stored = Timestamp.sqlText(base.addingTimeInterval(100))
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, lastSeen TEXT)")
            try db.execute(sql: "INSERT INTO users (id, lastSeen) VALUES (1, NULL), (2, ?)", arguments: [stored])
        }
        self.queue = queue
        batcher = WriteBatcher(writer: queue, logger: quietLogger, hooks: ledger.hooks)
    }

    private func lastSeen(_ id: Int64) throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT lastSeen FROM users WHERE id = ?", arguments: [id]) }
    }

    @Test func theLatestNoteOfATransactionIsWrittenOnce() async throws {
        let before = queue.inDatabase { $0.totalChangesCount }
        try await batcher.perform { _ in
            ledger.note(base.addingTimeInterval(5), ofUser: 1)
            ledger.note(base.addingTimeInterval(9), ofUser: 1)
            ledger.note(base.addingTimeInterval(7), ofUser: 1)
        }
        #expect(queue.inDatabase { $0.totalChangesCount } - before == 1, "three notes, one row update")
        #expect(try lastSeen(1) == Timestamp.sqlText(base.addingTimeInterval(9)))
    }

    @Test func aNoteNeverMovesLastSeenBack() async throws {
        try await batcher.perform { _ in ledger.note(base.addingTimeInterval(50), ofUser: 2) }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(100)))
        try await batcher.perform { _ in ledger.note(base.addingTimeInterval(150), ofUser: 2) }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(150)))
    }

    @Test func notesOfARolledBackAttemptAreForgotten() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await batcher.perform { _ in
                ledger.note(base.addingTimeInterval(500), ofUser: 1)
                throw Refused()
            }
        }
        try await batcher.perform { _ in }
        #expect(try lastSeen(1) == nil)
    }
}
