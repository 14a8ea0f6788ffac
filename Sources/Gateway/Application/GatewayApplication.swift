import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SessionCore

/// The gateway's server: HTTP endpoints (SPEC §5) and the WebSocket protocol on `/v1/session`
/// (SPEC §2), as one `Service`, on the NIO edge (`EdgeServer`).
///
/// Graceful shutdown (from the enclosing `ServiceGroup`: SIGINT/SIGTERM in `serve`, or a test)
/// runs in this order: new upgrades and starts are refused and the socket stops accepting,
/// every session ends with `server_shutdown` (clients get `sessionEnded`, their connections
/// close), the session service flushes the store, then what is still open is closed.
public struct GatewayApplication: Service {
    private let configuration: GatewayConfiguration
    private let sessions: SessionService
    private let logger: Logger
    private let onListening: @Sendable (ListeningAddress) async -> Void

    /// - Parameter onListening: called once the socket is bound, with the real address.
    public init(
        configuration: GatewayConfiguration,
        sessions: SessionService,
        logger: Logger,
        onListening: @escaping @Sendable (ListeningAddress) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.sessions = sessions
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let gate = ShutdownGate()
        let policy = EdgePolicy(
            gate: gate, allowedOrigins: configuration.allowedOrigins, maxConnections: configuration.maxConnections
        )
        let closeTimeout = TimeAmount(configuration.closeTimeout)
        let settings = EdgeServer.Settings(
            host: configuration.host,
            port: configuration.port,
            tls: configuration.tls,
            httpIdleTimeout: TimeAmount(configuration.httpIdleTimeout),
            clientAddress: ClientAddress(trustedProxies: configuration.trustedProxies),
            session: SessionChannelHandler.Settings(
                sessions: sessions, gate: gate, maxMessageSize: configuration.maxMessageSize,
                pingInterval: TimeAmount(configuration.pingInterval), closeTimeout: closeTimeout, logger: logger
            )
        )
        let server: EdgeServer
        do {
            server = try await EdgeServer.start(settings: settings, policy: policy, routes: HTTPRoutes(router: makeRouter(), logger: logger))
        } catch {
            await sessions.shutdown()
            throw error
        }
        await onListening(ListeningAddress(
            host: server.localAddress?.ipAddress ?? "unknown",
            port: server.localAddress?.port ?? 0,
            secure: configuration.tls != nil
        ))

        // Cancellation also ends here: the store is closed and the socket released either way.
        try? await gracefulShutdown()
        gate.beginDraining()
        logger.info("Shutting down gracefully")
        server.beginShutdown()
        await sessions.shutdown()
        await server.waitUntilClosed(timeout: closeTimeout + .seconds(1))
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.addHealthRoute(sessions: sessions)
        router.addMetricsRoute(registry: configuration.metricsRegistry)
        if let token = configuration.adminToken {
            router.addAdminRoutes(sessions: sessions, token: token)
        }
        router.addWebRoutes(WebAssets.load(), demoEnabled: configuration.demoEnabled)
        return router
    }
}

extension GatewayApplication: CustomStringConvertible {
    /// A plain name: service groups log their services, and the configuration holds the admin token.
    public var description: String { "GatewayApplication" }
}
