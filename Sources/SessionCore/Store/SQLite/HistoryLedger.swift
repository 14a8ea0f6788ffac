import ChatFunctions
import Foundation
import GRDB
import Synchronization

/// The session bookkeeping of the transaction being committed: noted by the batch's writes,
/// written once when they have all run (`WriteBatcher.TransactionHooks`).
///
/// A short session is a history row inserted, the same row ended, and its user's `lastSeen`
/// set three times (start, row, end); under load most of that lands in one transaction. Noted
/// here instead, the rows go in as multi-row INSERTs with the ends that arrived meanwhile folded
/// in, and each user gets one `lastSeen` update with the latest value. That update never moves
/// `lastSeen` back, so a note cannot undo a later full-row write of the same user in the batch
/// (timestamps in `Timestamp.sqlText` form sort as text).
final class HistoryLedger: Sendable {
    private struct Pending {
        /// History rows to insert, in the order their starts were recorded.
        var rows: [SessionRecord] = []
        var rowIndex: [String: Int] = [:]
        var lastSeen: [Int64: Date] = [:]
    }

    private let pending = Mutex(Pending())
    /// Rows per INSERT: a few fixed sizes, so that few statements are prepared.
    private static let chunkSizes = [64, 16, 4, 1]

    /// A session's row, to insert at the end of the transaction (a second start of one id is
    /// ignored, as `INSERT OR IGNORE` would).
    func noteStart(_ session: SessionRecord) {
        let isNew = pending.withLock { pending in
            guard pending.rowIndex[session.id] == nil else { return false }
            pending.rowIndex[session.id] = pending.rows.count
            pending.rows.append(session)
            return true
        }
        if isNew { noteLastSeen(session.startedAt, ofUser: session.userID) }
    }

    /// Ends a row still waiting in this transaction: its user's id, or `nil` when the row is not
    /// pending here (it must be updated in the database) or is already ended (nothing to do).
    func foldEnd(id: String, at endedAt: Date, reason: SessionEndReason) -> (folded: Bool, userID: Int64?) {
        pending.withLock { pending in
            guard let index = pending.rowIndex[id] else { return (false, nil) }
            guard pending.rows[index].endedAt == nil else { return (true, nil) }
            pending.rows[index].endedAt = endedAt
            pending.rows[index].endReason = reason
            return (true, pending.rows[index].userID)
        }
    }

    func noteLastSeen(_ date: Date, ofUser id: Int64) {
        pending.withLock { pending in
            if let known = pending.lastSeen[id], known >= date { return }
            pending.lastSeen[id] = date
        }
    }

    var hooks: WriteBatcher.TransactionHooks {
        WriteBatcher.TransactionHooks(
            begin: { [self] in pending.withLock { $0 = Pending() } },
            end: { [self] db in try write(db) }
        )
    }

    private func write(_ db: Database) throws {
        let noted = pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
        var rows = noted.rows[...]
        while !rows.isEmpty {
            let size = Self.chunkSizes.first { $0 <= rows.count }!
            try insert(rows.prefix(size), db)
            rows = rows.dropFirst(size)
        }
        guard !noted.lastSeen.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "UPDATE users SET lastSeen = ?1 WHERE id = ?2 AND (lastSeen IS NULL OR lastSeen < ?1)"
        )
        for (id, date) in noted.lastSeen {
            try statement.execute(arguments: [Timestamp.sqlText(date), id])
        }
    }

    private func insert(_ rows: ArraySlice<SessionRecord>, _ db: Database) throws {
        let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", ")
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO sessions
                (id, userId, startedAt, endedAt, endReason, remoteAddress, userAgent, functionSetVersion)
                VALUES \(placeholders)
                """
        )
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(rows.count * 8)
        for session in rows {
            values += [
                session.id, session.userID, Timestamp.sqlText(session.startedAt), session.endedAt.map(Timestamp.sqlText),
                session.endReason?.rawValue, session.remoteAddress, session.userAgent, session.functionSetVersion,
            ] as [(any DatabaseValueConvertible)?]
        }
        try statement.execute(arguments: StatementArguments(values))
    }
}
