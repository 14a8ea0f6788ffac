import ChatFunctions
import Foundation
import Logging
import StrictJSON
import Synchronization

/// How `serve` writes its log lines (`--log-format`).
enum LogFormat: String, CaseIterable, Sendable {
    /// `2026-11-25T14:00:00.123Z info gateway: message key=value`
    case text
    /// One JSON object per line: `time`, `level`, `label`, `message`, then the metadata.
    case json
}

/// A swift-log handler writing one line per event on standard error (SPEC §1).
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let format: LogFormat

    init(label: String, level: Logger.Level, format: LogFormat, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged: Logger.Metadata
        if metadata.isEmpty && metadataProvider == nil {
            merged = event.metadata ?? [:]
        } else {
            merged = metadata
            if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
            if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        }
        if let error = event.error { merged["error"] = "\(error)" }
        let time = Timestamp.iso8601Milliseconds(Date())
        let line: String
        switch format {
        case .text: line = textLine(time: time, event: event, metadata: merged)
        case .json: line = jsonLine(time: time, event: event, metadata: merged)
        }
        // Info and debug lines are queued, so that a start never waits for a write(2); a warning
        // or an error is written before `log` returns, so that a crash right after cannot lose it.
        if event.level >= .warning {
            StandardError.write(line + "\n")
        } else {
            StandardError.enqueue(line + "\n")
        }
    }

    private func textLine(time: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line = "\(time) \(Self.levelName(event.level)) \(label): \(event.message)"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.text(metadata[key]!))"
        }
        return line
    }

    private func jsonLine(time: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var object: JSONObject = [
            "time": .string(time),
            "level": .string(Self.levelName(event.level)),
            "label": .string(label),
            "message": .string(event.message.description),
        ]
        for key in metadata.keys.sorted() where object[key] == nil {
            object[key] = Self.json(metadata[key]!)
        }
        return JSONValue.object(object).encoded()
    }

    /// The names of `--log-level`, used on every line too.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        let raw = "\(value)"
        let needsQuotes: Bool
        if raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            needsQuotes = raw.isEmpty || raw.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }
        } else {
            needsQuotes = raw.isEmpty || raw.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        }
        return needsQuotes ? JSONValue.string(raw).encoded() : raw
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string): .string(string)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let members): .object(JSONObject(members.keys.sorted().map { ($0, json(members[$0]!)) }))
        }
    }
}

/// Whole lines on standard error, never interleaved, in the order they were written.
enum StandardError {
    private static let sink = LineSink(descriptor: STDERR_FILENO)

    /// Writes `text` now, after everything queued before it.
    static func write(_ text: String) {
        sink.writeNow(text)
    }

    /// Queues `text` for the sink's thread, which writes whatever has queued in one call.
    static func enqueue(_ text: String) {
        sink.enqueue(text)
    }

    /// Returns once everything queued is written.
    static func flush() {
        sink.flush()
    }
}

/// Whole lines on standard output, written at once (unbuffered, so a reader sees them now).
enum StandardOutput {
    static func writeLine(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { writeAll($0, to: STDOUT_FILENO) }
    }
}

/// Writes every byte, retrying short writes and interrupted calls; gives up on any other error
/// (a closed standard error must not stop the gateway).
func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) {
    var offset = 0
    while offset < bytes.count {
        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written > 0 {
            offset += written
        } else if written < 0 && errno == EINTR {
            continue
        } else {
            return
        }
    }
}
