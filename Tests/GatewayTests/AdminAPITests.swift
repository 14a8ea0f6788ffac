import Gateway
import Hummingbird
import StrictJSON
import Testing

/// The admin API (SPEC §5): off without a token, 401 without the right bearer token, lists the
/// active sessions and revokes them.
@Suite struct AdminAPITests {
    static let token = "admin-secret-token"
    static let configuration = GatewayConfiguration(adminToken: token)
    static let authorized: HTTPFields = [.authorization: "Bearer \(token)"]

    @Test func withoutATokenTheAdminAPIIsNotThere() async throws {
        try await TestGateway.with { gateway async throws in
            #expect(try await gateway.http(.get, "/v1/admin/sessions").status == .notFound)
            #expect(try await gateway.http(.get, "/v1/admin/sessions", headers: Self.authorized).status == .notFound)
            #expect(try await gateway.http(.delete, "/v1/admin/sessions/x", headers: Self.authorized).status == .notFound)
        }
    }

    @Test(arguments: [nil, "Bearer wrong-token", "Bearer \(AdminAPITests.token)x", "Basic \(AdminAPITests.token)", "Bearer", AdminAPITests.token])
    func wrongOrMissingTokenIsUnauthorized(authorization: String?) async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            var headers = HTTPFields()
            if let authorization { headers[.authorization] = authorization }
            #expect(try await gateway.http(.get, "/v1/admin/sessions", headers: headers).status == .unauthorized)
            #expect(try await gateway.http(.delete, "/v1/admin/sessions/x", headers: headers).status == .unauthorized)
        }
    }

    @Test func listsActiveSessions() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let empty = try await gateway.http(.get, "/v1/admin/sessions", headers: Self.authorized)
            #expect(empty.status == .ok)
            #expect(try TestGateway.json(empty) == ["sessions": []])

            let client = try await gateway.connect(headers: [.userAgent: "admin-test/1"])
            let name = Wire.username()
            let started = expectSession(try await client.request(Wire.start(name)))
            let response = try await gateway.http(.get, "/v1/admin/sessions", headers: Self.authorized)
            let sessions = try TestGateway.json(response)["sessions"]?.arrayValue ?? []
            try #require(sessions.count == 1)
            let session = sessions[0].objectValue ?? JSONObject()
            #expect(session.keys == ["id", "startedAt", "remoteAddress", "userAgent", "user", "instance"])
            #expect(session["id"] == started["id"])
            #expect(session["remoteAddress"] == "127.0.0.1")
            #expect(session["userAgent"] == "admin-test/1")
            #expect(session["user"]?["name"] == name)
            await client.close()
        }
    }

    @Test func revokeSendsSessionEndedAndKeepsTheConnectionOpen() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let client = try await gateway.connect()
            let session = expectSession(try await client.request(Wire.start(Wire.username())))
            let id = try #require(session["id"]?.stringValue)

            let response = try await gateway.http(.delete, "/v1/admin/sessions/\(id)", headers: Self.authorized)
            #expect(response.status == .ok)
            #expect(try await client.receive() == ["event": "sessionEnded", "sessionId": .string(id), "reason": "revoked"])
            #expect(gateway.sessions.activeSessionCount == 0)

            // The connection stays open and may start another session.
            expectFailure(try await client.request(Wire.end()), "no_active_session")
            expectSession(try await client.request(Wire.start(Wire.username())))
            await client.close()
        }
    }

    @Test func revokingAnUnknownSessionIsNotFound() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let response = try await gateway.http(.delete, "/v1/admin/sessions/no-such-session", headers: Self.authorized)
            #expect(response.status == .notFound)
        }
    }
}
