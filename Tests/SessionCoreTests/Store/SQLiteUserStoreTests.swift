import ChatFunctions
import Foundation
import GRDB
import StrictJSON
import Testing
@testable import SessionCore

/// What only a store on a real SQLite file can show: persistence across restarts and concurrency.
@Suite struct SQLiteUserStoreTests {
    let directory: TemporaryDirectory
    let now = Date(timeIntervalSince1970: 1_790_000_000.25)

    init() throws {
        directory = try TemporaryDirectory()
    }

    @Test func restartOnTheSameFileKeepsUsersAndIds() async throws {
        let path = directory.file("users.sqlite")
        let first = try SQLiteUserStore(path: path, logger: quietLogger)
        let guest = try await first.findOrCreateGuest(named: "visitor", at: now)
        let person = try await first.createOrUpgrade(
            named: "jane", profile: Profile(displayName: "Jane", properties: ["team": "blue"]), at: now
        )
        try await first.recordSessionStart(SessionRecord(id: "s-1", userID: person.id, startedAt: now, remoteAddress: "::1"))
        try await first.close()

        let reopened = try SQLiteUserStore(path: path, logger: quietLogger)
        #expect(try await reopened.user(named: "visitor") == guest)
        #expect(try await reopened.user(named: "jane") == person)
        #expect(try await reopened.sessions(ofUser: person.id).map(\.id) == ["s-1"])
        let next = try await reopened.findOrCreateGuest(named: "newcomer", at: now)
        #expect(next.id > person.id, "ids go on from where the last run stopped")
        try await reopened.close()
    }

    @Test func propertiesSurviveAsJSONWithIntegersAndFloatsApart() async throws {
        let path = directory.file("users.sqlite")
        let properties: JSONObject = [
            "integer": .integer(1), "float": .double(1.0), "big": .integer(9_007_199_254_740_993),
            "negative": .double(-0.5), "text": "caf\u{E9} \u{1F600} \"quoted\"\n", "none": .null, "flag": true,
            "nested": ["list": [.integer(1), .double(2.5), .null, "x", ["deep": .integer(-3)]]],
        ]
        let store = try SQLiteUserStore(path: path, logger: quietLogger)
        _ = try await store.createOrUpgrade(named: "jane", profile: Profile(properties: properties), at: now)
        try await store.close()

        let reopened = try SQLiteUserStore(path: path, logger: quietLogger)
        let stored = try #require(try await reopened.user(named: "jane")).properties
        #expect(stored == properties)
        #expect(stored["integer"] == .integer(1))
        #expect(stored["float"] == .double(1.0))
        #expect(stored["big"] == .integer(9_007_199_254_740_993))
        #expect(stored.keys == properties.keys, "member order is kept")
        try await reopened.close()
    }

    /// A file made by the first schema (the user index keyed by `userId, startedAt`) moves to
    /// the index on `userId` alone when opened, and a user's sessions still list in the order
    /// they started, whatever order they were written in.
    @Test func aFirstSchemaFileMovesToTheUserIndexAndKeepsSessionOrder() async throws {
        let path = directory.file("users.sqlite")
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteUserStore.migrator.migrate(old, upTo: "v1: users and session history")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO users (id, name, displayName, isGuest, createdTime) VALUES
                    (1, 'jane', 'Jane', 0, '2026-12-01 10:00:00.000'), (2, 'joe', 'Joe', 0, '2026-12-01 10:00:00.000');
                    INSERT INTO sessions (id, userId, startedAt, remoteAddress) VALUES
                    ('c', 1, '2026-12-01 12:00:00.000', '::1'), ('x', 2, '2026-12-01 11:30:00.000', '::1'),
                    ('a', 1, '2026-12-01 10:00:00.000', '::1'), ('b', 1, '2026-12-01 11:00:00.000', '::1');
                    """)
            }
            try old.close()
        }
        let store = try SQLiteUserStore(path: path, logger: quietLogger)
        #expect(try await store.sessions(ofUser: 1).map(\.id) == ["a", "b", "c"])
        #expect(try await store.sessions(ofUser: 2).map(\.id) == ["x"])
        try await store.close()

        let reopened = try DatabaseQueue(path: path)
        let indexes = try await reopened.read { db in try db.indexes(on: "sessions").filter { !$0.isUnique } }
        #expect(indexes.map(\.name) == ["sessions_user"])
        #expect(indexes.map(\.columns) == [["userId"]])
        try reopened.close()
    }

    @Test func aStartsUserIsVisibleToAnotherConnectionAsSoonAsTheStartReturns() async throws {
        // "Committed, not queued": a second, independent pool on the same file must see the user.
        let path = directory.file("users.sqlite")
        let store = try SQLiteUserStore(path: path, logger: quietLogger)
        let service = SessionService(
            store: store, authenticator: ScriptedAuthenticator(), options: SessionOptions(), logger: quietLogger
        )
        let session = try await service.start(
            StartRequest(username: "jane", authParams: ["action": "allow"], remoteAddress: "127.0.0.1"),
            onServerEnd: { _, _ in }
        ).get()

        let observer = try SQLiteUserStore(path: path, logger: quietLogger)
        let seen = try #require(try await observer.user(named: "jane"))
        #expect(seen.id == session.user.id)
        #expect(!seen.isGuest)
        // The session's history row is bookkeeping, written within the store's linger (README:
        // the last ~50 ms of history may be lost in a crash); only the user is committed first.
        try await store.flush()
        #expect(try await observer.sessions(ofUser: seen.id).map(\.id) == [session.id])
        try await observer.close()
        await service.shutdown()
    }

    @Test func concurrentAuthenticatedStartsForOneNewUsernameCreateExactlyOneUser() async throws {
        let store = try SQLiteUserStore(path: directory.file("users.sqlite"), logger: quietLogger)
        let service = SessionService(
            store: store, authenticator: ScriptedAuthenticator(), options: SessionOptions(), logger: quietLogger
        )
        let request = StartRequest(
            username: "newbie", authParams: ["action": "allow", "delayMilliseconds": 20], remoteAddress: "10.0.0.1"
        )
        let userIDs = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<24 {
                group.addTask { try await service.start(request, onServerEnd: { _, _ in }).get().user.id }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(userIDs.count == 24)
        #expect(Set(userIDs).count == 1)
        #expect(try await store.userCount() == 1)
        #expect(service.activeSessionCount == 24)
        await service.shutdown()
    }

    @Test func concurrentGuestStartsForOneNewUsernameCreateExactlyOneGuest() async throws {
        let store = try SQLiteUserStore(path: directory.file("users.sqlite"), logger: quietLogger)
        let guests = try await withThrowingTaskGroup(of: StoredUser.self) { group in
            for _ in 0..<24 {
                group.addTask { try await store.findOrCreateGuest(named: "visitor", at: Date()) }
            }
            return try await group.reduce(into: [StoredUser]()) { $0.append($1) }
        }
        #expect(Set(guests.map(\.id)).count == 1)
        #expect(guests.allSatisfy { $0.isGuest })
        #expect(try await store.userCount() == 1)
        try await store.close()
    }

    @Test func aFileThatCannotBeOpenedIsAClearError() throws {
        let path = directory.file("missing-folder/users.sqlite")
        #expect {
            try SQLiteUserStore(path: path, logger: quietLogger)
        } throws: { error in
            guard case UserStoreError.cannotOpen(let location, _) = error else { return false }
            return location == "sqlite:\(path)"
        }
    }

    // MARK: Session bookkeeping is queued, not awaited: it is never lost for that.

    @Test func closeWritesEveryQueuedSessionRecordToTheFile() async throws {
        let path = directory.file("users.sqlite")
        let store = try SQLiteUserStore(path: path, logger: quietLogger)
        let user = try await store.findOrCreateGuest(named: "visitor", at: now)
        for index in 0..<200 {
            let started = now.addingTimeInterval(Double(index))
            try await store.recordSessionStart(
                SessionRecord(id: "s-\(index)", userID: user.id, startedAt: started, remoteAddress: "10.0.0.\(index % 250)")
            )
            try await store.recordSessionEnd(id: "s-\(index)", at: started.addingTimeInterval(0.5), reason: .ended)
        }
        try await store.close()

        let reopened = try SQLiteUserStore(path: path, logger: quietLogger)
        let history = try await reopened.sessions(ofUser: user.id)
        #expect(history.count == 200)
        #expect(history.allSatisfy { $0.endReason == .ended && $0.endedAt == $0.startedAt.addingTimeInterval(0.5) })
        #expect(try await reopened.user(named: "visitor")?.lastSeen == now.addingTimeInterval(199.5))
        try await reopened.close()
    }

    @Test func aGuestStartOfAKnownGuestQueuesItsLastSeen() async throws {
        let store = try SQLiteUserStore(path: directory.file("users.sqlite"), logger: quietLogger)
        let first = try await store.findOrCreateGuest(named: "visitor", at: now)
        let later = now.addingTimeInterval(30)
        let again = try await store.findOrCreateGuest(named: "visitor", at: later)
        #expect(again.id == first.id)
        #expect(again.lastSeen == later, "the returned user already has it")
        try await store.flush()
        #expect(try await store.user(named: "visitor")?.lastSeen == later)
        try await store.close()
    }

    @Test func aReturningUsersProfileChangeIsCommittedAndOnlyLastSeenIsQueued() async throws {
        let path = directory.file("users.sqlite")
        let store = try SQLiteUserStore(path: path, logger: quietLogger)
        let created = try await store.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane"), at: now)
        let other = try DatabasePool(path: path)

        // Nothing but lastSeen changes: the stored row is already what the start returns.
        let later = now.addingTimeInterval(10)
        let returning = try await store.createOrUpgrade(named: "jane", profile: Profile(), at: later)
        #expect(returning.id == created.id && returning.displayName == "Jane" && returning.lastSeen == later)
        try await store.flush()
        #expect(try await store.user(named: "jane") == returning)

        // A change is committed before the call returns: another connection sees it at once.
        let renamed = try await store.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane D."), at: later)
        #expect(renamed.displayName == "Jane D.")
        let seen = try await other.read { db in try String.fetchOne(db, sql: "SELECT displayName FROM users WHERE name = 'jane'") }
        #expect(seen == "Jane D.")
        try other.close()
        try await store.close()
    }

    @Test func aKnownUserSavesAReadButIsNeverWrittenBack() async throws {
        let store = try SQLiteUserStore(path: directory.file("users.sqlite"), logger: quietLogger)
        let stored = try await store.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane"), at: now)
        var stale = stored
        stale.displayName = "Old Jane"
        stale.properties = ["stale": true]

        // Nothing changes: only lastSeen is written; the stale fields stay out of the store.
        let later = now.addingTimeInterval(5)
        _ = try await store.createOrUpgrade(named: "jane", profile: Profile(), at: later, knownUser: stale)
        try await store.flush()
        let afterReturn = try #require(try await store.user(named: "jane"))
        #expect(afterReturn.displayName == "Jane" && afterReturn.properties.isEmpty && afterReturn.lastSeen == later)

        // A change is applied to the stored row, read again inside the write, not to `knownUser`.
        let changed = try await store.createOrUpgrade(
            named: "jane", profile: Profile(properties: ["plan": "pro"]), at: later, knownUser: stale
        )
        #expect(changed.displayName == "Jane")
        #expect(try await store.user(named: "jane") == changed)
        try await store.close()
    }

    @Test func datesWrittenByEarlierVersionsStillRead() async throws {
        // Rows written through GRDB's own Date encoding (and by hand in the sqlite3 shell) stay readable.
        let path = directory.file("users.sqlite")
        try await SQLiteUserStore(path: path, logger: quietLogger).close()
        let pool = try DatabasePool(path: path)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO users (name, displayName, isGuest, createdTime, lastSeen) VALUES (?, ?, 0, ?, ?)",
                arguments: ["old", "Old", Date(timeIntervalSince1970: 1_700_000_000.5), "2024-02-29T12:00:00Z"]
            )
        }
        try pool.close()
        let store = try SQLiteUserStore(path: path, logger: quietLogger)
        let user = try #require(try await store.user(named: "old"))
        #expect(user.createdTime == Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(user.lastSeen == Date(timeIntervalSince1970: 1_709_208_000))
        try await store.close()
    }

    // MARK: The user cache, seen through the store

    @Test func anotherProcesssChangeIsSeenOnceTheCachedRowExpires() async throws {
        let path = directory.file("users.sqlite")
        // Two stores on one file: one whose entries outlive the test, one whose expire at once.
        let longLived = try SQLiteUserStore(path: path, logger: quietLogger, userCacheLifetime: .seconds(600))
        let shortLived = try SQLiteUserStore(path: path, logger: quietLogger, userCacheLifetime: .milliseconds(50))
        _ = try await longLived.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane"), at: now)
        #expect(try await shortLived.user(named: "jane")?.displayName == "Jane")
        let other = try DatabasePool(path: path)
        try await other.write { db in try db.execute(sql: "UPDATE users SET displayName = 'Jane D.' WHERE name = 'jane'") }

        // Within the lifetime a start is answered from the cache, without a read...
        #expect(try await longLived.user(named: "jane")?.displayName == "Jane")
        // ...after it, from the file.
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await shortLived.user(named: "jane")?.displayName == "Jane D.")
        try other.close()
        try await longLived.close()
        try await shortLived.close()
    }

    /// Nothing but the store can write an in-memory database: a returning user is still answered
    /// at once after the file's one-second lifetime (a read there would wait in a task).
    @Test func inMemoryAReturningUserIsAnsweredAtOncePastTheFilesLifetime() async throws {
        let store = try SQLiteUserStore(inMemoryWithLogger: quietLogger)
        _ = try await store.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane"), at: now)
        try await Task.sleep(for: SQLiteUserStore.defaultUserCacheLifetime + .milliseconds(300))
        guard case .done(let user?) = try store.userImmediately(named: "jane") else {
            Issue.record("the user should still be cached")
            return
        }
        #expect(user.displayName == "Jane")
        try await store.close()
    }

    @Test func afterConcurrentChangesToOneUserTheCacheHoldsTheRowTheFileHolds() async throws {
        let path = directory.file("users.sqlite")
        let store = try SQLiteUserStore(path: path, logger: quietLogger, userCacheLifetime: .seconds(60))
        _ = try await store.createOrUpgrade(named: "jane", profile: Profile(displayName: "Jane 0"), at: now)
        for round in 0..<5 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 1...20 {
                    group.addTask {
                        _ = try await store.createOrUpgrade(
                            named: "jane", profile: Profile(displayName: "Jane \(round)-\(index)"), at: now
                        )
                    }
                }
                try await group.waitForAll()
            }
            let other = try DatabasePool(path: path)
            let inFile = try await other.read { db in
                try String.fetchOne(db, sql: "SELECT displayName FROM users WHERE name = 'jane'")
            }
            try other.close()
            #expect(try await store.user(named: "jane")?.displayName == inFile, "round \(round)")
        }
        try await store.close()
    }

    @Test func theStoresOwnWritesAreSeenAtOnceThroughTheCache() async throws {
        let store = try SQLiteUserStore(path: directory.file("users.sqlite"), logger: quietLogger, userCacheLifetime: .seconds(60))
        let guest = try await store.findOrCreateGuest(named: "visitor", at: now)
        #expect(try await store.user(named: "visitor") == guest)

        // An upgrade to a person is what the next guest start sees (authentication_required).
        let person = try await store.createOrUpgrade(named: "visitor", profile: Profile(displayName: "Visitor"), at: now)
        #expect(!person.isGuest && person.id == guest.id)
        let again = try await store.findOrCreateGuest(named: "visitor", at: now.addingTimeInterval(1))
        #expect(!again.isGuest && again.displayName == "Visitor")

        // Queued bookkeeping reaches the cached row once it has run.
        let started = now.addingTimeInterval(10)
        try await store.recordSessionStart(SessionRecord(id: "s-1", userID: person.id, startedAt: started, remoteAddress: "::1"))
        try await store.recordSessionEnd(id: "s-1", at: started.addingTimeInterval(5), reason: .ended)
        try await store.flush()
        #expect(try await store.user(named: "visitor")?.lastSeen == started.addingTimeInterval(5))
        // An end for a session that is not open changes nothing.
        try await store.recordSessionEnd(id: "s-1", at: started.addingTimeInterval(99), reason: .ended)
        try await store.flush()
        #expect(try await store.user(named: "visitor")?.lastSeen == started.addingTimeInterval(5))
        try await store.close()
    }
}
