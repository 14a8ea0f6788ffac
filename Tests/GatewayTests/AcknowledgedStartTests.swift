import Foundation
import Logging
import SessionCore
import StrictJSON
import Synchronization
import Testing

/// SPEC §2: a start answered `"succeeded":true` has its user committed before the reply, so it
/// survives the gateway being killed (`kill -9`) the next instant — tried under load, on a file.
@Suite struct AcknowledgedStartTests {
    @Test func killedUnderLoadTheGatewayLosesNoAcknowledgedUser() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ack-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/users.sqlite"
        let server = try ServeProcess.launch(["--port", "0", "--database", "sqlite:" + database])
        defer { server.kill() }
        let port = try await server.ready()

        // Each client starts new users, guests and people in turn, as fast as it is answered.
        let acknowledged = Acknowledged()
        let clients = try await withThrowingTaskGroup(of: WebSocketTestClient.self) { group in
            for _ in 0..<8 {
                group.addTask { try await WebSocketTestClient.connect(to: "ws://127.0.0.1:\(port)/v1/session") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        await withTaskGroup(of: Void.self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    for round in 0..<10_000 {
                        let name = "ack-\(index)-\(round)-\(UInt32.random(in: 0...UInt32.max))"
                        let isGuest = round.isMultiple(of: 2)
                        let request = Wire.start(.string(name), authParams: isGuest ? nil : Wire.allow())
                        guard let reply = try? await client.request(request) else { return }
                        guard reply["succeeded"] == true else { continue }
                        acknowledged.list.withLock { $0.append((name, isGuest)) }
                        guard (try? await client.request(Wire.end())) != nil else { return }
                    }
                }
            }
            group.addTask {
                // Let the load build up, then kill the gateway without warning.
                while acknowledged.list.withLock({ $0.count }) < 200 {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                server.signal(SIGKILL)
            }
        }
        let told = acknowledged.list.withLock { $0 }
        #expect(told.count >= 200)

        let store = try SQLiteUserStore(path: database, logger: Logger(label: "ack-test"), userCacheLifetime: .zero)
        var missing: [String] = []
        for (name, isGuest) in told {
            guard let user = try await store.user(named: name), user.isGuest == isGuest else {
                missing.append(name)
                continue
            }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(told.count) acknowledged users are not in the file: \(missing.prefix(5))")
        try await store.close()
    }
}

/// The starts a client was told succeeded.
private final class Acknowledged: Sendable {
    let list = Mutex<[(name: String, isGuest: Bool)]>([])
}
