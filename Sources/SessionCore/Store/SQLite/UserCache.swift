import Foundation
import Synchronization

/// The users this store read or wrote in the last second, by name, so that a returning user's
/// start does not read SQLite.
///
/// Why: a one-row read of a WAL database costs more than the rest of a guest start (a connection
/// from GRDB's reader pool, a dispatch `sync`, SQLite's shared-memory read lock); skipping it was
/// worth about +40 % reused-connection cycles (BENCHMARKS.md §3).
///
/// Every write of a user row goes through this store, and each one updates the cache once it has
/// run: a whole row right after its transaction committed, on GRDB's writer and so in commit
/// order; `lastSeen` when the history ledger writes it. A read
/// fills an entry only if no row write touched the cache while the read was under way
/// (`generation`), so a slow read can never put back a row older than one a write left.
/// `lastSeen` writes do not count: under load one lands every few microseconds, and counting
/// them kept every read out of the cache, so every start read SQLite. The price is a cached
/// `lastSeen` that may be a moment behind the file's, which nothing reads (starts compare
/// profiles without it, and no reply shows it).
/// What another process writes to the same file (a second gateway, the sqlite3 shell) is not seen
/// until the entry is older than `lifetime`. Only users that exist are cached, never an absence.
final class UserCache: Sendable {
    static let defaultCapacity = 50_000

    private let state: Mutex<State>

    private struct State {
        let lifetime: Duration
        let capacity: Int
        var entries: [String: Entry] = [:]
        var namesByID: [Int64: String] = [:]
        /// Counts row writes that touched the cache; a read that saw it change fills nothing.
        var generation: UInt64 = 0

        mutating func insert(_ user: StoredUser, at now: ContinuousClock.Instant) {
            if entries[user.name] == nil, entries.count >= capacity {
                for (name, entry) in entries where now - entry.cachedAt >= lifetime { remove(name) }
                // Still full of live entries: start again rather than pick victims one by one.
                if entries.count >= capacity {
                    entries.removeAll(keepingCapacity: true)
                    namesByID.removeAll(keepingCapacity: true)
                }
            }
            if let old = entries[user.name], old.user.id != user.id { namesByID[old.user.id] = nil }
            entries[user.name] = .init(user: user, cachedAt: now)
            namesByID[user.id] = user.name
        }

        mutating func remove(_ name: String) {
            guard let entry = entries.removeValue(forKey: name) else { return }
            namesByID[entry.user.id] = nil
        }
    }

    private struct Entry {
        var user: StoredUser
        let cachedAt: ContinuousClock.Instant
    }

    init(lifetime: Duration, capacity: Int = defaultCapacity) {
        state = Mutex(State(lifetime: lifetime, capacity: capacity))
    }

    /// The cached user, unless it is missing or older than `lifetime`.
    func user(named name: String) -> StoredUser? {
        let now = ContinuousClock.now
        return state.withLock { state -> StoredUser? in
            guard let entry = state.entries[name] else { return nil }
            guard now - entry.cachedAt < state.lifetime else {
                state.remove(name)
                return nil
            }
            return entry.user
        }
    }

    /// Taken before a read; hand it back to `filled(by:readAt:)`.
    var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// A read that began at `generation` found `user`.
    func filled(by user: StoredUser, readAt generation: UInt64) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.generation == generation, state.entries[user.name] == nil else { return }
            state.insert(user, at: now)
        }
    }

    /// `user` was committed by this store.
    func wrote(_ user: StoredUser) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.generation &+= 1
            state.insert(user, at: now)
        }
    }

    /// The history ledger set the `lastSeen` of the user with this id.
    func wroteLastSeen(_ date: Date, ofUserID id: Int64) {
        state.withLock { state in
            guard let name = state.namesByID[id] else { return }
            state.entries[name]?.user.lastSeen = date
        }
    }

    /// How many users are cached, expired ones included (for tests).
    var count: Int {
        state.withLock { $0.entries.count }
    }
}
