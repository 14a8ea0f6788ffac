import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import SessionCore

/// The listening socket and every connection's pipeline, directly on SwiftNIO: HTTP/1.1 with
/// the WebSocket upgrade of `/v1/session` (SPEC §2), TLS when configured, the Hummingbird
/// routes for everything else. After an upgrade a connection's pipeline holds only the
/// WebSocket codec and its `SessionChannelHandler`: no task or stream per connection or message.
final class EdgeServer: Sendable {
    static let sessionPath = "/v1/session"

    let localAddress: SocketAddress?
    private let channel: any Channel
    private let quiescing: ServerQuiescingHelper
    private let pingers: LoopPingers
    private let idleChecks: HTTPFront.IdleChecks
    private let allClosed: EventLoopPromise<Void>

    private init(channel: any Channel, quiescing: ServerQuiescingHelper, pingers: LoopPingers, idleChecks: HTTPFront.IdleChecks) {
        self.channel = channel
        self.quiescing = quiescing
        self.pingers = pingers
        self.idleChecks = idleChecks
        localAddress = channel.localAddress
        allClosed = channel.eventLoop.makePromise()
    }

    struct Settings: Sendable {
        var host: String
        var port: Int
        var tls: TLSCredentials?
        var httpIdleTimeout: TimeAmount
        var clientAddress: ClientAddress
        var session: SessionChannelHandler.Settings
    }

    static func start(
        settings: Settings, policy: EdgePolicy, routes: HTTPRoutes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> EdgeServer {
        let quiescing = ServerQuiescingHelper(group: group)
        let pingers = LoopPingers(group: group, pingInterval: settings.session.pingInterval)
        let idleChecks = HTTPFront.idleChecks(group: group, timeout: settings.httpIdleTimeout)
        var settings = settings
        settings.session.pingers = pingers
        let channel: any Channel
        do {
            channel = try await bind(
                settings: settings, policy: policy, routes: routes, group: group, quiescing: quiescing, idleChecks: idleChecks
            )
        } catch {
            pingers.stop()
            idleChecks.stop()
            throw error
        }
        return EdgeServer(channel: channel, quiescing: quiescing, pingers: pingers, idleChecks: idleChecks)
    }

    private static func bind(
        settings: Settings, policy: EdgePolicy, routes: HTTPRoutes, group: any EventLoopGroup, quiescing: ServerQuiescingHelper,
        idleChecks: HTTPFront.IdleChecks
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            // TCP_NODELAY is needed (server-sent events must not wait on Nagle). Set on the
            // listening socket, every accepted one inherits it (Linux copies it at accept):
            // as a child option it cost a system call and a chain of futures per connection.
            .serverChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try configure(channel, settings: settings, policy: policy, routes: routes, idleChecks: idleChecks)
                }
            }
            .bind(host: settings.host, port: settings.port)
            .get()
    }

    /// Stops accepting and asks every connection to finish (`ChannelShouldQuiesceEvent`): idle
    /// HTTP connections close, WebSocket connections without a session close with 1001, the
    /// others wait for their session's `server_shutdown`.
    func beginShutdown() {
        quiescing.initiateShutdown(promise: allClosed)
    }

    /// Waits until every connection has closed, closing what is left after `timeout`.
    func waitUntilClosed(timeout: TimeAmount) async {
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { [allClosed] in
            allClosed.succeed()
        }
        try? await allClosed.futureResult.get()
        deadline.cancel()
        pingers.stop()
        idleChecks.stop()
    }

    static func isSessionEndpoint(_ target: String) -> Bool {
        guard let query = target.firstIndex(of: "?") else { return target == sessionPath }
        return target[..<query] == sessionPath
    }

    // MARK: Pipelines

    private static func configure(
        _ channel: any Channel, settings: Settings, policy: EdgePolicy, routes: HTTPRoutes, idleChecks: HTTPFront.IdleChecks
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        // Set here rather than as a child option, which goes through a future per connection.
        try channel.syncOptions?.setOption(.maxMessagesPerRead, value: 16)
        if let tls = settings.tls {
            try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
        }
        let encoder = HTTPResponseEncoder()
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
        let pipelining = HTTPServerPipelineHandler()
        let protocolErrors = HTTPServerProtocolErrorHandler()
        let lastRefusal = NIOLoopBoundBox<EdgePolicy.Refusal?>(nil, eventLoop: channel.eventLoop)

        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: settings.session.maxMessageSize,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    guard isSessionEndpoint(head.uri) else { return nil }
                    if let refusal = policy.refusal(for: head) {
                        lastRefusal.value = refusal
                        return nil
                    }
                    guard policy.reserveConnection() else {
                        lastRefusal.value = .tooManyConnections
                        return nil
                    }
                    channel.closeFuture.whenComplete { _ in policy.releaseConnection() }
                    return HTTPHeaders()
                }
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let peer = PeerInfo(
                        remoteAddress: settings.clientAddress.resolve(peer: channel.remoteAddress?.ipAddress, headers: head.headers),
                        userAgent: head.headers.first(name: "user-agent"),
                        origin: head.headers.first(name: "origin")
                    )
                    try channel.pipeline.syncOperations.addHandler(SessionChannelHandler(settings: settings.session, peer: peer))
                }
            }
        )

        let front = HTTPFront(
            routes: routes, policy: policy, secure: settings.tls != nil, lastRefusal: lastRefusal, idleChecks: idleChecks
        )
        front.install(stage: HTTPFront.UpgradeStage(
            upgrader: upgrader, encoder: encoder, otherHTTPHandlers: [decoder, pipelining, protocolErrors]
        ))
        try pipeline.addHandlers([encoder, decoder, pipelining, protocolErrors])
        if let upgradeHandler = front.makeUpgradeHandler() {
            try pipeline.addHandler(upgradeHandler)
        }
        try pipeline.addHandler(front)
    }
}
