import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import SessionCore

/// The gateway's server: HTTP endpoints (SPEC §5) and the WebSocket protocol on `/v1/session`
/// (SPEC §2), as one `Service`.
///
/// Graceful shutdown (from the enclosing `ServiceGroup`: SIGINT/SIGTERM in `serve`, or a test)
/// runs in this order: new upgrades and starts are refused, every session ends with
/// `server_shutdown` (clients get `sessionEnded`, their connections close), the session
/// service flushes the store, then the HTTP server stops and closes what is left.
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
        let endpoint = SessionEndpoint(sessions: sessions, gate: gate, maxMessageSize: configuration.maxMessageSize)
        let application = Application(
            router: makeRouter(),
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    http1: .init(idleTimeout: .seconds(Int64(configuration.httpIdleTimeout.components.seconds))),
                    ws: .init(
                        maxFrameSize: configuration.maxMessageSize,
                        autoPing: .enabled(timePeriod: configuration.pingInterval),
                        closeTimeout: configuration.closeTimeout,
                        validateUTF8: true
                    )
                ),
                shouldUpgrade: { [endpoint] head, channel, _ in
                    endpoint.shouldUpgrade(head, remoteIP: channel.remoteAddress?.ipAddress)
                }
            ),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { [onListening] channel in
                await onListening(ListeningAddress(
                    host: channel.localAddress?.ipAddress ?? "unknown",
                    port: channel.localAddress?.port ?? 0
                ))
            },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: application),
                    .init(service: SessionDrain(sessions: sessions, gate: gate, logger: logger)),
                ],
                logger: logger
            )
        )
        try await group.run()
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
