import Foundation
import Gateway
import Hummingbird
import SessionCore
import SessionGateClient
import Testing

/// The Swift client library (`SessionGateClient`) against a real gateway: typed sessions and
/// errors, refs, local `session_active`/`no_active_session`, and `sessionEnded` events.
/// The gateway runs `TestFunctions`' Lua: `authParams.action` names the verdict.
@Suite struct ClientLibraryTests {
    static let token = "client-library-token"

    private static func name(_ tag: String) -> String {
        "\(tag)-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test func guestStartReturnsATypedSessionOfAGuestUser() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.httpURL)
            let username = Self.name("guest")
            let session = try #require(await client.startSession(username: username).session)
            #expect(!session.id.isEmpty)
            #expect(abs(session.startedAt.timeIntervalSinceNow) < 60)
            #expect(session.user.name == username)
            #expect(session.user.displayName == username)
            #expect(session.user.isGuest)
            #expect(session.user.displayPictureUrl == nil)
            #expect(session.user.presence.online)
            #expect(session.user.properties.isEmpty)
            #expect(session.json["user"]?["name"] == .string(username))
            #expect(await client.session == session)
            await client.close()
        }
    }

    @Test func allowedStartTakesTheProfileTheFunctionReturned() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let result = await client.startSession(username: Self.name("jane"), authParams: ["action": "profile"])
            let user = try #require(result.session?.user)
            #expect(!user.isGuest)
            #expect(user.displayName == "Jane Doe")
            #expect(user.properties == ["plan": "pro"])
            #expect(result.jsonObject["succeeded"] == true)
            await client.close()
        }
    }

    @Test func deniedStartIsATypedErrorWithReason() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let error = try #require(await client.startSession(username: Self.name("jane"), authParams: ["action": "locked"]).error)
            #expect(error.code == .accessDenied)
            #expect(error.type == "AccessDeniedError")
            #expect(error.message == "Account locked")
            #expect(error.reason == "account_locked")
            #expect(error.source == .gateway)
            #expect(await client.session == nil)
            await client.close()
        }
    }

    @Test func gatewayErrorCodesMapToTheirCases() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let cases: [(String, JSONObject?, SessionGateError.Code)] = [
                ("", nil, .invalidUsername),
                (Self.name("e"), ["action": "error"], .functionError),
                (Self.name("t"), ["action": "timeout"], .functionTimeout),
                (Self.name("m"), ["action": "memory"], .functionMemory),
                (Self.name("d"), [:], .accessDenied),
            ]
            for (username, authParams, code) in cases {
                let error = await client.startSession(username: username, authParams: authParams).error
                #expect(error?.code == code, "\(username) \(String(describing: authParams))")
                #expect(error?.type == code.typeName)
            }
            await client.close()
        }
    }

    @Test func fullFunctionQueueIsTheOverloadedCase() async throws {
        try await TestGateway.with(options: PoolSaturation.options, functions: PoolSaturation.settings) { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            var error: SessionGateError?
            let saturation = try await PoolSaturation.fill(gateway) {
                error = await client.startSession(username: Self.name("o"), authParams: ["action": "deny"]).error
                return error?.code == .overloaded
            }
            #expect(error?.type == "OverloadedError")
            #expect(error?.source == .gateway)
            try await saturation.release()
            await client.close()
        }
    }

    @Test func rateLimitedErrorCarriesRetryAfter() async throws {
        let options = SessionOptions(usernameFailureLimit: FailureLimit(count: 2, window: .seconds(60)))
        try await TestGateway.with(options: options) { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let username = Self.name("limited")
            for _ in 0..<2 {
                #expect(await client.startSession(username: username, authParams: ["action": "deny"]).error?.code == .accessDenied)
            }
            let error = try #require(await client.startSession(username: username, authParams: ["action": "allow"]).error)
            #expect(error.code == .rateLimited)
            #expect(error.type == "RateLimitedError")
            #expect((error.retryAfter ?? 0) >= 1)
            #expect(error.jsonObject["retryAfter"]?.integerValue == Int64(error.retryAfter ?? 0))
            await client.close()
        }
    }

    @Test func secondStartWhileActiveFailsLocallyWithSessionActive() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let first = try #require(await client.startSession(username: Self.name("a")).session)
            let error = try #require(await client.startSession(username: Self.name("b"), authParams: ["action": "allow"]).error)
            #expect(error.code == .sessionActive)
            #expect(error.type == "SessionActiveError")
            #expect(error.source == .client, "decided without a round trip")
            #expect(await client.session?.id == first.id)
            #expect(gateway.sessions.activeSessionCount == 1)
            await client.close()
        }
    }

    @Test func endSessionEndsItAndTheClientCanStartAnother() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let events = client.sessionEndedEvents()
            let first = try #require(await client.startSession(username: Self.name("a")).session)
            try await client.endSession()
            #expect(await client.session == nil)
            #expect(try await eventually { gateway.sessions.activeSessionCount == 0 })
            let second = try #require(await client.startSession(username: Self.name("b")).session)
            #expect(second.id != first.id)
            await client.close()
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == nil, "ending a session oneself is not an event; close finishes the stream")
        }
    }

    @Test func endSessionWithoutASessionFailsLocally() async throws {
        let client = SessionGateClient(url: "ws://127.0.0.1:1/v1/session")
        await #expect(throws: SessionGateError.self) { try await client.endSession() }
        do {
            try await client.endSession()
        } catch {
            #expect(error.code == .noActiveSession)
            #expect(error.source == .client)
        }
        await client.close()
    }

    @Test func concurrentPingsAreMatchedByRef() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            try await withThrowingTaskGroup(of: Duration.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await client.ping() }
                }
                var count = 0
                for try await latency in group {
                    #expect(latency >= .zero)
                    count += 1
                }
                #expect(count == 8)
            }
            await client.close()
        }
    }

    @Test func revokeEndsTheSessionWithAnEventAndKeepsTheConnection() async throws {
        try await TestGateway.with(configuration: GatewayConfiguration(adminToken: Self.token)) { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            let events = client.sessionEndedEvents()
            let session = try #require(await client.startSession(username: Self.name("r")).session)
            let response = try await gateway.http(.delete, "/v1/admin/sessions/\(session.id)", headers: [.authorization: "Bearer \(Self.token)"])
            #expect(response.status == .ok)
            #expect(await firstEvent(events) == SessionEndedEvent(sessionId: session.id, reason: .revoked))
            #expect(await client.session == nil)
            #expect(await client.startSession(username: Self.name("again")).session != nil)
            await client.close()
        }
    }

    @Test func shutdownEndsTheSessionOnceWithServerShutdown() async throws {
        let gateway = try await TestGateway.start()
        let client = SessionGateClient(url: gateway.address.webSocketURL)
        let events = client.sessionEndedEvents()
        let session = try #require(await client.startSession(username: Self.name("s")).session)
        try await gateway.stop()
        #expect(await firstEvent(events) == SessionEndedEvent(sessionId: session.id, reason: .serverShutdown))
        #expect(await firstEvent(events, within: .milliseconds(300)) == nil, "no connection_lost after server_shutdown")
        #expect(await client.startSession(username: Self.name("s")).error?.code == .connectionFailed)
        await client.close()
    }

    @Test func refusedConnectionIsConnectionFailed() async throws {
        let client = SessionGateClient(url: "ws://127.0.0.1:1/v1/session")
        let error = try #require(await client.startSession(username: "x").error)
        #expect(error.code == .connectionFailed)
        #expect(error.code.isTransport)
        #expect(error.jsonObject["code"] == "connection_failed")
        await client.close()
    }

    @Test func closedClientRefusesRequests() async throws {
        try await TestGateway.with { gateway in
            let client = SessionGateClient(url: gateway.address.webSocketURL)
            #expect(await client.startSession(username: Self.name("c")).session != nil)
            await client.close()
            #expect(try await eventually { gateway.sessions.activeSessionCount == 0 })
            #expect(await client.startSession(username: Self.name("c")).error?.code == .connectionFailed)
        }
    }
}

/// Wire-independent parts: URLs, codes and the printed JSON of replies and events.
@Suite struct ClientLibraryUnitTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080", "ws://127.0.0.1:8080/v1/session"),
        ("https://gate.example/", "wss://gate.example/v1/session"),
        ("ws://h:1/v1/session", "ws://h:1/v1/session"),
        ("ws://h:1", "ws://h:1/v1/session"),
    ])
    func urlsMapToTheSessionEndpoint(input: String, expected: String) {
        #expect(SessionGateClient.webSocketURL(for: input) == expected)
    }

    @Test(arguments: ["ftp://h/x", "not a url", "http://", "/v1/session"])
    func otherURLsAreRefused(input: String) {
        #expect(SessionGateClient.webSocketURL(for: input) == nil)
    }

    @Test func everyWireCodeMapsToAKnownCaseAndBack() {
        let wireCodes = [
            "invalid_request", "invalid_username", "invalid_auth_params", "session_active", "no_active_session",
            "guest_sessions_disabled", "authentication_required", "access_denied", "function_error",
            "function_timeout", "function_memory", "rate_limited", "overloaded",
        ]
        for wire in wireCodes {
            let code = SessionGateError.Code(wireCode: wire)
            if case .unrecognized = code { Issue.record("\(wire) is not a known code") }
            #expect(code.wireCode == wire)
            #expect(!code.isTransport)
        }
        #expect(SessionGateError.Code(wireCode: "brand_new") == .unrecognized("brand_new"))
    }

    @Test func printedRepliesKeepTheWireKeyOrder() {
        let denied = SessionGateError(code: .accessDenied, message: "no", reason: "account_locked")
        #expect(StartSessionResult.failed(denied).jsonText
            == #"{"succeeded":false,"error":{"type":"AccessDeniedError","code":"access_denied","message":"no","reason":"account_locked"}}"#)
        let limited = SessionGateError(code: .rateLimited, message: "slow down", retryAfter: 3)
        #expect(limited.jsonObject["retryAfter"] == .integer(3))
        #expect(limited.jsonObject.objectValue?.keys == ["type", "code", "message", "retryAfter"])
        let event = SessionEndedEvent(sessionId: "s1", reason: .revoked)
        #expect(event.jsonText == #"{"event":"sessionEnded","sessionId":"s1","reason":"revoked"}"#)
    }

    @Test func nonFiniteNumbersAreRefusedBeforeSending() async {
        let client = SessionGateClient(url: "ws://127.0.0.1:1/v1/session")
        let error = await client.startSession(username: "x", authParams: ["n": .double(.nan)]).error
        #expect(error?.code == .invalidAuthParams)
        await client.close()
    }
}

/// The first event of `stream`, or `nil` when none comes within `limit`.
private func firstEvent(_ stream: AsyncStream<SessionEndedEvent>, within limit: Duration = .seconds(5)) async -> SessionEndedEvent? {
    await withTaskGroup(of: SessionEndedEvent?.self) { group in
        group.addTask {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
