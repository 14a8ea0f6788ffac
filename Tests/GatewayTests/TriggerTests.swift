import ChatFunctions
import Foundation
import Gateway
import Hummingbird
import Logging
import NIOCore
import NetworkAddresses
import ServiceLifecycle
import SessionCore
import StrictJSON
import Synchronization
import Testing

/// A webhook receiver on 127.0.0.1 (Hummingbird): keeps every JSON body posted to `/hook`;
/// `/slow` answers after 400 ms.
final class HookReceiver: Sendable {
    final class Bodies: Sendable {
        let list = Mutex<[JSONObject]>([])
    }

    private let received = Bodies()
    let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    init() async throws {
        let router = Router()
        let bodies = self.received
        router.post("/hook") { request, context -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            if case .object(let object) = try JSONParser.parse(buffer.readableBytesView) {
                bodies.list.withLock { $0.append(object) }
            }
            return .noContent
        }
        router.post("/slow") { _, _ -> HTTPResponse.Status in
            try await Task.sleep(for: .milliseconds(400))
            return .noContent
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() })
        group = ServiceGroup(services: [app], logger: Logger(label: "hooks"))
        let group = self.group
        task = Task { try await group.run() }
        var bound = 0
        for await port in ports { bound = port }
        port = bound
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var bodies: [JSONObject] { received.list.withLock { $0 } }
    func stop() async { await group.triggerGracefulShutdown(); _ = await task.result }

    /// Waits up to five seconds for `count` bodies.
    func waitFor(_ count: Int) async throws -> [JSONObject] {
        for _ in 0..<500 {
            let seen = bodies
            if seen.count >= count { return seen }
            try await Task.sleep(for: .milliseconds(10))
        }
        return bodies
    }
}

@Suite(.serialized) struct TriggerTests {
    static func functions(hooks: String) throws -> String {
        let folder = try TestFunctions.makeFolder()
        let files = [
            "10-allow.lua": "return function(event) return event.authParams.ok == true end",
            "15-broken.lua": "return {session_started = function() error('broken on purpose') end}",
            "20-hook.lua": """
                local function post(kind, event)
                  local r, err = http.post("\(hooks)/hook", {kind = kind, sessionId = event.sessionId, username = event.username,
                    guest = event.guest, reason = event.reason, duration = event.duration, displayName = event.user.displayName,
                    remoteAddress = event.remoteAddress, startedAt = event.startedAt, endedAt = event.endedAt})
                  assert(r, err)
                end
                return {
                  session_started = function(event, context)
                    if event.username == "ordered" then http.post("\(hooks)/slow", "") end
                    post("started", event)
                  end,
                  session_ended = function(event, context) post("ended", event) end,
                }
                """,
            "30-slow.lua": """
                return {session_started = function(event) if event.username == "slow" then http.post("\(hooks)/slow", "") end end}
                """,
        ]
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return folder
    }

    static func settings(_ folder: String) throws -> TestPoolSettings {
        // A budget the triggers never reach even on a loaded machine: a session_started run cut
        // off while its last post is on the wire counts as finished, and the end's post can then
        // overtake it, which is not what the ordering test checks.
        var settings = TestPoolSettings(timeout: .seconds(6), folder: folder)
        settings.http = LiveHTTPTransport(policy: EgressPolicy(allowList: try HTTPAllowList("127.0.0.1")))
        return settings
    }

    @Test func startedAndEndedRunEveryFilesTriggerAndAreCounted() async throws {
        let hooks = try await HookReceiver()
        let folder = try Self.functions(hooks: hooks.url)
        defer { TestFunctions.removeFolder(folder) }
        try await TestGateway.with(functions: try Self.settings(folder)) { gateway async throws in
            let client = try await gateway.connect()
            let reply = try await client.request(Wire.start("trigger-user", authParams: .object(["ok": .bool(true)])))
            let sessionID = try #require(reply["session"]?["id"]?.stringValue)
            _ = try await client.request(Wire.end())
            let bodies = try await hooks.waitFor(2)
            #expect(bodies.map { $0["kind"]?.stringValue } == ["started", "ended"])
            #expect(bodies.allSatisfy { $0["sessionId"]?.stringValue == sessionID && $0["username"]?.stringValue == "trigger-user" })
            #expect(bodies.first?["guest"] == .bool(false))
            #expect(bodies.last?["reason"]?.stringValue == "ended")
            #expect(bodies.last?["endedAt"]?.stringValue != nil)
            #expect(bodies.last?["startedAt"]?.stringValue != nil)
            #expect(bodies.first?["remoteAddress"]?.stringValue == "127.0.0.1")
            #expect(bodies.first?["displayName"]?.stringValue == "trigger-user")
            if case .double(let duration)? = bodies.last?["duration"] { #expect(duration >= 0) } else { Issue.record("no duration") }

            // A guest start runs session_started too.
            let guest = try await gateway.connect()
            _ = try await guest.request(Wire.start("trigger-guest"))
            #expect(try await hooks.waitFor(3).last?["guest"] == .bool(true))

            let metrics = String(buffer: try await gateway.http(.get, "/metrics").body ?? ByteBuffer())
            let lines = metrics.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("sessiongate_trigger_runs_total") && $0.contains("session_started") && $0.contains(#"result="error""#) })
            #expect(lines.contains { $0.hasPrefix("sessiongate_trigger_runs_total") && $0.contains("session_ended") && $0.contains(#"result="ok""#) })
            #expect(lines.contains { $0.hasPrefix("sessiongate_http_requests_total") && $0.contains(#"result="ok""#) })
            #expect(lines.contains { $0.hasPrefix("sessiongate_function_duration_seconds_bucket") && $0.contains("10-allow.lua") && $0.contains(#"le="0.0001""#) })
            #expect(lines.contains { $0.hasPrefix("sessiongate_function_duration_seconds_bucket") && $0.contains(#"le="10.0""#) })
        }
        await hooks.stop()
    }

    @Test func aSessionsEndWaitsForItsStartsTriggers() async throws {
        let hooks = try await HookReceiver()
        let folder = try Self.functions(hooks: hooks.url)
        defer { TestFunctions.removeFolder(folder) }
        try await TestGateway.with(functions: try Self.settings(folder)) { gateway async throws in
            let client = try await gateway.connect()
            _ = try await client.request(Wire.start("ordered", authParams: .object(["ok": .bool(true)])))
            // Ended at once, while session_started still waits 400 ms on the backend.
            _ = try await client.request(Wire.end())
            let bodies = try await hooks.waitFor(2)
            #expect(bodies.map { $0["kind"]?.stringValue } == ["started", "ended"])
        }
        await hooks.stop()
    }

    @Test func aSlowTriggerNeverDelaysTheReply() async throws {
        let hooks = try await HookReceiver()
        let folder = try Self.functions(hooks: hooks.url)
        defer { TestFunctions.removeFolder(folder) }
        try await TestGateway.with(functions: try Self.settings(folder)) { gateway async throws in
            let client = try await gateway.connect()
            let started = ContinuousClock.now
            let reply = try await client.request(Wire.start("slow", authParams: .object(["ok": .bool(true)])))
            #expect(reply["session"] != nil)
            #expect(ContinuousClock.now - started < .milliseconds(300))
        }
        await hooks.stop()
    }

    @Test func shutdownRunsTheSessionEndedOfTheSessionsItEnds() async throws {
        let hooks = try await HookReceiver()
        let folder = try Self.functions(hooks: hooks.url)
        defer { TestFunctions.removeFolder(folder) }
        let gateway = try await TestGateway.start(functions: try Self.settings(folder))
        let client = try await gateway.connect()
        _ = try await client.request(Wire.start("held", authParams: .object(["ok": .bool(true)])))
        _ = try await hooks.waitFor(1)
        try await gateway.stop()
        // Before stop returned, not eventually.
        let ended = hooks.bodies.filter { $0["kind"]?.stringValue == "ended" }
        #expect(ended.map { $0["reason"]?.stringValue } == ["server_shutdown"])
        await hooks.stop()
    }
}
