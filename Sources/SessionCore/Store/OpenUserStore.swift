import Logging

/// Opens the store named by `--database`: `sqlite:PATH` (relative to the working directory) or
/// `sqlite::memory:` for a throw-away one. PostgreSQL needs the network: see the `async` overload.
///
/// - Throws: `UserStoreError.unsupportedDatabase` for anything else (its description says what is
///   accepted), `UserStoreError.cannotOpen` when the file cannot be opened or migrated.
public func openUserStore(_ database: String, logger: Logger) throws -> any UserStore {
    let scheme = "sqlite:"
    guard database.hasPrefix(scheme) else { throw UserStoreError.unsupportedDatabase(redactedDatabase(database)) }
    let path = String(database.dropFirst(scheme.count))
    if path == ":memory:" {
        return try SQLiteUserStore(inMemoryWithLogger: logger)
    }
    guard !path.isEmpty else { throw UserStoreError.unsupportedDatabase(database) }
    return try SQLiteUserStore(path: path, logger: logger)
}

/// Opens any store `--database` can name, PostgreSQL included (`postgres://…`, `postgresql://…`):
/// connects, migrates the schema and registers `instanceID` in it.
///
/// - Parameter password: `SESSIONGATE_DATABASE_PASSWORD`, which wins over a password in the URL.
public func openUserStore(_ database: String, instanceID: String, password: String?, logger: Logger) async throws -> any UserStore {
    guard PostgresDatabaseURL.isPostgres(database) else { return try openUserStore(database, logger: logger) }
    let url = try PostgresDatabaseURL(database, password: password)
    return try await PostgresUserStore.open(url, instanceID: instanceID, logger: logger)
}

/// `--database` as it may be shown: a password in a URL is replaced by `***`.
public func redactedDatabase(_ database: String) -> String {
    PostgresDatabaseURL.redacted(database)
}
