import Foundation
import Logging
import PostgresNIO
@testable import SessionCore

/// The PostgreSQL cluster of the tests: `make test` starts one (scripts/pg-test-cluster.sh) and
/// names it in `SESSIONGATE_TEST_POSTGRES_URL`, a superuser URL. Each store gets a database of
/// its own. Without the variable the PostgreSQL tests fail, saying how to run them; they are
/// left out only when `SESSIONGATE_SKIP_POSTGRES_TESTS=1` asks for it.
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment

    static var isSkipped: Bool { environment["SESSIONGATE_SKIP_POSTGRES_TESTS"] == "1" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "SESSIONGATE_TEST_POSTGRES_URL is not set: run `make test` (it starts a throw-away PostgreSQL), or "
                + "`scripts/pg-test-cluster.sh start` and export SESSIONGATE_TEST_POSTGRES_URL=$(scripts/pg-test-cluster.sh url); "
                + "SESSIONGATE_SKIP_POSTGRES_TESTS=1 leaves these tests out"
        }
    }

    static func adminURL() throws -> PostgresDatabaseURL {
        guard let text = environment["SESSIONGATE_TEST_POSTGRES_URL"], !text.isEmpty else { throw NotConfigured() }
        return try PostgresDatabaseURL(text)
    }

    /// A new, empty database; returns its URL.
    static func makeDatabase() async throws -> PostgresDatabaseURL {
        var url = try adminURL()
        let name = "sg_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let connection = try await PostgresConnection.connect(
            configuration: url.connectionConfiguration(), id: 1, logger: quietLogger
        )
        defer { Task { try? await connection.close() } }
        // Identifiers cannot be bound; the name is made above of hex digits only.
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger)
        url.database = name
        return url
    }

    static func openStore(instanceID: String = "test") async throws -> PostgresUserStore {
        try await PostgresUserStore.open(makeDatabase(), instanceID: instanceID, logger: quietLogger)
    }
}
