import ArgumentParser
import NetworkAddresses
import ChatFunctions
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import SessionCore

/// `sessiongate serve`: runs the gateway (SPEC §1). Parses and layers the options, then wires
/// the function pool, the user store, the session service and the server together.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the gateway.",
        discussion: """
            Every option can also be set as an environment variable SESSIONGATE_<NAME> (dashes as \
            underscores, e.g. SESSIONGATE_FUNCTION_TIMEOUT=500ms, SESSIONGATE_GUEST=false) and as a key \
            of the config file (function-timeout: 500ms, guest: false). A flag beats the variable, the \
            variable beats the file. Secrets for the functions: every SESSIONGATE_SECRET_<NAME> variable \
            and the file's `secrets` map; the variable wins.
            """
    )

    @Option(help: ArgumentHelp("The address to bind (default 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("The port; 0 picks a free one (default 8080).", valueName: "port"))
    var port: String?

    @Option(help: ArgumentHelp("The functions folder (default ./functions).", valueName: "dir"))
    var functions: String?

    @Option(help: ArgumentHelp(
        "The user store: sqlite:PATH, sqlite::memory: for a throw-away one, or postgres://USER@HOST:PORT/DB?sslmode=… shared by several instances; the password may come from SESSIONGATE_DATABASE_PASSWORD (default sqlite:./sessiongate.sqlite).",
        valueName: "store"))
    var database: String?

    @Option(help: ArgumentHelp("This instance's name in a shared store, shown by /health and the admin API (default: random).", valueName: "name"))
    var instanceId: String?

    @Flag(inversion: .prefixedNo, help: "Allow starts without authParams (default on).")
    var guest: Bool?

    @Option(help: ArgumentHelp(
        "Wall-clock budget of one authentication, all functions together: 250ms, 1s, 1m (default 1s).",
        valueName: "duration"))
    var functionTimeout: String?

    @Option(help: ArgumentHelp("Memory cap of one Lua state: KiB, MiB or GiB (default 32MiB).", valueName: "size"))
    var functionMemory: String?

    @Option(help: ArgumentHelp("Lua states that run concurrently (default: the number of cores).", valueName: "count"))
    var functionWorkers: String?

    @Option(help: ArgumentHelp("Bearer token for /v1/admin/*; unset turns the admin API off.", valueName: "token"))
    var adminToken: String?

    @Flag(inversion: .prefixedNo, help: "Serve the demo page at / (default on).")
    var demo: Bool?

    @Option(help: ArgumentHelp(
        "Failed starts allowed per username per window, e.g. 10/1m, or off (default 10/1m).", valueName: "limit"))
    var usernameFailureLimit: String?

    @Option(help: ArgumentHelp(
        "Failed starts allowed per remote address per window, e.g. 100/1m, or off (default 100/1m).",
        valueName: "limit"))
    var addressFailureLimit: String?

    @Option(help: ArgumentHelp("debug, info, warn or error (default info).", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("text or json, one line per event on standard error (default text).", valueName: "format"))
    var logFormat: String?

    @Option(help: ArgumentHelp("PEM certificate chain; with --tls-key every endpoint is served over TLS.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp(
        "Comma-separated origins (https://app.example.com) that may open sessions; an upgrade with another Origin is answered 403 (default: any).",
        valueName: "origins"))
    var allowedOrigins: String?

    @Option(help: ArgumentHelp(
        "Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client (default: none).",
        valueName: "addresses"))
    var trustedProxies: String?

    @Option(help: ArgumentHelp(
        "Hosts functions may call with http, comma-separated: api.example.com, *.example.com, HOST:PORT, an address or a CIDR (default: any host whose every address is public).",
        valueName: "hosts"))
    var httpAllow: String?

    @Option(help: ArgumentHelp("Open WebSocket connections; an upgrade beyond is answered 503 (default 100000).", valueName: "count"))
    var maxConnections: String?

    @Option(help: ArgumentHelp("A YAML (.yaml, .yml) or JSON (.json) config file.", valueName: "file"))
    var config: String?

    /// The options given on the command line, by their config names.
    private var flagValues: [String: String] {
        let options: [String: String?] = [
            "host": host, "port": port, "functions": functions, "database": database,
            "guest": guest.map { $0 ? "true" : "false" },
            "function-timeout": functionTimeout, "function-memory": functionMemory,
            "function-workers": functionWorkers, "admin-token": adminToken,
            "demo": demo.map { $0 ? "true" : "false" },
            "username-failure-limit": usernameFailureLimit, "address-failure-limit": addressFailureLimit,
            "log-level": logLevel, "log-format": logFormat,
            "tls-cert": tlsCert, "tls-key": tlsKey, "allowed-origins": allowedOrigins,
            "trusted-proxies": trustedProxies, "max-connections": maxConnections, "instance-id": instanceId,
            "http-allow": httpAllow,
        ]
        return options.compactMapValues { $0 }
    }

    func run() async throws {
        // Queued log lines must reach standard error however `serve` ends.
        defer { StandardError.flush() }
        let settings = try await ServeSettings.resolve(
            flags: flagValues,
            configPath: config,
            environment: ProcessInfo.processInfo.environment
        )
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, level: settings.logLevel, format: settings.logFormat)
        }
        let logger = Logger(label: "sessiongate")
        GatewayMetrics.bootstrap()

        let tls = try loadTLS(settings)
        let pool = try loadFunctions(settings, logger: logger)
        let store: any UserStore
        do {
            store = try await openUserStore(
                settings.database, instanceID: settings.instanceID, password: settings.databasePassword, logger: logger
            )
        } catch {
            StandardError.write("Cannot open the user store \(redactedDatabase(settings.database)): \(error)\n")
            await pool.shutdown()
            throw ExitCode(ExitStatus.usage)
        }
        // Several instances on PostgreSQL share sessions and limits; one on SQLite keeps them local.
        let cluster = (store as? PostgresUserStore).map { PostgresCluster(store: $0, logger: logger) }
        let directory: any SessionDirectory = cluster ?? LocalSessionDirectory(instanceID: settings.instanceID)

        var options = SessionOptions()
        options.guestsAllowed = settings.guestsAllowed
        options.usernameFailureLimit = settings.usernameFailureLimit
        options.addressFailureLimit = settings.addressFailureLimit
        let sessions = SessionService(
            store: store, authenticator: pool, options: options, logger: logger, directory: directory,
            triggers: PoolSessionTriggers(pool: pool))

        let gateway = GatewayApplication(
            configuration: GatewayConfiguration(
                host: settings.host,
                port: settings.port,
                adminToken: settings.adminToken,
                demoEnabled: settings.demoEnabled,
                tls: tls,
                allowedOrigins: settings.allowedOrigins,
                trustedProxies: settings.trustedProxies,
                maxConnections: settings.maxConnections
            ),
            sessions: sessions,
            logger: logger,
            onListening: { address in
                StandardOutput.writeLine("sessiongate listening on \(address.httpURL)")
            }
        )
        var groupConfiguration = ServiceGroupConfiguration(
            services: (cluster.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + [.init(service: FunctionWatcher(pool: pool)), .init(service: gateway)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            logger.error("The gateway stopped on an error", metadata: ["error": "\(error)"])
            await pool.shutdown()
            throw ExitCode(ExitStatus.failure)
        }
        await pool.shutdown()
        logger.info("Stopped")
    }

    /// Unreadable certificate or key files are fatal at start-up (exit 2, SPEC §1).
    private func loadTLS(_ settings: ServeSettings) throws -> TLSCredentials? {
        guard let certificate = settings.tlsCertificate, let key = settings.tlsKey else { return nil }
        do {
            return try TLSCredentials(certificatePath: certificate, keyPath: key)
        } catch {
            StandardError.write("Cannot serve TLS: \(error)\n")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// A missing folder or a set that does not compile is fatal at start-up: each problem as
    /// `FILE:LINE: message` on standard error, exit 2 (SPEC §1).
    private func loadFunctions(_ settings: ServeSettings, logger: Logger) throws -> FunctionPool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.functions, isDirectory: &isFolder), isFolder.boolValue else {
            StandardError.write("\(settings.functions): the functions folder does not exist\n")
            throw ExitCode(ExitStatus.usage)
        }
        let options = FunctionPoolOptions(
            workers: settings.functionWorkers,
            timeout: settings.functionTimeout,
            memoryLimit: settings.functionMemory,
            secrets: settings.secrets,
            logger: logger,
            http: LiveHTTPTransport(policy: EgressPolicy(allowList: settings.httpAllow))
        )
        do {
            return try FunctionPool(folder: settings.functions, options: options)
        } catch {
            for problem in error.problems {
                StandardError.write(problem + "\n")
            }
            throw ExitCode(ExitStatus.usage)
        }
    }
}
