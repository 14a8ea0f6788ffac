import Foundation
import PostgresNIO
import StrictJSON
import Synchronization
import Testing

/// SPEC §6 with real processes: two `sessiongate serve` children, A and B, on one real PostgreSQL.
@Suite(.enabled(if: !ClusterSupport.isSkipped), .serialized) struct ClusterProcessTests {
    typealias Support = ClusterSupport

    @Test func fiftyConcurrentFirstStartsSplitOverTwoGatewaysMakeOneUser() async throws {
        try await Support.withPair { pair in
            let (portA, portB, url) = (pair.portA, pair.portB, pair.url)
            let name = Wire.username("one")
            let ids = try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let client = try await Support.client(index % 2 == 0 ? portA : portB)
                        let reply = try await client.request(Wire.start(name))
                        await client.close()
                        return reply["session"]?.objectValue?["user"]?.objectValue?["id"]
                    }
                }
                return try await group.reduce(into: [JSONValue?]()) { $0.append($1) }
            }
            #expect(ids.count == 50)
            #expect(Set(ids.map { $0.map { "\($0)" } ?? "failed" }).count == 1, "\(ids)")
            #expect(try await Support.sql("SELECT count(*)::text FROM users", on: url) == ["1"])
        }
    }

    @Test func guestStartOnBIsRefusedRightAfterAnAuthenticatedStartOnA() async throws {
        try await Support.withPair { pair in
            let (portA, portB) = (pair.portA, pair.portB)
            let clientA = try await Support.client(portA)
            let clientB = try await Support.client(portB)
            for round in 0..<10 {
                let name = Wire.username("person\(round)")
                expectSession(try await clientB.request(Wire.start(name)))
                #expect(try await clientB.request(Wire.end())["succeeded"] == true)
                expectSession(try await clientA.request(Wire.start(name, authParams: Wire.allow())))
                #expect(try await clientA.request(Wire.end())["succeeded"] == true)
                expectFailure(try await clientB.request(Wire.start(name)), "authentication_required")
            }
            await clientA.close()
            await clientB.close()
        }
    }

    /// Reports the p99 of 50 revokes; SPEC §6 asks for 100 ms on one machine, the test for < 1 s.
    @Test func revokeOnAOfASessionHeldOnBReachesItsClientQuickly() async throws {
        try await Support.withPair { pair in
            let (portA, portB) = (pair.portA, pair.portB)
            let client = try await Support.client(portB)
            var latencies: [Duration] = []
            for _ in 0..<50 {
                let session = expectSession(try await client.request(Wire.start(Wire.username("held"))))
                let id = try #require(session["id"]?.stringValue)
                let listed = try await Support.adminSessions(port: portA).first { $0["id"] == .string(id) }
                #expect(listed?["instance"] == "B")
                let began = ContinuousClock.now
                #expect(try await Support.http("DELETE", "/v1/admin/sessions/\(id)", port: portA).status == 200)
                let event = try await client.receive(timeout: .seconds(5))
                latencies.append(ContinuousClock.now - began)
                #expect(event == ["event": "sessionEnded", "sessionId": .string(id), "reason": "revoked"])
            }
            let sorted = latencies.sorted()
            let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
            print("revoke across instances, DELETE sent to sessionEnded received: median \(sorted[sorted.count / 2]), p99 \(p99) over \(sorted.count) runs")
            #expect(p99 < .seconds(1))
            #expect(try await Support.http("DELETE", "/v1/admin/sessions/00000000-0000-0000-0000-000000000000", port: portA).status == 404)
            await client.close()
        }
    }

    @Test func aKilledListeningConnectionCostsAtMostASecondAndIsListeningAgain() async throws {
        try await Support.withPair { pair in
            let (portA, portB, url) = (pair.portA, pair.portB, pair.url)
            let listener: PostgresQuery = "SELECT pid::text FROM pg_stat_activity WHERE application_name = 'sessiongate-listen B'"
            #expect(try await Support.eventually(within: .seconds(5)) { try await !Support.sql(listener, on: url).isEmpty })
            let before = try await Support.sql(listener, on: url)
            try await Support.sql(
                "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE application_name = 'sessiongate-listen B'", on: url
            )
            let client = try await Support.client(portB)
            let id = try #require(expectSession(try await client.request(Wire.start(Wire.username("held"))))["id"]?.stringValue)
            let began = ContinuousClock.now
            #expect(try await Support.http("DELETE", "/v1/admin/sessions/\(id)", port: portA).status == 200)
            #expect(try await client.receive(timeout: .seconds(2)) == ["event": "sessionEnded", "sessionId": .string(id), "reason": "revoked"])
            #expect(ContinuousClock.now - began < .seconds(2))
            #expect(try await Support.eventually(within: .seconds(5)) {
                let now = try await Support.sql(listener, on: url)
                return !now.isEmpty && now != before
            }, "B listens again on a new connection")
            await client.close()
        }
    }

    @Test func sessionsOfAKilledInstanceEndAsInstanceLostAndLeaveTheAdminList() async throws {
        try await Support.withPair { pair in
            let (portA, b, portB, url) = (pair.portA, pair.b, pair.portB, pair.url)
            let client = try await Support.client(portB)
            let id = try #require(expectSession(try await client.request(Wire.start(Wire.username("doomed"))))["id"]?.stringValue)
            #expect(try await Support.adminSessions(port: portA).contains { $0["id"] == .string(id) })
            b.signal(SIGKILL)
            let began = ContinuousClock.now
            #expect(try await Support.eventually(within: .seconds(30)) {
                try await !Support.adminSessions(port: portA).contains { $0["id"] == .string(id) }
            })
            #expect(try await Support.eventually(within: .seconds(30)) {
                try await Support.sql("SELECT COALESCE(end_reason, '')::text FROM sessions WHERE id = \(id)", on: url) == ["instance_lost"]
            })
            print("a killed instance's session ended as instance_lost after \(ContinuousClock.now - began)")
            #expect(ContinuousClock.now - began < .seconds(30))
        }
    }

    @Test func failuresSpreadOverAAndBTripTheSharedLimit() async throws {
        let limit = ["--username-failure-limit", "4/1m"]
        try await Support.withPair(extra: limit) { pair in
            let (portA, portB) = (pair.portA, pair.portB)
            let clientA = try await Support.client(portA)
            let clientB = try await Support.client(portB)
            let name = Wire.username("target")
            for round in 0..<4 {
                let client = round % 2 == 0 ? clientA : clientB
                expectFailure(try await client.request(Wire.start(name, authParams: ["action": "deny"])), "access_denied")
            }
            // Two failures on each: under the limit for either alone, at it for both together.
            try await Task.sleep(for: .milliseconds(200))
            expectFailure(try await clientA.request(Wire.start(name, authParams: Wire.allow())), "rate_limited")
            expectFailure(try await clientB.request(Wire.start(name, authParams: Wire.allow())), "rate_limited")
            await clientA.close()
            await clientB.close()
        }
    }

    @Test func theDatabasePasswordIsNeverLogged() async throws {
        let canary = "canary-\(UInt32.random(in: 0...UInt32.max))"
        let url = try await Support.makeDatabase()
        let (a, portA) = try await Support.launch(
            "A", on: url, extra: ["--log-level", "debug"], environment: ["SESSIONGATE_DATABASE_PASSWORD": canary]
        )
        defer { a.kill() }
        let health = try await Support.http("GET", "/health", port: portA, token: nil)
        #expect(health.status == 200)
        #expect(health.body["instance"] == "A")
        a.signal(SIGTERM)
        _ = try await a.exitStatus()
        #expect(!a.stderr.contains(canary))
        #expect(!"\(health.body)".contains(canary))
        // A URL that holds a password and cannot be reached: the usage error redacts it.
        let refused = try await ServeProcess.runToExit([
            "--port", "0", "--database", "postgres://sg:\(canary)@127.0.0.1:1/sg?sslmode=disable",
        ])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("127.0.0.1:1"))
        #expect(!refused.stderr.contains(canary), "\(refused.stderr)")
    }
}
