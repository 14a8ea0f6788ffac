import ChatFunctions
import Foundation
@testable import SessionCore

/// A test store built around a memory store: what it does not define itself goes to `inner`.
protocol ForwardingUserStore: UserStore {
    var inner: MemoryUserStore { get }
}

extension ForwardingUserStore {
    func user(named name: String) async throws -> StoredUser? { try await inner.user(named: name) }
    func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser {
        try await inner.findOrCreateGuest(named: name, at: now)
    }
    func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser {
        try await inner.createOrUpgrade(named: name, profile: profile, at: now, knownUser: knownUser)
    }
    func insert(_ user: NewUser) async throws -> StoredUser { try await inner.insert(user) }
    func userCount() async throws -> Int { try await inner.userCount() }
    func recordSessionStart(_ session: SessionRecord) throws { try inner.recordSessionStart(session) }
    func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) throws {
        try inner.recordSessionEnd(id: id, at: endedAt, reason: reason)
    }
    func sessions(ofUser userID: Int64) async throws -> [SessionRecord] { try await inner.sessions(ofUser: userID) }
    func flush() async throws { try await inner.flush() }
    func close() async throws { try await inner.close() }
}
