import ChatFunctions
import Foundation
import GRDB
import Testing
@testable import SessionCore

/// The session bookkeeping noted between transactions: rows inserted together with the ends
/// that arrived meanwhile folded in, ends of earlier rows updated, one `lastSeen` update per
/// user with the latest value, never moving a stored `lastSeen` back.
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
            try db.execute(sql: """
                CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.id = 'refused'
                BEGIN SELECT RAISE(ABORT, 'refused on purpose'); END
                """)
            try db.execute(sql: "CREATE TABLE items (n INTEGER)")
            try db.execute(sql: "INSERT INTO users (id, lastSeen) VALUES (1, NULL), (2, ?)", arguments: [stored])
        }
        self.queue = queue
        batcher = WriteBatcher(writer: queue, logger: quietLogger, ledger: ledger, linger: .milliseconds(10))
    }

    private func lastSeen(_ id: Int64) throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT lastSeen FROM users WHERE id = ?", arguments: [id]) }
    }

    private func changes() -> Int { queue.inDatabase { $0.totalChangesCount } }

    private func count(_ table: String) throws -> Int? {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") }
    }

    private func sessionIDs() throws -> [String] {
        try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM sessions") }
    }

    @Test func theLatestNoteOfATransactionIsWrittenOnce() async throws {
        let before = changes()
        ledger.noteLastSeen(base.addingTimeInterval(5), ofUser: 1)
        ledger.noteLastSeen(base.addingTimeInterval(9), ofUser: 1)
        ledger.noteLastSeen(base.addingTimeInterval(7), ofUser: 1)
        batcher.noted()
        try await batcher.perform { _ in }
        #expect(changes() - before == 1, "three notes, one row update")
        #expect(try lastSeen(1) == Timestamp.sqlText(base.addingTimeInterval(9)))
    }

    @Test func aNoteNeverMovesLastSeenBack() async throws {
        ledger.noteLastSeen(base.addingTimeInterval(50), ofUser: 2)
        try await batcher.perform { _ in }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(100)))
        ledger.noteLastSeen(base.addingTimeInterval(150), ofUser: 2)
        try await batcher.perform { _ in }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(150)))
    }

    @Test func notesAloneAreWrittenWithinTheLinger() async throws {
        ledger.noteStart(SessionRecord(id: "alone", userID: 1, startedAt: base, remoteAddress: "10.0.0.1"))
        batcher.noted()
        #expect(try lastSeen(1) == nil, "gathering, not written at once")
        var written = false
        for _ in 0..<300 where !written {
            try await Task.sleep(for: .milliseconds(10))
            written = try lastSeen(1) != nil
        }
        #expect(written)
        #expect(try count("sessions") == 1)
    }

    @Test func aFailingWriteDoesNotLoseTheNotesOfItsTransaction() async throws {
        struct Refused: Error {}
        ledger.noteLastSeen(base.addingTimeInterval(500), ofUser: 1)
        await #expect(throws: Refused.self) {
            try await batcher.perform { _ in throw Refused() }
        }
        #expect(try lastSeen(1) == Timestamp.sqlText(base.addingTimeInterval(500)))
    }

    @Test func notesThatCannotBeWrittenAreDroppedAndTheWritesOfTheirTransactionCommit() async throws {
        ledger.noteStart(SessionRecord(id: "refused", userID: 1, startedAt: base, remoteAddress: "10.0.0.1"))
        try await batcher.perform { db in try db.execute(sql: "INSERT INTO items (n) VALUES (1)") }
        #expect(try count("items") == 1)
        #expect(ledger.take() == nil, "dropped, not retried forever")
        ledger.noteStart(SessionRecord(id: "fine", userID: 1, startedAt: base, remoteAddress: "10.0.0.1"))
        try await batcher.perform { _ in }
        #expect(try sessionIDs() == ["fine"])
    }

    @Test func anEndThatArrivesBeforeItsRowIsWrittenIsFoldedIntoIt() async throws {
        let before = changes()
        for index in 0..<70 {
            let started = base.addingTimeInterval(Double(index))
            ledger.noteStart(SessionRecord(id: "s-\(index)", userID: 1, startedAt: started, remoteAddress: "10.0.0.1"))
            if index.isMultiple(of: 2) {
                ledger.noteEnd(id: "s-\(index)", at: started.addingTimeInterval(0.5), reason: .ended)
            }
        }
        // A second start of one id is ignored; a second end of a folded row changes nothing.
        ledger.noteStart(SessionRecord(id: "s-0", userID: 2, startedAt: base, remoteAddress: "x"))
        ledger.noteEnd(id: "s-0", at: base.addingTimeInterval(99), reason: .revoked)
        try await batcher.perform { _ in }
        // 70 rows in chunks of 64, 4, 1, 1, and one lastSeen update: 70 + 1 rows changed.
        #expect(changes() - before == 71)
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

    @Test func anEmptyTextIsStoredEmptyAndAMissingOneNull() async throws {
        ledger.noteStart(SessionRecord(id: "empty", userID: 1, startedAt: base, remoteAddress: "", userAgent: ""))
        ledger.noteStart(SessionRecord(id: "missing", userID: 1, startedAt: base, remoteAddress: "x", userAgent: nil))
        try await batcher.perform { _ in }
        let agents = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, remoteAddress, userAgent FROM sessions ORDER BY id")
        }
        #expect(agents.map { $0["id"] as String } == ["empty", "missing"])
        #expect(agents[0]["remoteAddress"] as String? == "")
        #expect(agents[0]["userAgent"] as String? == "")
        #expect(agents[1]["userAgent"] as String? == nil)
    }

    @Test func anEndOfARowWrittenEarlierUpdatesItAndItsUsersLastSeen() async throws {
        ledger.noteStart(SessionRecord(id: "early", userID: 2, startedAt: base.addingTimeInterval(200), remoteAddress: "x"))
        try await batcher.perform { _ in }
        ledger.noteEnd(id: "early", at: base.addingTimeInterval(260), reason: .revoked)
        ledger.noteEnd(id: "unknown", at: base.addingTimeInterval(900), reason: .ended)
        try await batcher.perform { _ in }
        let row = try queue.read { db in try Row.fetchOne(db, sql: "SELECT endedAt, endReason FROM sessions WHERE id = 'early'") }
        #expect(row?["endedAt"] as String? == Timestamp.sqlText(base.addingTimeInterval(260)))
        #expect(row?["endReason"] as String? == "revoked")
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(260)))
        // Ending it again changes nothing.
        ledger.noteEnd(id: "early", at: base.addingTimeInterval(300), reason: .ended)
        try await batcher.perform { _ in }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(260)))
    }
}

/// `lastSeen` notes gather for `lastSeenInterval` while rows go with every transaction; a timer
/// writes them when nothing else comes, and an awaited write takes them along at any age.
@Suite struct GatheredLastSeenTests {
    let queue: DatabaseQueue
    let ledger = HistoryLedger(lastSeenInterval: .milliseconds(400))
    let batcher: WriteBatcher
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, lastSeen TEXT)")
            try db.execute(sql: """
                CREATE TABLE sessions (id TEXT PRIMARY KEY, userId INTEGER, startedAt TEXT, endedAt TEXT, endReason TEXT,
                                       remoteAddress TEXT, userAgent TEXT, functionSetVersion TEXT)
                """)
            try db.execute(sql: "INSERT INTO users (id, lastSeen) VALUES (1, NULL), (2, NULL)")
        }
        self.queue = queue
        batcher = WriteBatcher(writer: queue, logger: quietLogger, ledger: ledger, linger: .milliseconds(10))
    }

    private func lastSeen(_ id: Int64) throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT lastSeen FROM users WHERE id = ?", arguments: [id]) }
    }

    private func rowCount() throws -> Int? {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions") }
    }

    /// Polls every 10 ms for up to `limit`; the time it took, or nil.
    private func timeUntil(within limit: Duration, _ condition: () throws -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if try condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test func rowsGoWithinTheLingerAndTheirUsersLastSeenAfterTheInterval() async throws {
        let noted = ContinuousClock.now
        ledger.noteStart(SessionRecord(id: "a", userID: 1, startedAt: base, remoteAddress: "x"))
        batcher.noted()
        // Generous bounds: at the start of the whole suite the cooperative pool is saturated
        // and a polling task can wait seconds for its turn.
        let rowWritten = try await timeUntil(within: .seconds(15)) { try rowCount() == 1 }
        #expect(rowWritten != nil)
        if ContinuousClock.now - noted < .milliseconds(350) {
            #expect(try lastSeen(1) == nil, "the row went, its lastSeen gathers on")
        }
        // Nothing else is noted: the ledger's own timer writes it.
        let seen = try await timeUntil(within: .seconds(15)) { try lastSeen(1) != nil }
        #expect(seen != nil)
        #expect(ContinuousClock.now - noted >= .milliseconds(400))
        #expect(try lastSeen(1) == Timestamp.sqlText(base))
    }

    @Test func anAwaitedWriteTakesLastSeenAlongAtAnyAge() async throws {
        ledger.noteLastSeen(base.addingTimeInterval(7), ofUser: 2)
        batcher.noted()
        try await batcher.perform { _ in }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(7)))
        #expect(ledger.readiness() == .nothing)
    }

    @Test func anEndOfAnEarlierRowHandsItsLastSeenBackToTheLedger() async throws {
        ledger.noteStart(SessionRecord(id: "early", userID: 2, startedAt: base, remoteAddress: "x"))
        try await batcher.perform { _ in }
        #expect(try lastSeen(2) == Timestamp.sqlText(base))
        ledger.noteEnd(id: "early", at: base.addingTimeInterval(30), reason: .ended)
        // A transaction that is not due for lastSeen: the end's row is updated, its user's lastSeen waits.
        let notes = try #require(ledger.take())
        #expect(!notes.includesLastSeen)
        try await queue.write { db in try ledger.write(notes, db) }
        #expect(try lastSeen(2) == Timestamp.sqlText(base))
        // Waiting (`.after`), or already due on a machine slow enough to take 400 ms since.
        #expect(ledger.readiness() != .nothing, "the end's lastSeen waits in the ledger")
        let later = try #require(ledger.take(all: true))
        try await queue.write { db in try ledger.write(later, db) }
        #expect(try lastSeen(2) == Timestamp.sqlText(base.addingTimeInterval(30)))
    }

    @Test func anAwaitedWriteWritesTheLastSeenItsEndsLearn() async throws {
        ledger.noteStart(SessionRecord(id: "early", userID: 1, startedAt: base, remoteAddress: "x"))
        try await batcher.perform { _ in }
        ledger.noteEnd(id: "early", at: base.addingTimeInterval(45), reason: .ended)
        batcher.noted()
        try await batcher.perform { _ in }
        #expect(try lastSeen(1) == Timestamp.sqlText(base.addingTimeInterval(45)))
        #expect(ledger.readiness() == .nothing)
    }
}
