import Gateway
import StrictJSON
import Testing

/// Graceful shutdown (SPEC §1, §2): every session ends with `server_shutdown`, its client hears
/// it, then the server closes the connection.
@Suite struct ShutdownTests {
    @Test func shutdownEndsEverySessionAndClosesItsConnection() async throws {
        let gateway = try await TestGateway.start()
        let first = try await gateway.connect()
        let second = try await gateway.connect()
        let idle = try await gateway.connect()
        let firstID = try #require(expectSession(try await first.request(Wire.start(Wire.username())))["id"])
        let secondID = try #require(expectSession(try await second.request(Wire.start(Wire.username(), authParams: Wire.allow())))["id"])

        try await gateway.stop()

        #expect(try await first.receive() == ["event": "sessionEnded", "sessionId": firstID, "reason": "server_shutdown"])
        #expect(try await second.receive() == ["event": "sessionEnded", "sessionId": secondID, "reason": "server_shutdown"])
        _ = try await first.closedByServer()
        _ = try await second.closedByServer()
        // A connection without a session is closed too, with no event.
        _ = try await idle.closedByServer()
        #expect(gateway.sessions.activeSessionCount == 0)
    }

    @Test func noUpgradeIsAcceptedAfterShutdown() async throws {
        let gateway = try await TestGateway.start()
        try await gateway.stop()
        await #expect(throws: (any Error).self) {
            _ = try await gateway.connect()
        }
    }
}
