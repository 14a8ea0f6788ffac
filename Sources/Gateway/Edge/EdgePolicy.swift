import NetworkAddresses
import Metrics
import NIOHTTP1
import Synchronization

/// What the edge decides about an upgrade request before any session work: the origin allow
/// list, the connection limit and the graceful-shutdown gate (SPEC §1 `--allowed-origins`,
/// `--max-connections`). Shared by every connection; the counter is one atomic.
final class EdgePolicy: Sendable {
    enum Refusal: Equatable, Sendable {
        case originNotAllowed
        case tooManyConnections
        case shuttingDown

        var status: HTTPResponseStatus {
            switch self {
            case .originNotAllowed: .forbidden
            case .tooManyConnections, .shuttingDown: .serviceUnavailable
            }
        }

        var message: String {
            switch self {
            case .originNotAllowed: "This origin may not open sessions"
            case .tooManyConnections: "The gateway holds as many connections as it may; try again later"
            case .shuttingDown: "The gateway is shutting down"
            }
        }

        /// The `reason` label of `sessiongate_upgrades_refused_total`.
        var metricReason: String {
            switch self {
            case .originNotAllowed: "origin"
            case .tooManyConnections: "max_connections"
            case .shuttingDown: "shutting_down"
            }
        }
    }

    let gate: ShutdownGate
    let maxConnections: Int
    /// Lower-cased origins; `nil` lets every origin in.
    private let allowedOrigins: Set<String>?
    private let openConnections = Atomic<Int>(0)
    private let connectionsGauge = Meter(label: GatewayMetrics.connectionsActiveLabel)

    init(gate: ShutdownGate, allowedOrigins: [String]?, maxConnections: Int) {
        self.gate = gate
        self.maxConnections = maxConnections
        self.allowedOrigins = allowedOrigins.map { Set($0.map(Self.normalizedOrigin)) }
    }

    /// Decides without reserving anything: the reason to refuse, or `nil`.
    func refusal(for head: HTTPRequestHead) -> Refusal? {
        if gate.isDraining { return .shuttingDown }
        if let allowedOrigins, let origin = head.headers.first(name: "origin"),
           !allowedOrigins.contains(Self.normalizedOrigin(origin)) {
            return .originNotAllowed
        }
        if openConnections.load(ordering: .relaxed) >= maxConnections { return .tooManyConnections }
        return nil
    }

    /// Takes one place among `--max-connections`; `false` when none is left.
    func reserveConnection() -> Bool {
        var current = openConnections.load(ordering: .relaxed)
        while current < maxConnections {
            let (exchanged, original) = openConnections.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged {
                connectionsGauge.increment()
                return true
            }
            current = original
        }
        return false
    }

    func releaseConnection() {
        openConnections.subtract(1, ordering: .relaxed)
        connectionsGauge.decrement()
    }

    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    func recordRefusal(_ refusal: Refusal) {
        Counter(label: GatewayMetrics.upgradesRefusedLabel, dimensions: [("reason", refusal.metricReason)]).increment()
    }

    /// Browsers send origins lower-cased and without a trailing slash; operators may not.
    private static func normalizedOrigin(_ origin: String) -> String {
        var text = origin.trimmingWhitespace().lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
