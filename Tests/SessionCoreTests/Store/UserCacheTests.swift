import Foundation
import Testing
@testable import SessionCore

/// The rules that keep `UserCache` from ever answering with a row older than this store's writes.
@Suite struct UserCacheTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    private func user(_ id: Int64, _ name: String, displayName: String? = nil, lastSeen: Date? = nil) -> StoredUser {
        StoredUser(id: id, name: name, displayName: displayName ?? name, isGuest: true, createdTime: now, lastSeen: lastSeen)
    }

    @Test func aFilledEntryIsAnsweredUntilItsLifetimeEnds() async throws {
        let lasting = UserCache(lifetime: .seconds(600))
        lasting.filled(by: user(1, "jane"), readAt: lasting.generation)
        #expect(lasting.user(named: "jane") == user(1, "jane"))
        #expect(lasting.user(named: "john") == nil)

        let brief = UserCache(lifetime: .milliseconds(50))
        brief.filled(by: user(1, "jane"), readAt: brief.generation)
        try await Task.sleep(for: .milliseconds(200))
        #expect(brief.user(named: "jane") == nil)
        #expect(brief.count == 0, "an expired entry is dropped when it is asked for")
    }

    @Test func aReadThatAWriteOvertookFillsNothing() {
        let cache = UserCache(lifetime: .seconds(600))
        let readBegan = cache.generation
        cache.wrote(user(1, "jane", displayName: "Jane D."))
        cache.filled(by: user(1, "jane", displayName: "Jane"), readAt: readBegan)
        #expect(cache.user(named: "jane")?.displayName == "Jane D.")

        // A queued lastSeen write does not keep a read out (only row writes do): the row is
        // the same, only lastSeen may be a moment behind.
        let secondRead = cache.generation
        cache.wroteLastSeen(now, ofUserID: 2)
        cache.filled(by: user(2, "john"), readAt: secondRead)
        #expect(cache.user(named: "john")?.id == 2)
        let thirdRead = cache.generation
        cache.wrote(user(3, "joan", displayName: "Joan B."))
        cache.filled(by: user(3, "joan", displayName: "Joan"), readAt: thirdRead)
        #expect(cache.user(named: "joan")?.displayName == "Joan B.")
    }

    @Test func aFillNeverReplacesAnEntryButAWriteDoes() {
        let cache = UserCache(lifetime: .seconds(600))
        cache.wrote(user(1, "jane", displayName: "Jane"))
        cache.filled(by: user(1, "jane", displayName: "Older"), readAt: cache.generation)
        #expect(cache.user(named: "jane")?.displayName == "Jane")
        cache.wrote(user(1, "jane", displayName: "Newer"))
        #expect(cache.user(named: "jane")?.displayName == "Newer")
    }

    @Test func aQueuedLastSeenReachesTheCachedRowByUserID() {
        let cache = UserCache(lifetime: .seconds(600))
        cache.wrote(user(7, "jane", lastSeen: now))
        let later = now.addingTimeInterval(60)
        cache.wroteLastSeen(later, ofUserID: 7)
        #expect(cache.user(named: "jane")?.lastSeen == later)
        cache.wroteLastSeen(later.addingTimeInterval(1), ofUserID: 8)
        #expect(cache.user(named: "jane")?.lastSeen == later, "another user's write changes nothing here")
    }

    @Test func theCacheNeverHoldsMoreThanItsCapacity() {
        let cache = UserCache(lifetime: .seconds(600), capacity: 100)
        for index in 0..<1_000 {
            cache.wrote(user(Int64(index), "user-\(index)"))
            #expect(cache.count <= 100)
        }
        #expect(cache.user(named: "user-999") != nil, "the latest write is always kept")
    }
}
