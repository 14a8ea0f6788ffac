import Logging
import Synchronization

/// Keeps the log lines of a harness so the test runner can show them under a failing test.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger whose every line (debug and up) lands here.
    var logger: Logger {
        var logger = Logger(label: "sessiongate.test") { _ in Handler(log: self) }
        logger.logLevel = .debug
        return logger
    }

    /// The lines since the last call, oldest first.
    func drain() -> [String] {
        lines.withLock { lines in
            defer { lines.removeAll() }
            return lines
        }
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    /// Metadata that only adds noise to a test report: the set's hash, the Lua traceback
    /// (the message already says where), the tag of `print` lines.
    private static let hiddenKeys: Set<String> = ["functions", "function_set", "traceback", "source"]

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged
                .filter { !CapturedLog.hiddenKeys.contains($0.key) }
                .sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }
            log.append((["\(event.level): \(event.message)"] + fields).joined(separator: " "))
        }
    }
}
