import Metrics

/// The session metrics, through swift-metrics (the gateway bootstraps the backend).
///
/// The metric objects are made once, when the service is made: bootstrap the metrics system first.
struct SessionMetrics: Sendable {
    static let activeLabel = "sessiongate_sessions_active"
    static let startsLabel = "sessiongate_starts_total"
    /// The `code` dimension of a successful start.
    static let okCode = "ok"

    private let active: Gauge
    private let starts: [String: Counter]

    /// - Parameter factory: `nil` uses the bootstrapped `MetricsSystem.factory`.
    init(factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        active = Gauge(label: Self.activeLabel, factory: factory)
        // Every code gets its series up front, so a rate over zero is 0 rather than missing.
        let codes = [Self.okCode] + ErrorCode.allCases.map(\.rawValue)
        starts = Dictionary(
            uniqueKeysWithValues: codes.map { code in
                (code, Counter(label: Self.startsLabel, dimensions: [("code", code)], factory: factory))
            }
        )
    }

    /// Counts one start with its outcome: `"ok"` or an error code.
    func recordStart(code: String) {
        starts[code]?.increment()
    }

    func recordActive(_ count: Int) {
        active.record(count)
    }
}
