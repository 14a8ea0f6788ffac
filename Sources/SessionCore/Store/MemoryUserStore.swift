import ChatFunctions
import Foundation
import Synchronization

/// A user store in process memory: for `invoke`, the Lua test runner and tests.
/// Everything is lost when it goes away.
public final class MemoryUserStore: UserStore {
    private struct State {
        /// Keyed by UTF-8 bytes, as SQLite compares names: Swift's `==` would merge "é" and "e\u{301}".
        var usersByName: [[UInt8]: StoredUser] = [:]
        var nameByID: [Int64: [UInt8]] = [:]
        var lastID: Int64 = 0
        var sessions: [String: SessionRecord] = [:]
        var sessionOrder: [String] = []
        var isClosed = false

        mutating func nextID() -> Int64 {
            lastID += 1
            return lastID
        }

        func user(named name: String) -> StoredUser? {
            usersByName[Array(name.utf8)]
        }

        mutating func save(_ user: StoredUser) {
            let key = Array(user.name.utf8)
            usersByName[key] = user
            nameByID[user.id] = key
        }

        mutating func touch(userID: Int64, at date: Date) {
            guard let name = nameByID[userID] else { return }
            usersByName[name]?.lastSeen = date
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func user(named name: String) async throws -> StoredUser? {
        try withOpenState { $0.user(named: name) }
    }

    // Nothing here ever waits: every answer is immediate.
    public func userImmediately(named name: String) throws -> Immediate<StoredUser?> {
        .done(try withOpenState { $0.user(named: name) })
    }

    public func findOrCreateGuestImmediately(named name: String, at now: Date) throws -> Immediate<StoredUser> {
        .done(try guest(named: name, at: now))
    }

    public func createOrUpgradeImmediately(
        named name: String, profile: Profile, at now: Date, knownUser: StoredUser?
    ) throws -> Immediate<StoredUser> {
        .done(try upgrade(named: name, profile: profile, at: now))
    }

    public func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser {
        try guest(named: name, at: now)
    }

    private func guest(named name: String, at now: Date) throws -> StoredUser {
        try withOpenState { state in
            if var existing = state.user(named: name) {
                guard existing.isGuest else { return existing }
                existing.lastSeen = now
                state.save(existing)
                return existing
            }
            let guest = StoredUser(
                id: state.nextID(), name: name, displayName: name, isGuest: true, createdTime: now, lastSeen: now
            )
            state.save(guest)
            return guest
        }
    }

    public func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser {
        try upgrade(named: name, profile: profile, at: now)
    }

    private func upgrade(named name: String, profile: Profile, at now: Date) throws -> StoredUser {
        try withOpenState { state in
            let user = profile.applied(to: state.user(named: name), name: name, newID: state.nextID(), at: now)
            state.save(user)
            return user
        }
    }

    public func insert(_ new: NewUser) async throws -> StoredUser {
        try withOpenState { state in
            guard state.user(named: new.name) == nil else { throw UserStoreError.nameTaken(new.name) }
            let user = StoredUser(
                id: state.nextID(), name: new.name, displayName: new.displayName ?? new.name,
                displayPictureUrl: new.displayPictureUrl, isGuest: new.isGuest, properties: new.properties,
                createdTime: new.createdTime
            )
            state.save(user)
            return user
        }
    }

    public func userCount() async throws -> Int {
        try withOpenState { $0.usersByName.count }
    }

    public func recordSessionStart(_ session: SessionRecord) throws {
        try withOpenState { state in
            if state.sessions.updateValue(session, forKey: session.id) == nil {
                state.sessionOrder.append(session.id)
            }
            state.touch(userID: session.userID, at: session.startedAt)
        }
    }

    public func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) throws {
        try withOpenState { state in
            guard var session = state.sessions[id], session.endedAt == nil else { return }
            session.endedAt = endedAt
            session.endReason = reason
            state.sessions[id] = session
            state.touch(userID: session.userID, at: endedAt)
        }
    }

    public func sessions(ofUser userID: Int64) async throws -> [SessionRecord] {
        try withOpenState { state in
            state.sessionOrder.compactMap { state.sessions[$0] }.filter { $0.userID == userID }
        }
    }

    /// Nothing is ever queued here; only checks that the store is open.
    public func flush() async throws {
        try withOpenState { _ in }
    }

    public func close() async throws {
        state.withLock { $0.isClosed = true }
    }

    private func withOpenState<T: Sendable>(_ body: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            guard !state.isClosed else { throw UserStoreError.closed }
            return try body(&state)
        }
    }
}
