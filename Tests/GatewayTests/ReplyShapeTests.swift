import Gateway
import StrictJSON
import Testing

/// The exact text of every reply (SPEC §2 "Replies"): compact JSON, keys in the SPEC's order,
/// `ref` echoed only when the request had one.
@Suite struct ReplyShapeTests {
    @Test func pingIsAnsweredWithPong() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(Wire.ping())
            #expect(try await client.receiveText() == #"{"succeeded":true,"pong":true}"#)
            client.send(Wire.ping(ref: "3"))
            #expect(try await client.receiveText() == #"{"ref":"3","succeeded":true,"pong":true}"#)
            await client.close()
        }
    }

    @Test func successfulStartCarriesTheSessionWithItsUser() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let name = Wire.username("jane")
            let session = expectSession(try await client.request(Wire.start(name, ref: "1")), ref: "1")
            #expect(session["id"]?.stringValue?.count == 36)
            #expect(session["startedAt"]?.stringValue?.hasSuffix("Z") == true)
            let user = session["user"]?.objectValue ?? JSONObject()
            #expect(user.keys == ["id", "type", "name", "displayName", "displayPictureUrl", "isGuest", "presence", "properties", "createdTime"])
            #expect(user["id"]?.integerValue != nil)
            #expect(user["name"] == name)
            #expect(user["displayName"] == name)
            #expect(user["isGuest"] == true)
            #expect(user["presence"] == ["status": "AVAILABLE", "online": true])
            #expect(user["displayPictureUrl"] == .null)
            await client.close()
        }
    }

    @Test func endSessionRepliesWithPlainSuccess() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            expectSession(try await client.request(Wire.start(Wire.username())))
            client.send(Wire.end(ref: "2"))
            #expect(try await client.receiveText() == #"{"ref":"2","succeeded":true}"#)
            expectSession(try await client.request(Wire.start(Wire.username())))
            client.send(Wire.end())
            #expect(try await client.receiveText() == #"{"succeeded":true}"#)
            await client.close()
        }
    }

    @Test func failureRepliesHoldTypeCodeMessageAndReason() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(Wire.start(Wire.username(), authParams: ["action": "deny"], ref: "1"))
            #expect(try await client.receiveText()
                == #"{"ref":"1","succeeded":false,"error":{"type":"AccessDeniedError","code":"access_denied","message":"Wrong password"}}"#)
            client.send(Wire.start(Wire.username(), authParams: ["action": "locked"]))
            #expect(try await client.receiveText()
                == #"{"succeeded":false,"error":{"type":"AccessDeniedError","code":"access_denied","message":"Account locked","reason":"account_locked"}}"#)
            await client.close()
        }
    }

    @Test func authenticatedStartCreatesANonGuestUser() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let session = expectSession(try await client.request(Wire.start(Wire.username(), authParams: ["action": "profile"])))
            let user = session["user"]?.objectValue ?? JSONObject()
            #expect(user["isGuest"] == false)
            #expect(user["displayName"] == "Jane Doe")
            #expect(user["properties"] == ["plan": "pro"])
            await client.close()
        }
    }
}
