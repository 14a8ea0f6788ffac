import Foundation
import StrictJSON
import Testing

/// `sessiongate invoke` makes real `http` calls under `--http-allow`, as `serve` does (SPEC §1).
@Suite(.serialized) struct InvokeHTTPTests {
    struct Run {
        var status: Int32
        var stdout: String
    }

    /// Runs `sessiongate invoke` and waits for it without holding a thread of the cooperative
    /// pool (other tests' tasks run there meanwhile).
    static func invoke(_ arguments: [String]) async throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServeProcess.binary)
        process.arguments = ["invoke"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SESSIONGATE_") }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        // A verdict is one short line: it fits in the pipe's buffer, so reading after the exit is safe.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return Run(status: status, stdout: String(decoding: data, as: UTF8.self))
    }

    @Test func invokeCallsTheBackendOnlyWhenAllowed() async throws {
        let hooks = try await HookReceiver()
        let folder = try TestFunctions.makeFolder()
        defer { TestFunctions.removeFolder(folder) }
        try """
            return function(event)
              local r, err = http.post("\(hooks.url)/hook", {from = event.username})
              if not r then return false, {message = err, reason = "backend"} end
              return r.status == 204
            end
            """.write(toFile: folder + "/10-backend.lua", atomically: true, encoding: .utf8)

        // `invoke` has the default one-second budget, and the backend answers from this test
        // process, which shares 2 cores with the whole suite (gateways, PostgreSQL): a timeout
        // is tried again, twice at most; anything else is the answer.
        var allowed = try await Self.invoke([folder, "--username", "jane", "--auth-params", "{}", "--http-allow", "127.0.0.1"])
        for _ in 0..<2 where allowed.stdout.contains("function_timeout") {
            allowed = try await Self.invoke([folder, "--username", "jane", "--auth-params", "{}", "--http-allow", "127.0.0.1"])
            // A timed-out attempt's request may still be on its way in.
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(allowed.status == 0, "\(allowed.stdout)")
        #expect(allowed.stdout.contains(#""allowed":true"#))
        #expect(try await hooks.waitFor(1).last?["from"] == .string("jane"))
        let calls = hooks.bodies.count

        let refused = try await Self.invoke([folder, "--username", "jane", "--auth-params", "{}"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("host not allowed: 127.0.0.1"), "\(refused.stdout)")
        #expect(hooks.bodies.count == calls)

        let bad = try await Self.invoke([folder, "--username", "jane", "--http-allow", "10.0.0.0/99"])
        #expect(bad.status == 2)
        await hooks.stop()
    }

    @Test func serveRefusesABadAllowList() async throws {
        let result = try await ServeProcess.runToExit(["--port", "0", "--http-allow", "*.", "--function-timeout", "1s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--http-allow"), "\(result.stderr)")
    }
}
