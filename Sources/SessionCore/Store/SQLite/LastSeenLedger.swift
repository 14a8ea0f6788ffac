import ChatFunctions
import Foundation
import GRDB
import Synchronization

/// The `lastSeen` values a transaction's writes noted, written once per user when it ends.
///
/// A start sets its user's `lastSeen`, its history row sets it again, its end once more: three
/// updates of one row for each short session, most of them in the same transaction under load.
/// Noted here instead, each user gets one update per transaction, with the latest value. The
/// update never moves `lastSeen` back, so a note cannot undo a later full-row write of the same
/// user in the batch (timestamps in `Timestamp.sqlText` form sort as text).
final class LastSeenLedger: Sendable {
    private let notes = Mutex<[Int64: Date]>([:])

    /// Called by a write body on GRDB's writer, during the transaction.
    func note(_ date: Date, ofUser id: Int64) {
        notes.withLock { notes in
            if let known = notes[id], known >= date { return }
            notes[id] = date
        }
    }

    var hooks: WriteBatcher.TransactionHooks {
        WriteBatcher.TransactionHooks(
            begin: { [self] in notes.withLock { $0.removeAll(keepingCapacity: true) } },
            end: { [self] db in try write(db) }
        )
    }

    private func write(_ db: Database) throws {
        let pending = notes.withLock { notes in
            defer { notes.removeAll(keepingCapacity: true) }
            return notes
        }
        guard !pending.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "UPDATE users SET lastSeen = ?1 WHERE id = ?2 AND (lastSeen IS NULL OR lastSeen < ?1)"
        )
        for (id, date) in pending {
            try statement.execute(arguments: [Timestamp.sqlText(date), id])
        }
    }
}
