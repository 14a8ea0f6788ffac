import NetworkAddresses
import ArgumentParser
import Configuration
import Foundation
import Gateway
import Logging
import SessionCore

/// `serve`'s settings after layering flag > `SESSIONGATE_<NAME>` environment variable >
/// config file > default (SPEC §1), every value checked.
struct ServeSettings: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var functions = "./functions"
    var database = "sqlite:./sessiongate.sqlite"
    var guestsAllowed = true
    var functionTimeout: Duration = .seconds(1)
    var functionMemory = 32 * 1024 * 1024
    var functionWorkers = ProcessInfo.processInfo.activeProcessorCount
    var adminToken: String?
    var demoEnabled = true
    var usernameFailureLimit: FailureLimit? = try! FailureLimit.parse("10/1m")
    var addressFailureLimit: FailureLimit? = try! FailureLimit.parse("100/1m")
    var logLevel: Logger.Level = .info
    var logFormat: LogFormat = .text
    var tlsCertificate: String?
    var tlsKey: String?
    var allowedOrigins: [String]?
    var trustedProxies: [IPAddressRange] = []
    /// `--http-allow`: nil refuses every address that is not public.
    var httpAllow: HTTPAllowList?
    var maxConnections = 100_000
    var instanceID = LocalSessionDirectory.randomInstanceID()
    /// `SESSIONGATE_DATABASE_PASSWORD` (or the config file's `database-password`); no flag, so that
    /// it never shows in a process list.
    var databasePassword: String?
    /// `SESSIONGATE_SECRET_<NAME>` variables as `NAME`, over the config file's `secrets`.
    var secrets: [String: String] = [:]

    /// Every option name, as a config-file key and (upper-cased, dashes as underscores) as an
    /// environment variable after `SESSIONGATE_`.
    static let optionNames: Set<String> = [
        "host", "port", "functions", "database", "guest", "function-timeout", "function-memory",
        "function-workers", "admin-token", "demo", "username-failure-limit", "address-failure-limit",
        "log-level", "log-format", "tls-cert", "tls-key", "allowed-origins", "trusted-proxies", "max-connections",
        "instance-id", "database-password", "http-allow",
    ]

    /// Values kept out of the configuration library's access log: tokens, passwords, and the
    /// database URL, which may hold one.
    static let secretNames: Set<String> = ["admin-token", "database-password", "database"]

    static let environmentPrefix = "SESSIONGATE_"
    static let secretPrefix = "SESSIONGATE_SECRET_"

    /// Layers the sources and reads every option.
    ///
    /// - Parameters:
    ///   - flags: the options given on the command line, by option name, as text.
    ///   - configPath: `--config`; when `nil`, `SESSIONGATE_CONFIG` is used if set.
    ///   - environment: the process environment.
    /// - Throws: `ValidationError` for a bad value, an unknown config key or an unreadable file.
    static func resolve(flags: [String: String], configPath: String?, environment: [String: String]) async throws -> ServeSettings {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "command line",
                values: Dictionary(uniqueKeysWithValues: flags.map { name, value in
                    (AbsoluteConfigKey([name]), ConfigValue(.string(value), isSecret: secretNames.contains(name)))
                })
            ),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .dynamic { name, _ in
                    let upper = name.uppercased()
                    return upper.hasPrefix(secretPrefix) || secretNames.contains { upper == environmentPrefix + $0.uppercased().replacingOccurrences(of: "-", with: "_") }
                }
            ).prefixKeys(with: ConfigKey(["sessiongate"])),
        ]
        var secrets: [String: String] = [:]
        if let path = configPath ?? environment[environmentPrefix + "CONFIG"], !path.isEmpty {
            let file = try await ConfigFile.load(path: path, knownKeys: optionNames)
            providers.append(file.provider)
            secrets = file.secrets
        }
        for (name, value) in environment where name.hasPrefix(secretPrefix) && name.count > secretPrefix.count {
            secrets[String(name.dropFirst(secretPrefix.count))] = value
        }

        let reader = ConfigReader(providers: providers)
        var settings = ServeSettings()
        settings.secrets = secrets
        try settings.read(from: reader)
        return settings
    }

    private mutating func read(from reader: ConfigReader) throws {
        func value(_ name: String) -> String? {
            reader.string(forKey: ConfigKey([name]), isSecret: Self.secretNames.contains(name))
        }
        func option(_ name: String) -> String { "--\(name)" }

        if let text = value("host") {
            guard !text.isEmpty else { throw ValidationError("Invalid value for --host: empty") }
            host = text
        }
        if let text = value("port") { port = try OptionValues.integer(text, option: option("port"), in: 0...65535) }
        if let text = value("functions") { functions = text }
        if let text = value("database") { database = text }
        if let text = value("guest") { guestsAllowed = try OptionValues.bool(text, option: option("guest")) }
        if let text = value("function-timeout") {
            functionTimeout = try OptionValues.duration(text, option: option("function-timeout"))
        }
        if let text = value("function-memory") {
            functionMemory = try OptionValues.size(text, option: option("function-memory"))
        }
        if let text = value("function-workers") {
            functionWorkers = try OptionValues.integer(text, option: option("function-workers"), in: 1...1024)
        }
        if let text = value("admin-token") {
            guard !text.isEmpty else { throw ValidationError("Invalid value for --admin-token: empty") }
            adminToken = text
        }
        if let text = value("demo") { demoEnabled = try OptionValues.bool(text, option: option("demo")) }
        if let text = value("username-failure-limit") {
            usernameFailureLimit = try failureLimit(text, option: option("username-failure-limit"))
        }
        if let text = value("address-failure-limit") {
            addressFailureLimit = try failureLimit(text, option: option("address-failure-limit"))
        }
        if let text = value("log-level") { logLevel = try OptionValues.logLevel(text, option: option("log-level")) }
        if let text = value("log-format") { logFormat = try OptionValues.logFormat(text, option: option("log-format")) }
        tlsCertificate = value("tls-cert")
        tlsKey = value("tls-key")
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both or neither")
        }
        if let text = value("allowed-origins") {
            allowedOrigins = try OptionValues.origins(text, option: option("allowed-origins"))
        }
        if let text = value("trusted-proxies") {
            do {
                trustedProxies = try IPAddressRange.list(text)
            } catch {
                throw ValidationError("Invalid value '\(error.text)' for \(option("trusted-proxies")): expected an IP address or a CIDR such as 10.0.0.0/8")
            }
        }
        if let text = value("http-allow") {
            httpAllow = try OptionValues.httpAllow(text, option: option("http-allow"))
        }
        if let text = value("instance-id") {
            guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw ValidationError("Invalid value for --instance-id: expected a name without spaces")
            }
            instanceID = text
        }
        if let text = value("database-password") { databasePassword = text }
        if let text = value("max-connections") {
            maxConnections = try OptionValues.integer(text, option: option("max-connections"), in: 1...10_000_000)
        }
    }

    private func failureLimit(_ text: String, option: String) throws -> FailureLimit? {
        do {
            return try FailureLimit.parse(text)
        } catch {
            throw ValidationError("Invalid value '\(text)' for \(option): expected COUNT/WINDOW such as 10/1m, or off")
        }
    }
}
