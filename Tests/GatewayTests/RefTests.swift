import Gateway
import StrictJSON
import Testing

/// `ref` (SPEC §2): a string of at most 64 Unicode scalars, echoed by the reply; anything else
/// is `invalid_request`, answered without a ref.
@Suite struct RefTests {
    @Test(arguments: ["", "r", String(repeating: "r", count: 64), String(repeating: "é", count: 64), String(repeating: "😀", count: 64)])
    func validRefIsEchoed(ref: String) async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let reply = try await client.request(Wire.ping(ref: ref))
            #expect(reply == ["ref": .string(ref), "succeeded": true, "pong": true])
            await client.close()
        }
    }

    @Test(arguments: [
        JSONValue.string(String(repeating: "r", count: 65)),
        .string(String(repeating: "😀", count: 65)),
        .integer(5), .null, .bool(true), ["a"], ["k": "v"],
    ])
    func invalidRefIsAnInvalidRequestWithoutRef(ref: JSONValue) async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            var request = Wire.ping()
            request["ref"] = ref
            expectFailure(try await client.request(request), "invalid_request")
            await client.close()
        }
    }

    @Test func refIsEchoedOnEveryKindOfError() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            expectFailure(try await client.request(["op": "fly", "ref": "x1"]), "invalid_request", ref: "x1")
            expectFailure(try await client.request(["ref": "x2"]), "invalid_request", ref: "x2")
            expectFailure(try await client.request(["op": 5, "ref": "x3"]), "invalid_request", ref: "x3")
            expectFailure(try await client.request(["op": .null, "ref": "x4"]), "invalid_request", ref: "x4")
            expectFailure(try await client.request(["op": "StartSession", "ref": "x5"]), "invalid_request", ref: "x5")
            expectFailure(try await client.request(Wire.end(ref: "x6")), "no_active_session", ref: "x6")
            expectFailure(try await client.request(Wire.start("", ref: "x7")), "invalid_username", ref: "x7")
            expectFailure(try await client.request(Wire.start(Wire.username(), authParams: ["action": "deny"], ref: "x8")), "access_denied", ref: "x8")
            expectSession(try await client.request(Wire.start(Wire.username(), ref: "x9")), ref: "x9")
            expectFailure(try await client.request(Wire.start(Wire.username(), ref: "x10")), "session_active", ref: "x10")
            await client.close()
        }
    }

    @Test func ofDuplicateKeysTheLastWins() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(text: #"{"op":"fly","ref":"a","op":"ping","ref":"b"}"#)
            #expect(try await client.receive() == ["ref": "b", "succeeded": true, "pong": true])
            await client.close()
        }
    }
}
