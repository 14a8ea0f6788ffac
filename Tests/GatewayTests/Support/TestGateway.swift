import ChatFunctions
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import SessionCore
import StrictJSON
import Testing

/// A real gateway on `127.0.0.1`, on a port of its own, for one test.
struct TestGateway: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let address: ListeningAddress
    let sessions: SessionService
    /// The real Lua functions behind every authenticated start.
    let pool: FunctionPool
    /// The functions folder; removed at `stop()` when the gateway made it.
    let functionsFolder: String
    private let ownsFolder: Bool
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Starts a gateway, runs `body` against it, then shuts it down gracefully.
    static func with<T: Sendable>(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        options: SessionOptions = SessionOptions(),
        functions: TestPoolSettings = TestPoolSettings(),
        store: (any UserStore)? = nil,
        _ body: (TestGateway) async throws -> T
    ) async throws -> T {
        let gateway = try await start(configuration: configuration, options: options, functions: functions, store: store)
        do {
            let result = try await body(gateway)
            try await gateway.stop()
            return result
        } catch {
            try? await gateway.stop()
            throw error
        }
    }

    static func start(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        options: SessionOptions = SessionOptions(),
        functions: TestPoolSettings = TestPoolSettings(),
        store: (any UserStore)? = nil
    ) async throws -> TestGateway {
        GatewayMetrics.bootstrap()
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var logger = Logger(label: "gateway-test")
        // Quiet: several tests provoke failures the service logs as errors on purpose.
        logger.logLevel = .critical
        let folder = try functions.folder ?? TestFunctions.makeFolder()
        let pool: FunctionPool
        do {
            pool = try FunctionPool(folder: folder, options: functions.options(logger: logger))
        } catch {
            if functions.folder == nil { TestFunctions.removeFolder(folder) }
            throw error
        }
        let sessions = SessionService(
            store: store ?? MemoryUserStore(),
            authenticator: pool,
            options: options,
            logger: logger,
            triggers: PoolSessionTriggers(pool: pool)
        )
        let (addresses, listening) = AsyncStream.makeStream(of: ListeningAddress.self)
        let application = GatewayApplication(
            configuration: configuration,
            sessions: sessions,
            logger: logger,
            onListening: { address in
                listening.yield(address)
                listening.finish()
            }
        )
        let group = ServiceGroup(services: [application], logger: logger)
        let running = Task {
            defer { listening.finish() }
            try await group.run()
        }
        for await address in addresses {
            return TestGateway(address: address, sessions: sessions, pool: pool, functionsFolder: folder,
                               ownsFolder: functions.folder == nil, group: group, running: running)
        }
        await pool.shutdown()
        try await running.value
        throw Failure(description: "the gateway stopped before listening")
    }

    /// Shuts down gracefully, as SIGTERM does in `serve`, and waits until it has stopped.
    /// Then stops the function pool.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        let stopped = await running.result
        await pool.shutdown()
        if ownsFolder { TestFunctions.removeFolder(functionsFolder) }
        try stopped.get()
    }

    // MARK: Clients

    /// A new WebSocket connection to `/v1/session`.
    func connect(headers: HTTPFields = [:]) async throws -> WebSocketTestClient {
        try await WebSocketTestClient.connect(to: address.webSocketURL, headers: headers)
    }

    /// One HTTP request on a fresh connection.
    func http(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await TestClient.withClient(host: address.host, port: address.port) { client in
            try await client.execute(TestClient.Request(path, method: method, headers: headers))
        }
    }

    /// The body of an HTTP response, as a JSON object.
    static func json(_ response: TestClient.Response) throws -> JSONObject {
        guard let body = response.body, case .object(let object) = try JSONParser.parse(body.readableBytesView) else {
            throw Failure(description: "not a JSON object: \(String(buffer: response.body ?? ByteBuffer()))")
        }
        return object
    }
}
