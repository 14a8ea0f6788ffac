import Gateway
import Hummingbird
import StrictJSON
import Testing

/// Sessions and connections (SPEC §2): at most one session per connection, a session lives
/// until `endSession` or the connection goes, requests are answered in order.
@Suite struct SessionLifecycleTests {
    @Test func connectionHoldsOneSessionAtATime() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let first = expectSession(try await client.request(Wire.start(Wire.username())))
            expectFailure(try await client.request(Wire.start(Wire.username())), "session_active")
            expectFailure(try await client.request(Wire.start(Wire.username(), authParams: Wire.allow())), "session_active")
            #expect(try await client.request(Wire.end())["succeeded"] == true)
            let second = expectSession(try await client.request(Wire.start(Wire.username())))
            #expect(first["id"] != second["id"])
            await client.close()
        }
    }

    @Test func closingTheConnectionEndsItsSession() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            expectSession(try await client.request(Wire.start(Wire.username())))
            #expect(gateway.sessions.activeSessionCount == 1)
            await client.close()
            #expect(await eventually { gateway.sessions.activeSessionCount == 0 })
        }
    }

    @Test func requestsAreAnsweredInOrder() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let name = Wire.username()
            client.send(Wire.start(name, authParams: Wire.allow(), ref: "1"))
            client.send(Wire.ping(ref: "2"))
            client.send(Wire.end(ref: "3"))
            client.send(Wire.end(ref: "4"))
            client.send(Wire.start(name, authParams: Wire.allow(), ref: "5"))
            var refs: [String] = []
            for _ in 0..<5 {
                refs.append(try await client.receive()["ref"]?.stringValue ?? "?")
            }
            #expect(refs == ["1", "2", "3", "4", "5"])
            await client.close()
        }
    }

    @Test func sessionsOfSeveralConnectionsAreIndependent() async throws {
        try await TestGateway.with { gateway async throws in
            let alice = try await gateway.connect()
            let bob = try await gateway.connect()
            expectSession(try await alice.request(Wire.start(Wire.username("alice"))))
            expectSession(try await bob.request(Wire.start(Wire.username("bob"))))
            #expect(gateway.sessions.activeSessionCount == 2)
            #expect(try await alice.request(Wire.end())["succeeded"] == true)
            expectFailure(try await bob.request(Wire.start(Wire.username())), "session_active")
            await alice.close()
            await bob.close()
        }
    }

    @Test func peerAddressAndHeadersReachTheSession() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect(headers: [.userAgent: "lifecycle-test/1", .origin: "https://example.test"])
            expectSession(try await client.request(Wire.start(Wire.username())))
            let session = try #require(gateway.sessions.activeSessions.first)
            #expect(session.remoteAddress == "127.0.0.1")
            #expect(session.userAgent == "lifecycle-test/1")
            await client.close()
        }
    }

    @Test func plainGetOnTheSessionEndpointAsksForAnUpgrade() async throws {
        try await TestGateway.with { gateway async throws in
            let response = try await gateway.http(.get, "/v1/session")
            #expect(response.status == .upgradeRequired)
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
