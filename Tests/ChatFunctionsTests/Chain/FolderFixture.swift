import ChatFunctions
import Foundation
import Logging
import StrictJSON
import Synchronization

/// A functions folder in a temporary directory, removed with the fixture.
final class FolderFixture {
    let path: String

    init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "sessiongate-fx-" + UUID().uuidString + "/functions"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    func write(_ name: String, _ text: String) throws {
        let full = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
}

/// A function file whose body is `body`.
func fn(_ body: String) -> String { "return function(event, context)\n\(body)\nend\n" }

func event(_ username: String = "jane", _ params: JSONObject = [:], user: UserSnapshot? = nil) -> AuthenticationEvent {
    AuthenticationEvent(username: username, authParams: params, remoteAddress: "203.0.113.7",
                        userAgent: "tests/1", origin: "https://app.example", user: user)
}

/// Log lines captured in memory (to prove what never reaches the log).
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CaptureHandler(log: self) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct CaptureHandler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            let all = metadata.merging(extra ?? [:]) { $1 }
            log.lines.withLock { $0.append("\(level) \(message) \(all)") }
        }
    }
}
