import ChatFunctions
import Foundation
import Gateway
import Logging
import SessionCore
import StrictJSON
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// End to end with real Lua and real stores: hot reload while serving, a restart on the same
/// SQLite file, many concurrent connections, and the limits of a function over the wire.
@Suite struct RealFunctionTests {
    @Test func reloadWhileServingTakesTheNewVerdictAndKeepsTheOldSetWhenBroken() async throws {
        let folder = try TestFunctions.makeFolder(["10-gate.lua": "return function() return true end"])
        defer { TestFunctions.removeFolder(folder) }
        var functions = TestPoolSettings()
        functions.folder = folder
        try await TestGateway.with(functions: functions) { gateway async throws in
            let watcher = Task { await gateway.pool.watch() }
            defer { watcher.cancel() }
            let client = try await gateway.connect()
            let start = { () async throws -> JSONObject in
                let reply = try await client.request(Wire.start(Wire.username(), authParams: [:]))
                if reply["succeeded"] == true { _ = try await client.request(Wire.end()) }
                return reply
            }
            expectSession(try await start())

            try TestFunctions.write("return function() return false, \"closed for tests\" end", to: "10-gate.lua", in: folder)
            let changed = ContinuousClock.now
            #expect(await eventually(timeout: .seconds(2)) {
                (try? await start())?["error"]?.objectValue?["message"] == "closed for tests"
            })
            #expect(ContinuousClock.now - changed < .seconds(2.5))

            try TestFunctions.write("return function( return true end", to: "10-gate.lua", in: folder)
            // Two reload intervals and then some: the broken set was read and refused.
            try await Task.sleep(for: .milliseconds(800))
            let reply = try await start()
            let error = expectFailure(reply, "access_denied")
            #expect(error["message"] == "closed for tests", "the previous set keeps serving")
            #expect(gateway.pool.functionCount == 1)
            await client.close()
        }
    }

    @Test func restartOnTheSameSQLiteFileKeepsUsersAndTheirIDs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-sqlite-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = "sqlite:\(directory)/x.sqlite"
        var logger = Logger(label: "gateway-test-store")
        logger.logLevel = .critical
        let name = Wire.username("kept")

        let firstID = try await TestGateway.with(store: try openUserStore(database, logger: logger)) { gateway async throws in
            let client = try await gateway.connect()
            let user = expectSession(try await client.request(Wire.start(name, authParams: Wire.allow())))["user"]?.objectValue
            await client.close()
            return try #require(user?["id"]?.integerValue)
        }

        try await TestGateway.with(store: try openUserStore(database, logger: logger)) { gateway async throws in
            let client = try await gateway.connect()
            expectFailure(try await client.request(Wire.start(name)), "authentication_required")
            let user = expectSession(try await client.request(Wire.start(name, authParams: Wire.allow())))["user"]?.objectValue
            #expect(user?["id"]?.integerValue == firstID)
            #expect(user?["isGuest"] == false)
            await client.close()
        }
    }

    @Test func aThousandConcurrentConnectionsEachStartAGuestSession() async throws {
        let connections = 1000
        // Each connection is two descriptors here (client and server end), plus the rest of the tests.
        try raiseOpenFileLimit(to: 8192)
        var options = SessionOptions()
        options.addressFailureLimit = nil
        try await TestGateway.with(options: options) { gateway async throws in
            // Opened 100 at a time (a listen backlog drops SYNs past a few hundred at once, and a
            // dropped SYN waits seconds for its retry), held all at once.
            var clients: [WebSocketTestClient] = []
            var failures: [String] = []
            for wave in stride(from: 0, to: connections, by: 100) {
                let opened = await withTaskGroup(of: (WebSocketTestClient?, String?).self) { group in
                    for index in wave..<min(wave + 100, connections) {
                        group.addTask {
                            let client: WebSocketTestClient
                            do {
                                client = try await gateway.connect()
                            } catch {
                                return (nil, "connection \(index): \(error)")
                            }
                            let name = JSONValue.string("crowd-\(index)-\(UUID().uuidString.prefix(8))")
                            guard let reply = try? await client.request(Wire.start(name)), reply["succeeded"] == true else {
                                return (client, "connection \(index): no session")
                            }
                            return (client, nil)
                        }
                    }
                    return await group.reduce(into: [(WebSocketTestClient?, String?)]()) { $0.append($1) }
                }
                clients += opened.compactMap(\.0)
                failures += opened.compactMap(\.1)
            }
            #expect(failures.isEmpty, "\(failures.prefix(5))")
            #expect(clients.count == connections)
            #expect(gateway.sessions.activeSessionCount == connections)
            // Closed whatever happened above, so that the gateway can stop.
            await withTaskGroup(of: Void.self) { group in
                for client in clients { group.addTask { await client.close() } }
            }
            #expect(await eventually(timeout: .seconds(10)) { gateway.sessions.activeSessionCount == 0 })
        }
    }

    @Test func limitsOfRealLuaReachTheWireAndTheConnectionStillAnswers() async throws {
        var functions = TestPoolSettings()
        functions.timeout = .milliseconds(300)
        functions.memoryLimit = 4 << 20
        try await TestGateway.with(functions: functions) { gateway async throws in
            let client = try await gateway.connect()
            let began = ContinuousClock.now
            expectFailure(try await client.request(Wire.start(Wire.username(), authParams: ["action": "timeout"], ref: "t")),
                          "function_timeout", ref: "t")
            // The loop never ends by itself: a reply at all proves the cut; the bound leaves room for a loaded machine.
            #expect(ContinuousClock.now - began < .seconds(2))
            #expect(try await client.request(Wire.ping(ref: "p1")) == ["ref": "p1", "succeeded": true, "pong": true])
            expectFailure(try await client.request(Wire.start(Wire.username(), authParams: ["action": "memory"], ref: "m")),
                          "function_memory", ref: "m")
            #expect(try await client.request(Wire.ping(ref: "p2")) == ["ref": "p2", "succeeded": true, "pong": true])
            // The states were rebuilt: the next start runs normally.
            expectSession(try await client.request(Wire.start(Wire.username(), authParams: Wire.allow())))
            await client.close()
        }
    }

    private func raiseOpenFileLimit(to wanted: rlim_t) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < wanted else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur >= 2 * 1000 + 200 else {
            throw TestGateway.Failure(description: "cannot raise the open-file limit to \(wanted) (hard limit \(limit.rlim_max))")
        }
    }
}
