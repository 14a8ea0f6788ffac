import ChatFunctions
import Foundation
import GRDB
import Synchronization

/// The session bookkeeping waiting for the next transaction: noted straight from the start and
/// end paths, written by `WriteBatcher` at the end of a transaction.
///
/// A short session is a history row inserted, the same row ended, and its user's `lastSeen`
/// set three times (start, row, end). Noted here, the rows go in as multi-row INSERTs with the
/// ends that arrived meanwhile folded in, and each user gets one `lastSeen` update with the
/// latest value. That update never moves `lastSeen` back, so a note cannot undo a later
/// full-row write of the same user (timestamps in `Timestamp.sqlText` form sort as text).
///
/// `lastSeen` notes gather longer than rows (`lastSeenInterval`): under load nearly every row
/// is a different user's, so written with each transaction they cost an UPDATE per row, as much
/// as the row itself. A write someone awaits (`WriteBatcher.perform`, `flush()`) takes them
/// along whatever their age.
///
/// A note is a few dictionary operations under one lock: no closure, no queued write, no task.
final class HistoryLedger: Sendable {
    /// What one transaction writes.
    struct Notes: Sendable {
        /// History rows to insert, in the order their starts were noted.
        var rows: [SessionRecord] = []
        var rowIndex: [SessionKey: Int] = [:]
        /// Ends of rows that are not among `rows` (written in an earlier transaction).
        var ends: [End] = []
        var lastSeen: [Int64: Date] = [:]
        /// Whether this transaction writes `lastSeen`: when it does not, what the ends' updates
        /// learn goes back to the ledger for a later one.
        var includesLastSeen = false

        var isEmpty: Bool { rows.isEmpty && ends.isEmpty && lastSeen.isEmpty }
    }

    /// When the notes want a transaction.
    enum Readiness: Equatable {
        case nothing
        case now
        /// Only `lastSeen` notes wait, and they are due then.
        case after(Duration)
    }

    private struct Pending {
        var notes = Notes()
        /// When the oldest `lastSeen` note still waiting was made.
        var lastSeenSince: ContinuousClock.Instant?
    }

    struct End: Sendable {
        let id: String
        let endedAt: Date
        let reason: SessionEndReason
    }

    private let pending = Mutex(Pending())
    /// Learns each `lastSeen` written, the ends' included (whose users only the update knows).
    private let users: UserCache?
    /// How long `lastSeen` notes gather before a transaction takes them (zero: every transaction).
    let lastSeenInterval: Duration

    init(users: UserCache? = nil, lastSeenInterval: Duration = .zero) {
        self.users = users
        self.lastSeenInterval = lastSeenInterval
    }
    /// Rows per INSERT: a few fixed sizes, so that few statements are prepared.
    private static let chunkSizes = [64, 16, 4, 1]
    /// Each chunk size's INSERT, made once: the text is the cached statement's key, and
    /// building it for every chunk cost a few allocations each time.
    private static let insertSQL: [Int: String] = Dictionary(uniqueKeysWithValues: chunkSizes.map { size in
        let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: size).joined(separator: ", ")
        return (size, """
            INSERT OR IGNORE INTO sessions
            (id, userId, startedAt, endedAt, endReason, remoteAddress, userAgent, functionSetVersion)
            VALUES \(placeholders)
            """)
    })

    func readiness(at now: ContinuousClock.Instant = .now) -> Readiness {
        pending.withLock { pending in
            if !pending.notes.rows.isEmpty || !pending.notes.ends.isEmpty { return .now }
            guard let since = pending.lastSeenSince else { return .nothing }
            let due = since + lastSeenInterval
            return now >= due ? .now : .after(due - now)
        }
    }

    /// A session's row (a second start of one id is ignored, as `INSERT OR IGNORE` would), and
    /// its user's `lastSeen`.
    func noteStart(_ session: SessionRecord) {
        pending.withLock { pending in
            let key = SessionKey(session.id)
            // One lookup: a start noted twice keeps its first row.
            if let first = pending.notes.rowIndex.updateValue(pending.notes.rows.count, forKey: key) {
                pending.notes.rowIndex[key] = first
                return
            }
            pending.notes.rows.append(session)
            Self.noteLastSeen(session.startedAt, ofUser: session.userID, in: &pending)
        }
    }

    /// A session's end: folded into its row when that still waits here (with its user's
    /// `lastSeen`), otherwise an update of the written row, which notes `lastSeen` when it runs.
    func noteEnd(id: String, at endedAt: Date, reason: SessionEndReason) {
        pending.withLock { pending in
            guard let index = pending.notes.rowIndex[SessionKey(id)] else {
                pending.notes.ends.append(End(id: id, endedAt: endedAt, reason: reason))
                return
            }
            guard pending.notes.rows[index].endedAt == nil else { return }
            pending.notes.rows[index].endedAt = endedAt
            pending.notes.rows[index].endReason = reason
            Self.noteLastSeen(endedAt, ofUser: pending.notes.rows[index].userID, in: &pending)
        }
    }

    func noteLastSeen(_ date: Date, ofUser id: Int64) {
        pending.withLock { Self.noteLastSeen(date, ofUser: id, in: &$0) }
    }

    private static func noteLastSeen(_ date: Date, ofUser id: Int64, in pending: inout Pending) {
        if let known = pending.notes.lastSeen[id], known >= date { return }
        pending.notes.lastSeen[id] = date
        if pending.lastSeenSince == nil { pending.lastSeenSince = .now }
    }

    /// What the next transaction writes, which the ledger forgets: every row and end, and the
    /// `lastSeen` notes when they are due or `all`. `nil` when there is nothing to write.
    func take(all: Bool = false, at now: ContinuousClock.Instant = .now) -> Notes? {
        pending.withLock { pending in
            var notes = Notes()
            swap(&notes.rows, &pending.notes.rows)
            swap(&notes.rowIndex, &pending.notes.rowIndex)
            swap(&notes.ends, &pending.notes.ends)
            // The next transaction's notes start at this one's size: grown from empty, the
            // index was rehashed at every doubling, on the threads that start sessions.
            pending.notes.rows.reserveCapacity(notes.rows.count)
            pending.notes.rowIndex.reserveCapacity(notes.rowIndex.count)
            // `all` marks the transaction as writing `lastSeen` even when none waits: the ends'
            // updates learn some.
            if all || pending.lastSeenSince.map({ now >= $0 + lastSeenInterval }) == true {
                swap(&notes.lastSeen, &pending.notes.lastSeen)
                pending.lastSeenSince = nil
                notes.includesLastSeen = true
            }
            return notes.isEmpty ? nil : notes
        }
    }

    /// Writes `notes` inside the caller's transaction: rows first, then ends of earlier rows,
    /// then one `lastSeen` update per user.
    func write(_ notes: Notes, _ db: Database) throws {
        var rows = notes.rows[...]
        while !rows.isEmpty {
            let size = Self.chunkSizes.first { $0 <= rows.count }!
            try Self.insert(rows.prefix(size), db)
            rows = rows.dropFirst(size)
        }
        var lastSeen = notes.lastSeen
        if !notes.ends.isEmpty {
            let end = try db.cachedStatement(
                sql: "UPDATE sessions SET endedAt = ?1, endReason = ?2 WHERE id = ?3 AND endedAt IS NULL RETURNING userId"
            )
            for note in notes.ends {
                let binding = StatementBinding(end)
                try binding.bind(note.endedAt, at: 1, db)
                try binding.bind(note.reason.rawValue, at: 2, db)
                try binding.bind(note.id, at: 3, db)
                guard let userID = try binding.stepForInteger(db) else { continue }
                guard notes.includesLastSeen else {
                    noteLastSeen(note.endedAt, ofUser: userID)
                    continue
                }
                if let known = lastSeen[userID], known >= note.endedAt { continue }
                lastSeen[userID] = note.endedAt
            }
        }
        guard !lastSeen.isEmpty else { return }
        let update = try db.cachedStatement(
            sql: "UPDATE users SET lastSeen = ?1 WHERE id = ?2 AND (lastSeen IS NULL OR lastSeen < ?1)"
        )
        for (id, date) in lastSeen {
            let binding = StatementBinding(update)
            try binding.bind(date, at: 1, db)
            try binding.bind(id, at: 2, db)
            try binding.stepToEnd(db)
            users?.wroteLastSeen(date, ofUserID: id)
        }
    }

    private static func insert(_ rows: ArraySlice<SessionRecord>, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: insertSQL[rows.count]!)
        let binding = StatementBinding(statement)
        var index: Int32 = 1
        for session in rows {
            try binding.bind(session.id, at: index, db)
            try binding.bind(session.userID, at: index + 1, db)
            try binding.bind(session.startedAt, at: index + 2, db)
            try binding.bind(session.endedAt, at: index + 3, db)
            try binding.bind(session.endReason?.rawValue, at: index + 4, db)
            try binding.bind(session.remoteAddress, at: index + 5, db)
            try binding.bind(session.userAgent, at: index + 6, db)
            try binding.bind(session.functionSetVersion, at: index + 7, db)
            index += 8
        }
        try binding.stepToEnd(db)
    }
}
