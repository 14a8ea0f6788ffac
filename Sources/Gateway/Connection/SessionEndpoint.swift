import Hummingbird
import HummingbirdWebSocket
import Logging
import Metrics
import SessionCore

/// `GET /v1/session`: decides each WebSocket upgrade and hands the socket to a ``SessionConnection``.
struct SessionEndpoint: Sendable {
    typealias Handler = WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>

    static let path = "/v1/session"

    let sessions: SessionService
    let gate: ShutdownGate
    let maxMessageSize: Int
    let connections = Meter(label: GatewayMetrics.connectionsActiveLabel)

    /// Upgrades requests for ``path`` (a query string is ignored) unless the gateway is draining.
    func shouldUpgrade(_ head: HTTPRequest, remoteIP: String?) -> ShouldUpgradeResult<Handler> {
        guard Self.isEndpoint(head.path), !gate.isDraining else { return .dontUpgrade }
        let peer = PeerInfo(ipAddress: remoteIP, headers: head.headerFields)
        return .upgrade([:]) { inbound, outbound, context in
            connections.increment()
            defer { connections.decrement() }
            var logger = context.logger
            logger[metadataKey: "remote"] = "\(peer.remoteAddress)"
            let connection = SessionConnection(
                sessions: sessions,
                peer: peer,
                outbound: outbound,
                gate: gate,
                maxMessageSize: maxMessageSize,
                logger: logger
            )
            await connection.run(inbound: inbound)
        }
    }

    static func isEndpoint(_ target: String?) -> Bool {
        guard let target else { return false }
        guard let query = target.firstIndex(of: "?") else { return target == path }
        return target[..<query] == path
    }
}
