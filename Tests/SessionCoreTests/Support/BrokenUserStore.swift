import ChatFunctions
import Foundation
@testable import SessionCore

/// A store whose every call fails, as a full disk or a corrupt file would.
struct BrokenUserStore: UserStore {
    struct DiskFull: Error {}

    func user(named name: String) async throws -> StoredUser? { throw DiskFull() }
    func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser { throw DiskFull() }
    func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser {
        throw DiskFull()
    }
    func insert(_ user: NewUser) async throws -> StoredUser { throw DiskFull() }
    func userCount() async throws -> Int { throw DiskFull() }
    func recordSessionStart(_ session: SessionRecord) throws { throw DiskFull() }
    func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) throws { throw DiskFull() }
    func sessions(ofUser userID: Int64) async throws -> [SessionRecord] { throw DiskFull() }
    func flush() async throws { throw DiskFull() }
    func close() async throws { throw DiskFull() }
}
