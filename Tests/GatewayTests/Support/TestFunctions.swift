import ChatFunctions
import Foundation
import Logging

/// The chat functions of the end-to-end tests: real Lua files in a temporary folder, run by a
/// real `FunctionPool`. `authParams.action` names the verdict the first function returns.
enum TestFunctions {
    /// The deciding function: every action a test can ask for, each through the real Lua path.
    static let decider = """
        -- authParams.action names the verdict; anything else abstains.
        return function(event, context)
          local action = event.authParams.action
          if action == "allow" then
            return true
          elseif action == "profile" then
            return {displayName = "Jane Doe", properties = {plan = "pro"}}
          elseif action == "deny" then
            return false, "Wrong password"
          elseif action == "locked" then
            return false, {message = "Account locked", reason = "account_locked"}
          elseif action == "error" then
            error("boom")
          elseif action == "timeout" then
            while true do end
          elseif action == "memory" then
            local big = string.rep("x", 1e9)
            return #big > 0
          elseif action == "hold" then
            -- Keeps this worker busy for authParams.seconds, then allows.
            local stop = context.now() + event.authParams.seconds
            while context.now() < stop do end
            return true
          end
          return nil
        end
        """

    /// A second function that always abstains, so that an unknown action ends `access_denied`.
    static let abstainer = """
        return function(event, context)
          return nil
        end
        """

    /// A fresh temporary folder holding `files` (name → Lua source).
    static func makeFolder(_ files: [String: String] = ["10-test.lua": decider, "20-abstain.lua": abstainer]) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("gateway-functions-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, source) in files {
            try write(source, to: name, in: path)
        }
        return path
    }

    static func write(_ source: String, to name: String, in folder: String) throws {
        try source.write(toFile: (folder as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    static func removeFolder(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// How the test gateway's `FunctionPool` runs: small limits keep the limit tests fast.
struct TestPoolSettings: Sendable {
    var timeout: Duration = .milliseconds(500)
    var memoryLimit = 8 << 20
    var queueLimit = 4096
    var reloadInterval: Duration = .milliseconds(200)
    /// An existing functions folder; `nil` makes a fresh one with `TestFunctions`' files.
    var folder: String?
    /// Where the functions' `http` calls go.
    var http: any HTTPTransport = UnavailableHTTPTransport()

    func options(logger: Logger) -> FunctionPoolOptions {
        FunctionPoolOptions(workers: 2, timeout: timeout, memoryLimit: memoryLimit, queueLimit: queueLimit,
                            logger: logger, reloadInterval: reloadInterval, http: http)
    }
}
