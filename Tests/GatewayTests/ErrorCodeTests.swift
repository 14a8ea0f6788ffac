import Gateway
import SessionCore
import StrictJSON
import Testing

/// Every error code of SPEC §2 that a client can reach, each with its type.
@Suite struct ErrorCodeTests {
    static let types: [String: String] = Dictionary(uniqueKeysWithValues: ErrorCode.allCases.map { ($0.rawValue, $0.type) })

    private func expectCode(_ reply: JSONObject, _ code: String, ref: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = expectFailure(reply, code, ref: ref, sourceLocation: sourceLocation)
        #expect(error["type"] == Self.types[code].map(JSONValue.string), sourceLocation: sourceLocation)
    }

    @Test func transportErrorsComeBeforeTheService() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(text: "{")
            expectCode(try await client.receive(), "invalid_request")
            expectCode(try await client.request(Wire.end()), "no_active_session")
            expectSession(try await client.request(Wire.start(Wire.username())))
            // session_active wins over an invalid username (SPEC §2 order).
            expectCode(try await client.request(Wire.start("")), "session_active")
            await client.close()
        }
    }

    @Test func startErrorsOfTheSessionService() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            expectCode(try await client.request(Wire.start()), "invalid_username")
            expectCode(try await client.request(Wire.start(.integer(5))), "invalid_username")
            expectCode(try await client.request(Wire.start(.string(String(repeating: "a", count: 257)))), "invalid_username")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: [1, 2])), "invalid_auth_params")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: "text")), "invalid_auth_params")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: ["action": "deny"])), "access_denied")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: [:])), "access_denied")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: ["action": "error"])), "function_error")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: ["action": "timeout"])), "function_timeout")
            expectCode(try await client.request(Wire.start(Wire.username(), authParams: ["action": "memory"])), "function_memory")
            await client.close()
        }
    }

    @Test func fullFunctionQueueIsOverloadedAndTheConnectionStaysUsable() async throws {
        try await TestGateway.with(options: PoolSaturation.options, functions: PoolSaturation.settings) { gateway async throws in
            let client = try await gateway.connect()
            var overloaded: JSONObject?
            let saturation = try await PoolSaturation.fill(gateway) {
                let reply = try await client.request(Wire.start(Wire.username(), authParams: ["action": "deny"], ref: "o"))
                if reply["error"]?.objectValue?["code"] == "overloaded" { overloaded = reply }
                return overloaded != nil
            }
            expectCode(try #require(overloaded), "overloaded", ref: "o")
            #expect(try await client.request(Wire.ping()) == ["succeeded": true, "pong": true])
            try await saturation.release()
            await client.close()
        }
    }

    @Test func guestStartForAnAuthenticatedUserNeedsAuthentication() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let name = Wire.username("real")
            expectSession(try await client.request(Wire.start(name, authParams: Wire.allow())))
            #expect(try await client.request(Wire.end())["succeeded"] == true)
            expectCode(try await client.request(Wire.start(name)), "authentication_required")
            // authParams null counts as absent: a guest start too.
            expectCode(try await client.request(Wire.start(name, authParams: .null)), "authentication_required")
            await client.close()
        }
    }

    @Test func guestStartsAreRefusedWhenGuestsAreOff() async throws {
        var options = SessionOptions()
        options.guestsAllowed = false
        try await TestGateway.with(options: options) { gateway async throws in
            let client = try await gateway.connect()
            expectCode(try await client.request(Wire.start(Wire.username())), "guest_sessions_disabled")
            expectSession(try await client.request(Wire.start(Wire.username(), authParams: Wire.allow())))
            await client.close()
        }
    }

    @Test func repeatedFailuresAreRateLimitedWithRetryAfter() async throws {
        var options = SessionOptions()
        options.usernameFailureLimit = try FailureLimit.parse("2/1m")
        try await TestGateway.with(options: options) { gateway async throws in
            let client = try await gateway.connect()
            let name = Wire.username("victim")
            for _ in 0..<2 {
                expectCode(try await client.request(Wire.start(name, authParams: ["action": "deny"])), "access_denied")
            }
            let reply = try await client.request(Wire.start(name, authParams: ["action": "deny"], ref: "r"))
            let error = expectFailure(reply, "rate_limited", ref: "r")
            #expect(error.keys == ["type", "code", "message", "retryAfter"])
            let retryAfter = try #require(error["retryAfter"]?.integerValue)
            #expect((1...60).contains(retryAfter))
            await client.close()
        }
    }
}
