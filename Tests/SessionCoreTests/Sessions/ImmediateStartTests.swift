import ChatFunctions
import Foundation
import StrictJSON
import Synchronization
import Testing
@testable import SessionCore

/// A returning user's start needs no waiting on a store that can answer at once: the pipeline
/// must take the store's immediate answers, and only a new user's commit may wait.
@Suite struct ImmediateStartTests {
    /// A memory store that counts the calls of its waiting methods.
    final class CountingStore: ForwardingUserStore {
        let inner = MemoryUserStore()
        let waitingCalls = Mutex<[String]>([])

        private func waited(_ name: String) { waitingCalls.withLock { $0.append(name) } }

        func user(named name: String) async throws -> StoredUser? {
            waited("user")
            return try await inner.user(named: name)
        }
        func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser {
            waited("findOrCreateGuest")
            return try await inner.findOrCreateGuest(named: name, at: now)
        }
        func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser {
            waited("createOrUpgrade")
            return try await inner.createOrUpgrade(named: name, profile: profile, at: now, knownUser: knownUser)
        }

        func userImmediately(named name: String) throws -> Immediate<StoredUser?> {
            try inner.userImmediately(named: name)
        }
        /// Only returning users are answered at once, as the SQLite store does.
        func findOrCreateGuestImmediately(named name: String, at now: Date) throws -> Immediate<StoredUser> {
            guard case .done(.some) = try inner.userImmediately(named: name) else { return .mustWait }
            return try inner.findOrCreateGuestImmediately(named: name, at: now)
        }
        func createOrUpgradeImmediately(
            named name: String, profile: Profile, at now: Date, knownUser: StoredUser?
        ) throws -> Immediate<StoredUser> {
            guard knownUser != nil else { return .mustWait }
            return try inner.createOrUpgradeImmediately(named: name, profile: profile, at: now, knownUser: knownUser)
        }
    }

    @Test func aReturningUsersStartsWaitForNothing() async throws {
        let store = CountingStore()
        let harness = ServiceHarness(store: store)
        // First starts: new users are committed, which may wait.
        _ = try await harness.start("guest-1").get()
        _ = try await harness.start("person-1", authParams: ["action": "allow"]).get()
        #expect(store.waitingCalls.withLock { $0 } == ["findOrCreateGuest", "createOrUpgrade"])
        store.waitingCalls.withLock { $0.removeAll() }

        for _ in 0..<3 {
            let guest = try await harness.start("guest-1").get()
            let person = try await harness.start("person-1", authParams: ["action": "allow"]).get()
            harness.service.end(sessionID: guest.id, reason: .ended)
            harness.service.end(sessionID: person.id, reason: .ended)
        }
        #expect(store.waitingCalls.withLock { $0 }.isEmpty, "the pipeline awaited the store for returning users")
    }
}
