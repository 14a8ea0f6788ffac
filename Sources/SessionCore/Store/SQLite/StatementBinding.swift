import ChatFunctions
import Foundation
import GRDB
import GRDBSQLite

/// Binds and runs one of GRDB's cached statements through SQLite's C interface, for the
/// bookkeeping writes that run hundreds of times per transaction.
///
/// GRDB's `execute(arguments:)` takes an array of `DatabaseValueConvertible` existentials, each
/// boxed, copied and checked; for the bookkeeping that was a third of the writer's time. Here
/// each value goes straight to `sqlite3_bind_*` (SQLite copies text at once, `SQLITE_TRANSIENT`).
///
/// Safety: only on the connection's own queue, inside a transaction the caller holds, and only
/// for statements that need none of GRDB's observation (plain INSERTs and UPDATEs of the
/// bookkeeping). Errors come back as GRDB's `DatabaseError`, so the batcher treats them as any
/// other write's.
struct StatementBinding {
    private let handle: SQLiteStatement

    init(_ statement: Statement) {
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// An empty string binds as empty text, not NULL (a null pointer would bind NULL).
    func bind(_ text: String, at index: Int32, _ db: Database) throws {
        var text = text
        try text.withUTF8 { try bind(utf8: $0, at: index, db) }
    }

    func bind(utf8 text: UnsafeBufferPointer<UInt8>, at index: Int32, _ db: Database) throws {
        let code = text.withMemoryRebound(to: CChar.self) { chars in
            guard let start = chars.baseAddress, !chars.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
            return sqlite3_bind_text(handle, index, start, Int32(chars.count), Self.transient)
        }
        try check(code, db)
    }

    /// A date as `Timestamp.sqlText`'s text.
    func bind(_ date: Date, at index: Int32, _ db: Database) throws {
        try Timestamp.withUTF8(date, .sql) { try bind(utf8: $0, at: index, db) }
    }

    func bind(_ date: Date?, at index: Int32, _ db: Database) throws {
        guard let date else { return try check(sqlite3_bind_null(handle, index), db) }
        try bind(date, at: index, db)
    }

    func bind(_ text: String?, at index: Int32, _ db: Database) throws {
        guard let text else { return try check(sqlite3_bind_null(handle, index), db) }
        try bind(text, at: index, db)
    }

    func bind(_ value: Int64, at index: Int32, _ db: Database) throws {
        try check(sqlite3_bind_int64(handle, index, value), db)
    }

    /// A value SQLite refused to bind (too big, an index past the statement's) fails the write
    /// rather than leaving that parameter NULL.
    private func check(_ code: Int32, _ db: Database) throws {
        guard code == SQLITE_OK else { throw failure(code, db) }
    }

    /// Runs a statement that returns no rows.
    func stepToEnd(_ db: Database) throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure(code, db) }
    }

    /// Runs a statement that returns at most one integer (`RETURNING`): it, or `nil` for no row.
    func stepForInteger(_ db: Database) throws -> Int64? {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_DONE:
            return nil
        case SQLITE_ROW:
            let value = sqlite3_column_int64(handle, 0)
            let rest = sqlite3_step(handle)
            guard rest == SQLITE_DONE else { throw failure(rest, db) }
            return value
        default:
            throw failure(code, db)
        }
    }

    private func failure(_ code: Int32, _ db: Database) -> DatabaseError {
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage,
                             sql: String(cString: sqlite3_sql(handle)))
    }

    /// SQLite's `SQLITE_TRANSIENT`, which its C header spells as a cast Swift cannot import.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
