import Foundation
import NIOSSL
import PostgresNIO

/// A `--database postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…` value, taken apart.
///
/// The password is kept out of `description` and every error: the URL is echoed in logs and in
/// usage errors, and the password may as well come from `SESSIONGATE_DATABASE_PASSWORD`.
public struct PostgresDatabaseURL: Sendable, CustomStringConvertible {
    /// libpq's values; `allow` is not offered: it would fall back to plain text on a TLS error.
    public enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    /// Whether `text` names a PostgreSQL store at all (and so must parse, or be a usage error).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// - Parameter password: `SESSIONGATE_DATABASE_PASSWORD`; it wins over a password in the URL.
    /// - Throws: `UserStoreError.unsupportedDatabase` with the URL redacted.
    public init(_ text: String, password: String? = nil) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text),
            let host = components.host, !host.isEmpty
        else { throw UserStoreError.unsupportedDatabase(Self.redacted(text)) }
        self.host = host
        port = components.port ?? 5432
        username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = password ?? components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.removingPercentEncoding ?? path
        if database.isEmpty { database = username }
        sslMode = .prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { continue }
            guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                throw UserStoreError.unsupportedDatabase(Self.redacted(text))
            }
            sslMode = mode
        }
    }

    /// The URL without its password, for logs.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// `text` with whatever sits between `://user:` and `@` replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"),
            let at = text[scheme.upperBound...].lastIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return text[..<text.index(after: colon)] + "***" + text[at...]
    }

    /// The client's configuration. `require` and `prefer` encrypt without checking the server's
    /// certificate, as libpq does for these modes.
    func clientConfiguration() -> PostgresClient.Configuration {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case .disable: .disable
            case .prefer: .prefer(tlsConfiguration)
            case .require: .require(tlsConfiguration)
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 40
        configuration.options.minimumConnections = 2
        return configuration
    }

    /// The same, for the one connection that listens for notifications (pools have no LISTEN).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.certificateVerification = .none
        let tls: PostgresConnection.Configuration.TLS =
            switch sslMode {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require: .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }
}
