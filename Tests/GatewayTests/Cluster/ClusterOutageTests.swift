import Foundation
import StrictJSON
import Testing

/// SPEC §6's outage rules, on a PostgreSQL of the test's own (stopping the shared one would fail
/// every other test): stopped and started again under two running gateways.
@Suite(.enabled(if: !ClusterSupport.isSkipped)) struct ClusterOutageTests {
    typealias Support = ClusterSupport

    /// scripts/pg-test-cluster.sh on a private port and folder.
    struct PrivateCluster {
        /// Below Linux's ephemeral range (32768–60999): while the server is down, a client socket
        /// of another test could otherwise take its port and the restart would fail.
        let port = Int.random(in: 21000...29000)
        var folder: String { "/tmp/sessiongate-pg-outage-\(port)" }
        static let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg-test-cluster.sh").path

        /// Runs the script to its end on a thread of its own (Foundation's `Process` did not notice
        /// this script's exit from inside a test, so `system` it is).
        func run(_ command: String) async throws {
            let line = "PG_TEST_PORT=\(port) PG_TEST_DIR=\(folder) '\(Self.script)' \(command) >/dev/null 2>&1"
            let status = try await BlockingThread.run { system(line) }
            guard status == 0 else {
                let log = (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)) ?? ""
                throw TestGateway.Failure(
                    description: "pg-test-cluster.sh \(command) exited \(status); server log:\n\(log.suffix(2000))"
                )
            }
        }

        /// For `defer`: stops and removes the cluster, waiting for it.
        func stop() {
            _ = system("PG_TEST_PORT=\(port) PG_TEST_DIR=\(folder) '\(Self.script)' stop >/dev/null 2>&1")
        }

        var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }
    }

    @Test func postgresRestartedUnderBothGatewaysAndBothRecover() async throws {
        _ = try Support.adminURL()  // the same rule as the other PostgreSQL tests: fail when not configured
        let cluster = PrivateCluster()
        try await cluster.run("start")
        defer { cluster.stop() }
        let url = try await Support.makeDatabase(admin: try Support.adminURL(cluster.url))
        let (a, portA) = try await Support.launch("A", on: url)
        defer { a.kill() }
        let (b, portB) = try await Support.launch("B", on: url)
        defer { b.kill() }

        let held = try await Support.client(portA)
        expectSession(try await held.request(Wire.start(Wire.username("held"))))
        let ending = try await Support.client(portB)
        let endingID = try #require(expectSession(try await ending.request(Wire.start(Wire.username("ending"))))["id"]?.stringValue)

        try await cluster.run("halt")
        for port in [portA, portB] {
            #expect(try await Support.eventually(within: .seconds(10)) {
                try await Support.http("GET", "/health", port: port, token: nil).status == 503
            }, "/health of \(port) answers 503 while the database is down")
            let client = try await Support.client(port)
            expectFailure(try await client.request(Wire.start(Wire.username("during"))), "overloaded")
            await client.close()
        }
        // Sessions already active stay active; one that ends meanwhile is written afterwards.
        #expect(try await held.request(Wire.ping())["pong"] == true)
        #expect(try await ending.request(Wire.end())["succeeded"] == true)

        try await cluster.run("resume")
        for port in [portA, portB] {
            #expect(try await Support.eventually(within: .seconds(15)) {
                try await Support.http("GET", "/health", port: port, token: nil).status == 200
            }, "\(port) recovers by itself")
            let client = try await Support.client(port)
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
