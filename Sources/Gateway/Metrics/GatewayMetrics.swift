import Metrics
import Prometheus
import Synchronization

/// The gateway's metrics and the Prometheus back end of swift-metrics (SPEC §5: every name
/// prefixed `sessiongate_`).
public enum GatewayMetrics {
    /// Open WebSocket connections on `/v1/session`.
    static let connectionsActiveLabel = "sessiongate_connections_active"
    /// WebSocket upgrades answered with an HTTP error, by `reason` (`origin`, `max_connections`,
    /// `shutting_down`).
    static let upgradesRefusedLabel = "sessiongate_upgrades_refused_total"

    private static let bootstrapped = Mutex(false)

    /// Makes Prometheus the process's metrics back end, writing into `registry` (the one
    /// `/metrics` shows by default). Only the first call has an effect: swift-metrics can be
    /// bootstrapped once per process.
    public static func bootstrap(registry: PrometheusCollectorRegistry = PrometheusMetricsFactory.defaultRegistry) {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        }
    }
}
