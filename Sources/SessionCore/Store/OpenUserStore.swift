import Logging

/// Opens the store named by `--database`: `sqlite:PATH` (relative to the working directory) or
/// `sqlite::memory:` for a throw-away one.
///
/// - Throws: `UserStoreError.unsupportedDatabase` for anything else (its description says what is
///   accepted), `UserStoreError.cannotOpen` when the file cannot be opened or migrated.
public func openUserStore(_ database: String, logger: Logger) throws -> any UserStore {
    let scheme = "sqlite:"
    guard database.hasPrefix(scheme) else { throw UserStoreError.unsupportedDatabase(database) }
    let path = String(database.dropFirst(scheme.count))
    if path == ":memory:" {
        return try SQLiteUserStore(inMemoryWithLogger: logger)
    }
    guard !path.isEmpty else { throw UserStoreError.unsupportedDatabase(database) }
    return try SQLiteUserStore(path: path, logger: logger)
}
