import Foundation
import Logging
import PostgresNIO
import StrictJSON
import Synchronization
import Testing
@testable import SessionCore

/// Two instances in one process, each with its own store (its own pool) on one database: what
/// SPEC §6 promises across instances, without the cost of child processes.
@Suite(.enabled(if: !TestPostgres.isSkipped)) struct PostgresClusterTests {
    /// Two instances, A and B, with their cluster services running.
    struct Pair {
        let a: Instance
        let b: Instance
    }

    struct Instance {
        let store: PostgresUserStore
        let cluster: PostgresCluster
        let harness: ServiceHarness
        let runner: Task<Void, Never>
    }

    static func pair(options: SessionOptions = SessionOptions()) async throws -> Pair {
        let url = try await TestPostgres.makeDatabase()
        func instance(_ id: String) async throws -> Instance {
            let store = try await PostgresUserStore.open(url, instanceID: id, logger: quietLogger)
            let cluster = PostgresCluster(store: store, logger: quietLogger, renewInterval: .milliseconds(200), pollInterval: .milliseconds(200))
            let harness = ServiceHarness(options: options, store: store, directory: cluster)
            let runner = Task { _ = try? await cluster.run() }
            return Instance(store: store, cluster: cluster, harness: harness, runner: runner)
        }
        return Pair(a: try await instance("a"), b: try await instance("b"))
    }

    static func waitUntilListening(_ instances: Instance...) async throws {
        for _ in 0..<100 where !instances.allSatisfy({ $0.cluster.isListening }) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func concurrentFirstStartsOnBothInstancesMakeOneUser() async throws {
        let pair = try await Self.pair()
        let ids = await withTaskGroup(of: Int64?.self) { group in
            for index in 0..<50 {
                let harness = index % 2 == 0 ? pair.a.harness : pair.b.harness
                group.addTask { try? await harness.start("shared-name").get().user.id }
            }
            return await group.reduce(into: [Int64?]()) { $0.append($1) }
        }
        #expect(ids.count == 50)
        #expect(Set(ids).count == 1, "\(ids)")
        #expect(try await pair.a.store.userCount() == 1)
    }

    @Test func guestStartOnBIsRefusedRightAfterAnAuthenticatedStartOnA() async throws {
        let pair = try await Self.pair()
        #expect(await pair.b.harness.start("jane").errorCode == nil, "jane starts as a guest on B")
        #expect(await pair.a.harness.start("jane", authParams: ["action": "allow"]).errorCode == nil)
        #expect(await pair.b.harness.start("jane").errorCode == .authenticationRequired)
    }

    @Test func revokeOnAEndsTheSessionHeldOnB() async throws {
        let pair = try await Self.pair()
        try await Self.waitUntilListening(pair.a, pair.b)
        let ended = EndCalls()
        let session = try await pair.b.harness.start("held", onServerEnd: ended.handler).get()
        let listed = try await pair.a.harness.service.listSessions()
        #expect(listed.map(\.instance) == ["b"])
        #expect(listed.first?.session.id == session.id)
        #expect(try await pair.a.harness.service.revokeAnywhere(sessionID: session.id))
        for _ in 0..<100 where ended.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(ended.all.map(\.sessionID) == [session.id])
        #expect(ended.all.map(\.reason) == [.revoked])
        #expect(try await pair.a.harness.service.listSessions().isEmpty)
        #expect(try await pair.a.harness.service.revokeAnywhere(sessionID: session.id) == false)
        try await pair.b.store.flush()
        let history = try await pair.a.store.sessions(ofUser: session.user.id)
        #expect(history.map(\.endReason) == [.revoked])
    }

    @Test func failuresSpreadOverBothInstancesTripTheSharedLimit() async throws {
        let limit = SessionOptions(usernameFailureLimit: FailureLimit(count: 4, window: .seconds(60)), addressFailureLimit: nil)
        let pair = try await Self.pair(options: limit)
        try await Self.waitUntilListening(pair.a, pair.b)
        for index in 0..<4 {
            let harness = index % 2 == 0 ? pair.a.harness : pair.b.harness
            #expect(await harness.start("target", authParams: ["action": "deny"]).errorCode == .accessDenied)
        }
        // Each instance saw two failures, under the limit on its own; together they reached it.
        // The counts are written in the background: B learns of the block from its own upsert, A
        // from B's notification (or, failing that, its poll).
        for instance in [pair.b, pair.a] {
            for _ in 0..<100 where instance.harness.service.usernameLimiter?.retryAfter(for: "target") == nil {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await instance.harness.start("target", authParams: ["action": "allow"]).errorCode == .rateLimited)
        }
    }

    @Test func aDatabaseOfTheFirstSchemaIsMigratedAndKeepsItsData() async throws {
        let url = try await TestPostgres.makeDatabase()
        // The database as the first release left it: schema version 1 and a user with a session.
        let connection = try await PostgresConnection.connect(configuration: url.connectionConfiguration(), id: 1, logger: quietLogger)
        try await connection.query(
            "CREATE TABLE sessiongate_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: quietLogger
        )
        for statement in PostgresUserStore.migrations.first { $0.version == 1 }!.statements {
            try await connection.query(statement, logger: quietLogger)
        }
        try await connection.query("INSERT INTO sessiongate_schema (version) VALUES (1)", logger: quietLogger)
        try await connection.query(
            "INSERT INTO users (name, display_name, is_guest, created_time) VALUES ('old', 'old', true, now())", logger: quietLogger
        )
        func constraints() async throws -> Int {
            var count = 0
            for try await value in try await connection.query(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'f'", logger: quietLogger
            ).decode(Int64.self) { count = Int(value) }
            return count
        }
        #expect(try await constraints() == 1)

        let store = try await PostgresUserStore.open(url, instanceID: "m", logger: quietLogger)
        #expect(try await constraints() == 0)
        var version: Int32 = 0
        for try await value in try await connection.query("SELECT max(version) FROM sessiongate_schema", logger: quietLogger)
            .decode(Int32.self) { version = value }
        #expect(version == PostgresUserStore.migrations.last!.version)
        let start = SessionRecord(id: SessionID.make(), userID: 0, startedAt: Date(), remoteAddress: "10.0.0.9")
        let user = try await store.findOrCreateGuest(named: "old", at: Date(), committing: start)
        #expect(user.isGuest)
        #expect(try await store.sessions(ofUser: user.id).map(\.id) == [start.id])
        try await store.close()
        try await connection.close()
    }

    @Test func aSecondInstanceStartingAtOnceFindsTheSchemaMigrated() async throws {
        let url = try await TestPostgres.makeDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresUserStore.self) { group in
            for index in 0..<4 {
                group.addTask { try await PostgresUserStore.open(url, instanceID: "m\(index)", logger: quietLogger) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        _ = try await stores[0].findOrCreateGuest(named: "x", at: Date())
        #expect(try await stores[3].userCount() == 1)
    }
}
