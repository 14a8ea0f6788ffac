import Foundation
import Logging
import PostgresNIO
@testable import SessionCore
import StrictJSON

/// Gateways as child processes on one PostgreSQL database: the cluster of `make test`
/// (`SESSIONGATE_TEST_POSTGRES_URL`, a superuser URL), a database of their own per test.
enum ClusterSupport {
    static let token = "cluster-test-token"
    static let environment = ProcessInfo.processInfo.environment
    static var isSkipped: Bool { environment["SESSIONGATE_SKIP_POSTGRES_TESTS"] == "1" }

    static var logger: Logger {
        var logger = Logger(label: "cluster-tests")
        logger.logLevel = .critical
        return logger
    }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "SESSIONGATE_TEST_POSTGRES_URL is not set: run `make test`, or scripts/pg-test-cluster.sh start and export "
                + "SESSIONGATE_TEST_POSTGRES_URL=$(scripts/pg-test-cluster.sh url); SESSIONGATE_SKIP_POSTGRES_TESTS=1 leaves these tests out"
        }
    }

    static func adminURL(_ text: String? = nil) throws -> PostgresDatabaseURL {
        guard let text = text ?? environment["SESSIONGATE_TEST_POSTGRES_URL"], !text.isEmpty else { throw NotConfigured() }
        return try PostgresDatabaseURL(text)
    }

    /// Runs one statement as the superuser and returns the first column of every row, as text.
    @discardableResult
    static func sql(_ query: PostgresQuery, on url: PostgresDatabaseURL) async throws -> [String] {
        let connection = try await PostgresConnection.connect(
            configuration: url.connectionConfiguration(), id: 1, logger: logger
        )
        do {
            var values: [String] = []
            for try await row in try await connection.query(query, logger: logger) {
                values.append((try? row.decode(String.self)) ?? "")
            }
            try? await connection.close()
            return values
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A new, empty database of the cluster at `admin` (default: the tests' cluster).
    static func makeDatabase(admin: PostgresDatabaseURL? = nil) async throws -> PostgresDatabaseURL {
        var url = try admin ?? adminURL()
        let name = "sg_gw_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        // Identifiers cannot be bound; the name is hex digits only.
        try await sql(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), on: url)
        url.database = name
        return url
    }

    /// The URL as `--database` takes it.
    static func argument(_ url: PostgresDatabaseURL) -> String {
        "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)?sslmode=disable"
    }

    /// `sessiongate serve` on `url` as instance `id`, with the password function.
    static func launch(
        _ id: String, on url: PostgresDatabaseURL, extra: [String] = [], environment: [String: String] = [:]
    ) async throws -> (ServeProcess, Int) {
        let folder = try TestFunctions.makeFolder()
        let server = try ServeProcess.launch(
            ["--port", "0", "--functions", folder, "--database", argument(url), "--instance-id", id,
             "--admin-token", token] + extra,
            environment: environment
        )
        return (server, try await server.ready())
    }

    /// Gateways A and B on one fresh database, killed when `body` is done.
    struct Pair {
        let url: PostgresDatabaseURL
        let a: ServeProcess
        let portA: Int
        let b: ServeProcess
        let portB: Int
    }

    static func withPair(extra: [String] = [], _ body: (Pair) async throws -> Void) async throws {
        let url = try await makeDatabase()
        let (a, portA) = try await launch("A", on: url, extra: extra)
        defer { a.kill() }
        let (b, portB) = try await launch("B", on: url, extra: extra)
        defer { b.kill() }
        try await body(Pair(url: url, a: a, portA: portA, b: b, portB: portB))
    }

    /// A WebSocket client of the gateway on `port`.
    static func client(_ port: Int) async throws -> WebSocketTestClient {
        try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
    }

    /// One HTTP request on a connection of its own.
    static func http(_ method: String, _ path: String, port: Int, token: String? = token) async throws -> (status: Int, body: JSONObject) {
        let socket = try RawSocket(host: "127.0.0.1", port: port)
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        try socket.send("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Connection: close\r\n\r\n")
        let response = try await socket.readHTTPResponse()
        let body = (try? JSONParser.parse(response.body).objectValue) ?? nil
        return (response.status, body ?? [:])
    }

    static func adminSessions(port: Int) async throws -> [JSONObject] {
        let response = try await http("GET", "/v1/admin/sessions", port: port)
        return response.body["sessions"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(within timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
