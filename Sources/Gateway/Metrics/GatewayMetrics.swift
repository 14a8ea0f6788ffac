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

    /// 100 µs to 10 s, about three a decade: a password check (a few ms) and a backend call
    /// (tens to hundreds of ms) land in buckets of their own, not all in the first one.
    static let functionBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Makes Prometheus the process's metrics back end, writing into `registry` (the one
    /// `/metrics` shows by default). Only the first call has an effect: swift-metrics can be
    /// bootstrapped once per process.
    public static func bootstrap(registry: PrometheusCollectorRegistry = PrometheusMetricsFactory.defaultRegistry) {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets = [
                "sessiongate_function_duration_seconds": functionBuckets,
                "sessiongate_http_request_duration_seconds": functionBuckets,
            ]
            MetricsSystem.bootstrap(factory)
        }
    }
}
