import ChatFunctions
import Foundation
import StrictJSON
import Testing
@testable import SessionCore

/// What every `UserStore` must do, run against each implementation.
@Suite struct UserStoreBehaviourTests {
    let directory: TemporaryDirectory
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    init() throws {
        directory = try TemporaryDirectory()
    }

    @Test(arguments: StoreKind.allCases)
    func unknownNameIsNotFound(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        #expect(try await store.user(named: "nobody") == nil)
        #expect(try await store.userCount() == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func firstGuestStartCreatesAGuestNamedAfterItself(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let guest = try await store.findOrCreateGuest(named: "visitor", at: now)
        #expect(guest.isGuest)
        #expect(guest.name == "visitor")
        #expect(guest.displayName == "visitor")
        #expect(guest.displayPictureUrl == nil)
        #expect(guest.properties.isEmpty)
        #expect(try await store.user(named: "visitor") == guest)
    }

    @Test(arguments: StoreKind.allCases)
    func laterGuestStartsReuseTheGuest(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let first = try await store.findOrCreateGuest(named: "visitor", at: now)
        let second = try await store.findOrCreateGuest(named: "visitor", at: now.addingTimeInterval(5))
        #expect(second.id == first.id)
        #expect(second.createdTime == first.createdTime)
        #expect(try await store.userCount() == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func guestLookupLeavesAPersonUntouched(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let person = try await store.insert(NewUser(name: "jane", displayName: "Jane", createdTime: now))
        let found = try await store.findOrCreateGuest(named: "jane", at: now.addingTimeInterval(60))
        #expect(!found.isGuest)
        #expect(found == person)
        #expect(try await store.user(named: "jane") == person)
    }

    @Test(arguments: StoreKind.allCases)
    func newAuthenticatedUserWithoutDisplayNameGetsTheUsername(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let user = try await store.createOrUpgrade(named: "jane@example.com", profile: Profile(), at: now)
        #expect(!user.isGuest)
        #expect(user.displayName == "jane@example.com")
        #expect(user.properties.isEmpty)
        #expect(try await store.user(named: "jane@example.com") == user)
    }

    @Test(arguments: StoreKind.allCases)
    func newAuthenticatedUserTakesTheProfile(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let profile = Profile(displayName: "Jane", displayPictureUrl: "https://example.com/jane.png", properties: ["team": "blue"])
        let user = try await store.createOrUpgrade(named: "jane", profile: profile, at: now)
        #expect(user.displayName == "Jane")
        #expect(user.displayPictureUrl == "https://example.com/jane.png")
        #expect(user.properties == ["team": "blue"])
        #expect(try await store.user(named: "jane") == user)
    }

    @Test(arguments: StoreKind.allCases)
    func upgradingAGuestKeepsItsIdAndClearsTheGuestFlag(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let guest = try await store.findOrCreateGuest(named: "jane", at: now)
        let user = try await store.createOrUpgrade(named: "jane", profile: Profile(), at: now.addingTimeInterval(10))
        #expect(user.id == guest.id)
        #expect(!user.isGuest)
        #expect(user.displayName == "jane")
        #expect(user.createdTime == guest.createdTime)
        #expect(try await store.user(named: "jane") == user)
        #expect(try await store.userCount() == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func upgradeKeepsFieldsTheProfileLeavesOutAndReplacesProperties(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        _ = try await store.insert(
            NewUser(
                name: "jane", displayName: "Jane", displayPictureUrl: "https://example.com/a.png",
                properties: ["team": "blue", "level": 3], createdTime: now
            )
        )
        let renamed = try await store.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane D."), at: now)
        #expect(renamed.displayName == "Jane D.")
        #expect(renamed.displayPictureUrl == "https://example.com/a.png")
        #expect(renamed.properties == ["team": "blue", "level": 3])

        let replaced = try await store.createOrUpgrade(named: "jane", profile: Profile(properties: ["level": 4]), at: now)
        #expect(replaced.displayName == "Jane D.")
        #expect(replaced.properties == ["level": 4], "properties are replaced, not merged")
        #expect(try await store.user(named: "jane") == replaced)
    }

    @Test(arguments: StoreKind.allCases)
    func insertKeepsTheGivenFields(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let inserted = try await store.insert(NewUser(name: "bot", isGuest: true, properties: ["kind": "bot"], createdTime: now))
        #expect(inserted.displayName == "bot")
        #expect(inserted.isGuest)
        #expect(inserted.createdTime == now)
        #expect(try await store.user(named: "bot") == inserted)
    }

    @Test(arguments: StoreKind.allCases)
    func namesAreUnique(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        _ = try await store.insert(NewUser(name: "jane", createdTime: now))
        await #expect(throws: UserStoreError.nameTaken("jane")) {
            try await store.insert(NewUser(name: "jane", displayName: "Other", createdTime: now))
        }
        #expect(try await store.userCount() == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func namesCompareByteForByte(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let precomposed = try await store.insert(NewUser(name: "jos\u{E9}", createdTime: now))
        let decomposed = try await store.insert(NewUser(name: "jose\u{301}", createdTime: now))
        let upper = try await store.insert(NewUser(name: "JOS\u{C9}", createdTime: now))
        #expect(Set([precomposed.id, decomposed.id, upper.id]).count == 3)
        #expect(try await store.user(named: "jose\u{301}")?.id == decomposed.id)
        #expect(try await store.userCount() == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func idsAreDistinctAndIncreasing(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        var ids: [Int64] = []
        for name in ["a", "b", "c"] {
            ids.append(try await store.findOrCreateGuest(named: name, at: now).id)
        }
        ids.append(try await store.createOrUpgrade(named: "d", profile: Profile(), at: now).id)
        ids.append(try await store.insert(NewUser(name: "e", createdTime: now)).id)
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == 5)
    }

    @Test(arguments: StoreKind.allCases)
    func sessionHistoryRecordsStartAndEnd(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let user = try await store.findOrCreateGuest(named: "jane", at: now)
        let started = now.addingTimeInterval(1)
        let ended = now.addingTimeInterval(61)
        try await store.recordSessionStart(
            SessionRecord(
                id: "s-1", userID: user.id, startedAt: started, remoteAddress: "10.0.0.1", userAgent: "tests/1",
                functionSetVersion: "v1"
            )
        )
        try await store.flush()
        #expect(try await store.user(named: "jane")?.lastSeen == started)
        try await store.recordSessionEnd(id: "s-1", at: ended, reason: .revoked)
        try await store.recordSessionEnd(id: "s-1", at: ended.addingTimeInterval(5), reason: .connectionClosed)
        try await store.recordSessionEnd(id: "unknown", at: ended, reason: .ended)

        let history = try await store.sessions(ofUser: user.id)
        #expect(
            history == [
                SessionRecord(
                    id: "s-1", userID: user.id, startedAt: started, endedAt: ended, endReason: .revoked,
                    remoteAddress: "10.0.0.1", userAgent: "tests/1", functionSetVersion: "v1"
                )
            ]
        )
        // sessions(ofUser:) waited for the queued bookkeeping.
        #expect(try await store.user(named: "jane")?.lastSeen == ended)
    }

    @Test(arguments: StoreKind.allCases)
    func committedGuestStartRecordsItsSessionOnlyForAGuest(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        func start(_ id: String, at date: Date) -> SessionRecord {
            SessionRecord(id: id, userID: -1, startedAt: date, remoteAddress: "10.0.0.2", userAgent: id == "s-2" ? nil : "tests/2")
        }
        // A first start creates the guest; a returning one finds it; both record their session.
        let created = try await store.findOrCreateGuest(named: "visitor", at: now, committing: start("s-1", at: now))
        let later = now.addingTimeInterval(30)
        let returning = try await store.findOrCreateGuest(named: "visitor", at: later, committing: start("s-2", at: later))
        #expect(created.isGuest && returning.id == created.id)
        #expect(returning.lastSeen == later)
        let person = try await store.insert(NewUser(name: "jane", displayName: "Jane", createdTime: now))
        let refused = try await store.findOrCreateGuest(named: "jane", at: later, committing: start("s-3", at: later))
        #expect(refused == person)

        #expect(try await store.sessions(ofUser: created.id) == [
            SessionRecord(id: "s-1", userID: created.id, startedAt: now, remoteAddress: "10.0.0.2", userAgent: "tests/2"),
            SessionRecord(id: "s-2", userID: created.id, startedAt: later, remoteAddress: "10.0.0.2"),
        ])
        #expect(try await store.sessions(ofUser: person.id).isEmpty)
        #expect(try await store.user(named: "visitor")?.lastSeen == later)
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentCommittedGuestStartsShareOneUser(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        let now = self.now
        let users = try await withThrowingTaskGroup(of: StoredUser.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let record = SessionRecord(id: "s-\(index)", userID: -1, startedAt: now, remoteAddress: "10.0.0.3")
                    return try await store.findOrCreateGuest(named: "crowd-\(index % 4)", at: now, committing: record)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(users.map(\.id)).count == 4)
        #expect(try await store.userCount() == 4)
        var recorded = 0
        for id in Set(users.map(\.id)) { recorded += try await store.sessions(ofUser: id).count }
        #expect(recorded == 40)
    }

    @Test(arguments: StoreKind.allCases)
    func closedStoreRefusesWork(kind: StoreKind) async throws {
        let store = try await kind.open(in: directory)
        _ = try await store.findOrCreateGuest(named: "jane", at: now)
        try await store.close()
        await #expect(throws: UserStoreError.closed) { try await store.user(named: "jane") }
        await #expect(throws: UserStoreError.closed) { try await store.findOrCreateGuest(named: "joe", at: now) }
        try await store.close()
    }
}
