import NetworkAddresses
import Prometheus

/// Everything the gateway's HTTP and WebSocket server needs besides the session service.
public struct GatewayConfiguration: Sendable {
    /// The address to bind (`--host`).
    public var host: String
    /// The port to bind (`--port`); `0` picks a free one.
    public var port: Int
    /// The bearer token of `/v1/admin/*` (`--admin-token`); `nil` turns the admin API off (404).
    public var adminToken: String?
    /// Whether `GET /` serves the demo page (`--demo` / `--no-demo`).
    public var demoEnabled: Bool
    /// How often the server pings each WebSocket; a connection that leaves a ping unanswered
    /// until the next one is due is lost (SPEC §2: no pong for 2 × 30 s).
    public var pingInterval: Duration
    /// The largest message accepted, fragments joined (SPEC §2: 64 KiB); larger closes with 1009.
    public var maxMessageSize: Int
    /// How long to wait for the client's close frame after the server closes.
    public var closeTimeout: Duration
    /// How long an HTTP connection (not upgraded) may stay idle before it is closed.
    public var httpIdleTimeout: Duration
    /// The registry `/metrics` exposes: the one `GatewayMetrics.bootstrap` feeds.
    public var metricsRegistry: PrometheusCollectorRegistry
    /// `--tls-cert` and `--tls-key`: with them every endpoint is served over TLS.
    public var tls: TLSCredentials?
    /// `--allowed-origins`: an upgrade whose `Origin` is present and not listed is refused (403);
    /// `nil` lets any origin in.
    public var allowedOrigins: [String]?
    /// `--trusted-proxies`: peers whose `X-Forwarded-For` names the client.
    public var trustedProxies: [IPAddressRange]
    /// `--max-connections`: open WebSocket connections; an upgrade beyond is refused (503).
    public var maxConnections: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        adminToken: String? = nil,
        demoEnabled: Bool = true,
        pingInterval: Duration = .seconds(30),
        maxMessageSize: Int = 64 * 1024,
        closeTimeout: Duration = .seconds(5),
        httpIdleTimeout: Duration = .seconds(60),
        metricsRegistry: PrometheusCollectorRegistry = PrometheusMetricsFactory.defaultRegistry,
        tls: TLSCredentials? = nil,
        allowedOrigins: [String]? = nil,
        trustedProxies: [IPAddressRange] = [],
        maxConnections: Int = 100_000
    ) {
        self.host = host
        self.port = port
        self.adminToken = adminToken
        self.demoEnabled = demoEnabled
        self.pingInterval = pingInterval
        self.maxMessageSize = maxMessageSize
        self.closeTimeout = closeTimeout
        self.httpIdleTimeout = httpIdleTimeout
        self.metricsRegistry = metricsRegistry
        self.tls = tls
        self.allowedOrigins = allowedOrigins
        self.trustedProxies = trustedProxies
        self.maxConnections = maxConnections
    }
}
