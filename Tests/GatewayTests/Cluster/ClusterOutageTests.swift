import Foundation
import StrictJSON
import Testing

/// SPEC §6's outage rules, on a PostgreSQL of the test's own (stopping the shared one would fail
/// every other test): stopped and started again under two running gateways.
@Suite(.enabled(if: !ClusterSupport.isSkipped)) struct ClusterOutageTests {
    typealias Support = ClusterSupport

    /// scripts/pg-test-cluster.sh on a private port and folder.
    struct PrivateCluster {
        let port = Int.random(in: 56000...59000)
        var folder: String { "/tmp/sessiongate-pg-outage-\(port)" }
        static let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg-test-cluster.sh").path

        func run(_ command: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.script)
            process.arguments = [command]
            var environment = ProcessInfo.processInfo.environment
            environment["PG_TEST_PORT"] = "\(port)"
            environment["PG_TEST_DIR"] = folder
            process.environment = environment
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestGateway.Failure(description: "pg-test-cluster.sh \(command) exited \(process.terminationStatus)")
            }
        }

        var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }
    }

    @Test func postgresRestartedUnderBothGatewaysAndBothRecover() async throws {
        _ = try Support.adminURL()  // the same rule as the other PostgreSQL tests: fail when not configured
        let cluster = PrivateCluster()
        try cluster.run("start")
        defer { try? cluster.run("stop") }
        let url = try await Support.makeDatabase(admin: try Support.adminURL(cluster.url))
        let (a, portA) = try await Support.launch("A", on: url)
        defer { a.kill() }
        let (b, portB) = try await Support.launch("B", on: url)
        defer { b.kill() }

        let held = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(portA)/v1/session")
        expectSession(try await held.request(Wire.start(Wire.username("held"))))
        let ending = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(portB)/v1/session")
        let endingID = try #require(expectSession(try await ending.request(Wire.start(Wire.username("ending"))))["id"]?.stringValue)

        try cluster.run("halt")
        for port in [portA, portB] {
            #expect(try await Support.eventually(within: .seconds(10)) {
                try await Support.http("GET", "/health", port: port, token: nil).status == 503
            }, "/health of \(port) answers 503 while the database is down")
            let client = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
            expectFailure(try await client.request(Wire.start(Wire.username("during"))), "overloaded")
            await client.close()
        }
        // Sessions already active stay active; one that ends meanwhile is written afterwards.
        #expect(try await held.request(Wire.ping())["pong"] == true)
        #expect(try await ending.request(Wire.end())["succeeded"] == true)

        try cluster.run("resume")
        for port in [portA, portB] {
            #expect(try await Support.eventually(within: .seconds(15)) {
                try await Support.http("GET", "/health", port: port, token: nil).status == 200
            }, "\(port) recovers by itself")
            let client = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
            expectSession(try await client.request(Wire.start(Wire.username("after"))))
            await client.close()
        }
        #expect(try await Support.eventually(within: .seconds(10)) {
            try await Support.sql("SELECT COALESCE(end_reason, '')::text FROM sessions WHERE id = \(endingID)", on: url) == ["ended"]
        }, "the end made during the outage is in the history")
        #expect(try await held.request(Wire.ping())["pong"] == true)
        await held.close()
        await ending.close()
    }
}
