import ArgumentParser
import ChatFunctions
import Foundation
import Logging
import StrictJSON

/// Helpers shared by the commands that run functions in-process (`check`, `invoke`, `bench`).
enum CLISupport {
    /// Logs to standard error, warnings and worse: standard output carries the results.
    static func bootstrapQuietLogging() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
    }

    /// `--auth-params JSON`: a JSON object, or a usage error (exit 2).
    static func authParams(_ text: String?) throws -> JSONObject {
        guard let text else { return JSONObject() }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw ValidationError("--auth-params is not valid JSON: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw ValidationError("--auth-params must be a JSON object")
        }
        return object
    }

    /// The secrets of the environment (`SESSIONGATE_SECRET_<NAME>`), as `serve` reads them.
    static var environmentSecrets: [String: String] {
        var secrets: [String: String] = [:]
        for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("SESSIONGATE_SECRET_") {
            secrets[String(key.dropFirst("SESSIONGATE_SECRET_".count))] = value
        }
        return secrets
    }

    /// Exits 2 when the folder is missing (a file that cannot be read), else 1, after printing the problems.
    static func fail(loading error: FunctionLoadError, folder: String, toStandardOutput: Bool) -> ExitCode {
        let text = error.problems.joined(separator: "\n") + "\n"
        if toStandardOutput { print(text, terminator: "") } else { FileHandle.standardError.write(Data(text.utf8)) }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue
        return ExitCode(exists ? ExitStatus.failure : ExitStatus.usage)
    }

    static func write(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((value.encoded() + "\n").utf8))
    }
}
