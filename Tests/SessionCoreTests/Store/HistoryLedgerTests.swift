import ChatFunctions
import Foundation
import GRDB
import Testing
@testable import SessionCore

/// The history noted by one transaction's writes: rows inserted together with the ends that
/// arrived meanwhile folded in, one `lastSeen` update per user with the latest value, never
/// moving a stored `lastSeen` back.
@Suite struct HistoryLedgerTests {
    let queue: DatabaseQueue
    let ledger = HistoryLedger()
    let batcher: WriteBatcher
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        let queue = try DatabaseQueue()
        let stored = Timestamp.sqlText(base.addingTimeInterval(100))
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, lastSeen TEXT)")
            try db.execute(sql: """
                CREATE TABLE sessions (id TEXT PRIMARY KEY, userId INTEGER, startedAt TEXT, endedAt TEXT, endReason TEXT,
                                       remoteAddress TEXT, userAgent TEXT, functionSetVersion TEXT)
                """)
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
            ledger.noteLastSeen(base.addingTimeInterval(5), ofUser: 1)
            ledger.noteLastSeen(base.addingTimeInterval(9), ofUser: 1)
            ledger.noteLastSeen(base.addingTimeInterval(7), ofUser: 1)
        }
        #expect(queue.inDatabase { $0.totalChangesCount } - before == 1, "three notes, one row update")
        #expect(try lastSeen(1) == Timestamp.sqlText(base.addingTimeInterval(9)))
    }

    @Test func aNoteNeverMovesLastSeenBack() async throws {
        try await batcher.perform { _ in ledger.noteLastSeen(base.addingTimeInterval(50), ofUser: 2) }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(100)))
        try await batcher.perform { _ in ledger.noteLastSeen(base.addingTimeInterval(150), ofUser: 2) }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(150)))
    }

    @Test func notesOfARolledBackAttemptAreForgotten() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await batcher.perform { _ in
                ledger.noteLastSeen(base.addingTimeInterval(500), ofUser: 1)
                throw Refused()
            }
        }
        try await batcher.perform { _ in }
        #expect(try lastSeen(1) == nil)
    }

    @Test func anEndThatArrivesInTheSameTransactionIsFoldedIntoItsRow() async throws {
        let before = queue.inDatabase { $0.totalChangesCount }
        let folded = try await batcher.perform { _ -> [Bool] in
            var folded: [Bool] = []
            for index in 0..<70 {
                let started = base.addingTimeInterval(Double(index))
                ledger.noteStart(SessionRecord(id: "s-\(index)", userID: 1, startedAt: started, remoteAddress: "10.0.0.1"))
                if index.isMultiple(of: 2) {
                    folded.append(ledger.foldEnd(id: "s-\(index)", at: started.addingTimeInterval(0.5), reason: .ended).folded)
                }
            }
            // A second start of one id is ignored; a second end of a folded row changes nothing.
            ledger.noteStart(SessionRecord(id: "s-0", userID: 2, startedAt: base, remoteAddress: "x"))
            let again = ledger.foldEnd(id: "s-0", at: base.addingTimeInterval(99), reason: .revoked)
            folded.append(again.folded && again.userID == nil)
            folded.append(!ledger.foldEnd(id: "elsewhere", at: base, reason: .ended).folded)
            return folded
        }
        #expect(folded.allSatisfy { $0 })
        // 70 rows in chunks of 64, 4, 1, 1, and one lastSeen update: 70 + 1 rows changed.
        #expect(queue.inDatabase { $0.totalChangesCount } - before == 71)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, userId, endedAt, endReason FROM sessions ORDER BY startedAt")
        }
        #expect(rows.count == 70)
        #expect(rows[0]["userId"] as Int64 == 1)
        #expect(rows[0]["endedAt"] as String? == Timestamp.sqlText(base.addingTimeInterval(0.5)))
        #expect(rows[0]["endReason"] as String? == "ended")
        #expect(rows[1]["endedAt"] as String? == nil)
        #expect(try lastSeen(1) == Timestamp.sqlText(base.addingTimeInterval(69)))
    }
}
