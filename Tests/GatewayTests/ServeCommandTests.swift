import Foundation
import NIOSSL
import StrictJSON
import Synchronization
import Testing

/// `sessiongate serve` as a user runs it (SPEC §1): the built binary in a child process with a
/// clean environment — the ready line, option precedence, config files, exit codes, SIGTERM.
@Suite struct ServeCommandTests {
    @Test func readyLineNamesTheRealPortForPortZero() async throws {
        let server = try ServeProcess.launch(["--port", "0"])
        defer { server.kill() }
        let port = try await server.ready()
        #expect(port > 0)
        let client = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
        #expect(try await client.request(Wire.ping(ref: "p")) == ["ref": "p", "succeeded": true, "pong": true])
        await client.close()
    }

    @Test func flagBeatsEnvironmentBeatsConfigFile() async throws {
        let config = try ServeProcess.writeConfig("guest.yaml", "guest: false\nport: 0\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        // The file alone: guests off.
        #expect(try await ServeProcess.guestStartCode(["--config", config]) == "guest_sessions_disabled")
        // The variable beats the file: guests on.
        #expect(try await ServeProcess.guestStartCode(["--config", config], environment: ["SESSIONGATE_GUEST": "true"]) == nil)
        // The flag beats the variable: guests off.
        #expect(try await ServeProcess.guestStartCode(["--config", config, "--no-guest"],
                                                      environment: ["SESSIONGATE_GUEST": "true"]) == "guest_sessions_disabled")
        // SESSIONGATE_CONFIG names the file too.
        #expect(try await ServeProcess.guestStartCode([], environment: ["SESSIONGATE_CONFIG": config]) == "guest_sessions_disabled")
    }

    @Test func jsonConfigFileIsRead() async throws {
        let config = try ServeProcess.writeConfig("serve.json", #"{"guest": false, "port": 0, "function-timeout": "250ms", "secrets": {"K": "v"}}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        #expect(try await ServeProcess.guestStartCode(["--config", config]) == "guest_sessions_disabled")
    }

    @Test func yamlConfigFileWithSecretsIsRead() async throws {
        let config = try ServeProcess.writeConfig("serve.yml", "port: 0\nguest: false\nfunction-timeout: 500ms\nsecrets:\n  BACKEND_KEY: \"abc\"\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        #expect(try await ServeProcess.guestStartCode(["--config", config]) == "guest_sessions_disabled")
    }

    @Test func unknownConfigKeyExitsTwo() async throws {
        let config = try ServeProcess.writeConfig("bad.yaml", "port: 0\ncolour: blue\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let result = try await ServeProcess.runToExit(["--config", config])
        #expect(result.status == 2)
        #expect(result.stderr.contains("colour"))
    }

    @Test func unknownJSONConfigKeyExitsTwo() async throws {
        let config = try ServeProcess.writeConfig("bad.json", #"{"port": 0, "colour": "blue"}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let result = try await ServeProcess.runToExit(["--config", config])
        #expect(result.status == 2)
        #expect(result.stderr.contains("colour"))
    }

    @Test func badDurationExitsTwo() async throws {
        let result = try await ServeProcess.runToExit(["--port", "0", "--function-timeout", "5 parsecs"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("function-timeout"))
    }

    @Test func missingFunctionsFolderExitsTwo() async throws {
        let result = try await ServeProcess.runToExit(["--port", "0", "--functions", "/nonexistent/sessiongate-functions"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/sessiongate-functions"))
    }

    @Test func functionThatDoesNotCompileExitsTwoNamingFileAndLine() async throws {
        let folder = try TestFunctions.makeFolder(["10-broken.lua": "-- first line\nreturn function( return true end\n"])
        defer { TestFunctions.removeFolder(folder) }
        let result = try await ServeProcess.runToExit(["--port", "0", "--functions", folder])
        #expect(result.status == 2)
        let line = result.stderr.split(separator: "\n").first { $0.contains("10-broken.lua:") }
        let problem = try #require(line.map(String.init), "stderr: \(result.stderr)")
        #expect(problem.wholeMatch(of: /.*10-broken\.lua:2: .+/) != nil, "\(problem)")
    }

    @Test func sigtermEndsSessionsWithServerShutdownAndExitsZero() async throws {
        let server = try ServeProcess.launch(["--port", "0"])
        defer { server.kill() }
        let port = try await server.ready()
        let client = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
        let session = expectSession(try await client.request(Wire.start(Wire.username())))
        server.signal(SIGTERM)
        #expect(try await client.receive() == ["event": "sessionEnded", "sessionId": try #require(session["id"]), "reason": "server_shutdown"])
        _ = try await client.closedByServer()
        #expect(try await server.exitStatus() == 0)
    }

    @Test func tlsFlagsServeHTTPSAndTheReadyLineSaysSo() async throws {
        let files = try TestCertificate.make()
        defer { try? FileManager.default.removeItem(atPath: files.folder) }
        let server = try ServeProcess.launch(["--port", "0", "--tls-cert", files.certificate],
                                             environment: ["SESSIONGATE_TLS_KEY": files.key])
        defer { server.kill() }
        let port = try await server.ready()
        #expect(server.readyLine?.contains("listening on https://127.0.0.1:\(port)") == true)
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.certificate))
        let client = try await WebSocketTestClient.connect(to: "wss://localhost:\(port)/v1/session", tls: trusting)
        #expect(try await client.request(Wire.ping())["pong"] == true)
        await client.close()
    }

    @Test(arguments: [
        (["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"], "/nonexistent/cert.pem"),
        (["--tls-cert", "/nonexistent/cert.pem"], "--tls-key"),
        (["--trusted-proxies", "10.0.0.0/8,proxy.local"], "proxy.local"),
        (["--allowed-origins", "app.example.com"], "app.example.com"),
        (["--max-connections", "0"], "--max-connections"),
    ])
    func badEdgeOptionsExitTwo(arguments: [String], named: String) async throws {
        let result = try await ServeProcess.runToExit(["--port", "0"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(named), "stderr: \(result.stderr)")
    }

    @Test func edgeOptionsComeFromTheConfigFileToo() async throws {
        let config = try ServeProcess.writeConfig("edge.yaml", "port: 0\nmax-connections: 1\nallowed-origins: https://app.example.com\ntrusted-proxies: 127.0.0.1\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try ServeProcess.launch(["--config", config])
        defer { server.kill() }
        let port = try await server.ready()
        let first = RawSocketClient(port: port)
        #expect(try await first.upgrade(headers: ["Origin": "https://app.example.com", "X-Forwarded-For": "203.0.113.5"]) == 101)
        #expect(try await RawSocketClient(port: port).upgrade(headers: [:]) == 503)
        #expect(try await RawSocketClient(port: port).upgrade(headers: ["Origin": "https://other.example.com"]) == 403)
    }

    @Test func everyQueuedInfoLineIsWrittenWholeBeforeExit() async throws {
        let server = try ServeProcess.launch(["--port", "0", "--log-level", "info"])
        defer { server.kill() }
        let port = try await server.ready()
        let client = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
        for _ in 0..<50 {
            _ = expectSession(try await client.request(Wire.start(Wire.username())))
            #expect(try await client.request(Wire.end())["succeeded"] == true)
        }
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)
        try await Task.sleep(for: .milliseconds(200))
        let lines = server.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "", "the log ends with a whole line")
        let written = lines.dropLast()
        #expect(written.allSatisfy { $0.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warn|error) .+/) != nil })
        #expect(written.filter { $0.contains(" session started ") }.count == 50)
        #expect(written.filter { $0.contains(" session ended ") }.count == 50)
        #expect(written.last?.hasSuffix("sessiongate: Stopped") == true, "last line: \(written.last ?? "none")")
    }
}

/// A raw upgrade against a child gateway on 127.0.0.1; the socket stays open as long as this does.
final class RawSocketClient: Sendable {
    let port: Int
    private let socket = Mutex<RawSocket?>(nil)

    init(port: Int) { self.port = port }

    /// The status the upgrade is answered with.
    func upgrade(headers: [String: String]) async throws -> Int {
        let raw = try RawSocket(host: "127.0.0.1", port: port)
        socket.withLock { $0 = raw }
        try raw.send(RawSocket.upgradeRequest(host: "127.0.0.1", port: port, headers: headers))
        return try await raw.readHTTPResponse().status
    }
}

/// One `sessiongate serve` child process.
final class ServeProcess: Sendable {
    struct Exit {
        var status: Int32
        var stderr: String
    }

    /// `.build/debug/sessiongate`, from this file's place in the package.
    static let binary: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/sessiongate").path

    private let process: Process
    private let stdoutLines: Inbox<String>
    private let stderrText: Mutex<String>
    private let readyLines = Mutex<[String]>([])
    /// The ready line, once `ready()` saw it.
    var readyLine: String? { readyLines.withLock { $0.first } }
    private let ownedFolder: String?

    private init(process: Process, ownedFolder: String?) {
        self.process = process
        self.stdoutLines = Inbox<String>()
        self.stderrText = Mutex("")
        self.ownedFolder = ownedFolder
    }

    /// Runs `serve` with `arguments` (plus a fresh functions folder and an in-memory store unless
    /// given) and an environment holding no `SESSIONGATE_*` variable but `environment`.
    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> ServeProcess {
        var arguments = arguments
        var ownedFolder: String?
        if !arguments.contains("--functions") {
            let folder = try TestFunctions.makeFolder()
            ownedFolder = folder
            arguments += ["--functions", folder]
        }
        if !arguments.contains("--database") { arguments += ["--database", "sqlite::memory:"] }
        if !arguments.contains("--log-level") { arguments += ["--log-level", "error"] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"] + arguments
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SESSIONGATE_") }
        inherited.merge(environment) { _, new in new }
        process.environment = inherited
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice

        let server = ServeProcess(process: process, ownedFolder: ownedFolder)
        try process.run()
        // Each pipe is read on a thread of its own: a `readabilityHandler` registers the
        // descriptor with libdispatch's epoll, and a stale registration there once crashed the
        // test process; blocking reads on the shared pool stall other tests' tasks.
        let lines = server.stdoutLines
        Thread {
            var pending = ""
            for chunk in PipeChunks(out.fileHandleForReading) {
                pending += chunk
                var parts = pending.components(separatedBy: "\n")
                pending = parts.removeLast()
                for line in parts { Self.deliver(line, to: lines) }
            }
            Self.deliver(nil, to: lines)
        }.start()
        Thread {
            for chunk in PipeChunks(err.fileHandleForReading) { server.stderrText.withLock { $0 += chunk } }
        }.start()
        return server
    }

    /// Pushes in order: the reader waits for each push before it reads on.
    private static func deliver(_ line: String?, to lines: Inbox<String>) {
        let pushed = DispatchSemaphore(value: 0)
        Task {
            if let line { await lines.push(line) } else { await lines.finish() }
            pushed.signal()
        }
        pushed.wait()
    }

    /// The port of the ready line `… listening on http://HOST:PORT`.
    func ready(timeout: Duration = .seconds(20)) async throws -> Int {
        while let line = await stdoutLines.next(timeout: timeout) {
            if let match = line.firstMatch(of: /listening on https?:\/\/[^\s:]+:(\d+)/), let port = Int(match.1) {
                readyLines.withLock { $0.append(line) }
                return port
            }
        }
        throw TestGateway.Failure(description: "no ready line; stderr: \(stderrText.withLock { $0 })")
    }

    func signal(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for the child to exit and returns its status.
    func exitStatus(timeout: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestGateway.Failure(description: "serve did not exit") }
            try await Task.sleep(for: .milliseconds(20))
        }
        cleanUp()
        return process.terminationStatus
    }

    var stderr: String { stderrText.withLock { $0 } }

    /// Kills the child if it still runs.
    func kill() {
        if process.isRunning { process.terminate() }
        cleanUp()
    }

    private func cleanUp() {
        if let ownedFolder { TestFunctions.removeFolder(ownedFolder) }
    }

    // MARK: Scenarios

    /// Runs `serve` expecting it to stop by itself (a usage error), with its status and stderr.
    static func runToExit(_ arguments: [String], environment: [String: String] = [:]) async throws -> Exit {
        let server = try launch(arguments, environment: environment)
        defer { server.kill() }
        let status = try await server.exitStatus()
        // Let the stderr handler drain.
        try await Task.sleep(for: .milliseconds(100))
        return Exit(status: status, stderr: server.stderr)
    }

    /// Starts `serve`, makes one guest start, and returns its error code (`nil` when it succeeded).
    static func guestStartCode(_ arguments: [String], environment: [String: String] = [:]) async throws -> String? {
        let server = try launch(arguments, environment: environment)
        defer { server.kill() }
        let port = try await server.ready()
        let client = try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session")
        let reply = try await client.request(Wire.start(Wire.username()))
        await client.close()
        server.signal(SIGTERM)
        _ = try await server.exitStatus()
        if reply["succeeded"] == true { return nil }
        return reply["error"]?.objectValue?["code"]?.stringValue ?? "?"
    }

    /// A config file in a fresh temporary place.
    static func writeConfig(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// The text a pipe delivers, chunk by chunk, until its writers close it; each read blocks.
struct PipeChunks: Sequence, IteratorProtocol {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        let data = handle.availableData
        return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }
}
