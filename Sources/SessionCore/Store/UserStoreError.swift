/// Why the user store refused or failed an operation.
public enum UserStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--database` names a store this build does not know.
    case unsupportedDatabase(String)
    /// The database could not be opened or migrated.
    case cannotOpen(location: String, reason: String)
    /// A user with this name exists already.
    case nameTaken(String)
    /// A stored row cannot be read back (e.g. properties that are not a JSON object).
    case corruptData(String)
    /// The store was closed.
    case closed
    /// The database cannot be reached now (or did not answer in time).
    case unavailable

    public var description: String {
        switch self {
        case .unsupportedDatabase(let text):
            "unsupported database \"\(text)\": expected \"sqlite:PATH\" (a file, relative to the working directory), \"sqlite::memory:\" or \"postgres://USER:PASSWORD@HOST:PORT/DB\" (also postgresql://, ?sslmode=disable|prefer|require)"
        case .cannotOpen(let location, let reason):
            "cannot open the user store \(location): \(reason)"
        case .nameTaken(let name):
            "a user named \"\(name)\" exists already"
        case .corruptData(let detail):
            "the user store holds data it cannot read: \(detail)"
        case .closed:
            "the user store is closed"
        case .unavailable:
            "the database cannot be reached"
        }
    }
}
