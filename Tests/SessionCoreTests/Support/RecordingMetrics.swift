import CoreMetrics
import Synchronization

/// A `MetricsFactory` that keeps the last value of every counter and gauge, by label and dimensions.
final class RecordingMetrics: MetricsFactory {
    private let values = Mutex<[String: Int64]>([:])

    /// The current value of a metric, `nil` when it was never made.
    func value(_ label: String, _ dimensions: [(String, String)] = []) -> Int64? {
        values.withLock { $0[Self.key(label, dimensions)] }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(key: Self.key(label, dimensions), values: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(key: Self.key(label, dimensions), values: self)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(key: Self.key(label, dimensions), values: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func update(_ key: String, _ change: (inout Int64) -> Void) {
        values.withLock { change(&$0[key, default: 0]) }
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
    }

    private final class Handler: CounterHandler, RecorderHandler, TimerHandler {
        let key: String
        let values: RecordingMetrics

        init(key: String, values: RecordingMetrics) {
            self.key = key
            self.values = values
            values.update(key) { _ in }
        }

        func increment(by amount: Int64) { values.update(key) { $0 += amount } }
        func reset() { values.update(key) { $0 = 0 } }
        func record(_ value: Int64) { values.update(key) { $0 = value } }
        func record(_ value: Double) { values.update(key) { $0 = Int64(value) } }
        func recordNanoseconds(_ duration: Int64) { values.update(key) { $0 = duration } }
    }
}
