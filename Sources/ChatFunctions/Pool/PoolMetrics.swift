import Metrics
import Synchronization

/// The pool's metrics (SPEC §5 `/metrics`).
///
/// `sessiongate_function_duration_seconds{file}`: one authentication, labelled with the file
/// that decided it (`none` when every function abstained), so an operator sees which function
/// is slow. Its buckets (100 µs to 10 s) are set where the Prometheus back end is bootstrapped.
final class PoolMetrics: Sendable {
    let queueDepth = Gauge(label: "sessiongate_function_queue_depth")
    private let durations = Mutex<[String: Metrics.Timer]>([:])
    private let triggerRuns = Mutex<[String: Counter]>([:])
    private let httpCounts = Mutex<[String: Counter]>([:])
    private let httpDuration = Metrics.Timer(label: "sessiongate_http_request_duration_seconds", preferredDisplayUnit: .seconds)

    func recordDuration(_ duration: Duration, file: String?) {
        let label = file.flatMap { $0.isEmpty ? nil : $0 } ?? "none"
        let timer = durations.withLock { timers in
            if let timer = timers[label] { return timer }
            let timer = Metrics.Timer(label: "sessiongate_function_duration_seconds", dimensions: [("file", label)],
                                      preferredDisplayUnit: .seconds)
            timers[label] = timer
            return timer
        }
        timer.recordNanoseconds(duration.nanoseconds)
    }

    func countTrigger(_ trigger: TriggerName, result: String) {
        let key = trigger.rawValue + "\u{0}" + result
        triggerRuns.withLock { counters in
            if counters[key] == nil {
                counters[key] = Counter(label: "sessiongate_trigger_runs_total",
                                        dimensions: [("trigger", trigger.rawValue), ("result", result)])
            }
            return counters[key]!
        }.increment()
    }

    /// `sessiongate_http_requests_total{result}`: `ok` for any response, else the failure's kind.
    func recordHTTP(_ result: ScriptHTTPResult, duration: Duration) {
        let kind: String
        switch result {
        case .response: kind = "ok"
        case .failure(let message): kind = ScriptHTTPResult.kind(ofFailure: message)
        }
        httpCounts.withLock { counters in
            if counters[kind] == nil {
                counters[kind] = Counter(label: "sessiongate_http_requests_total", dimensions: [("result", kind)])
            }
            return counters[kind]!
        }.increment()
        httpDuration.recordNanoseconds(duration.nanoseconds)
    }
}
