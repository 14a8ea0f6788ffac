import Gateway
import StrictJSON
import Testing

/// Raw messages that are not valid requests (SPEC §2 `invalid_request`): each gets an error
/// reply, and the connection and its session live on.
@Suite struct MalformedMessageTests {
    static let invalidTexts: [String] = [
        "this is not json",
        "",
        "[1, 2, 3]",
        #""startSession""#,
        "42",
        "null",
        #"{"op":"ping"} trailing"#,
        #"{"op":"ping","n":NaN}"#,
        #"{"op":"ping","n":Infinity}"#,
        #"{"op":"ping","n":1e400}"#,
        "\u{FEFF}{\"op\":\"ping\"}",
        #"{"op":"ping","s":"\ud800"}"#,
        #"{'op':'ping'}"#,
        #"{"op":"ping",}"#,
        "{}",
        #"{"op":"fly"}"#,
        #"{"op":5}"#,
        #"{"op":["ping"]}"#,
        #"{"op":"PING"}"#,
        #"{"username":"jane"}"#,
    ]

    @Test(arguments: invalidTexts)
    func textThatIsNotARequestIsInvalid(text: String) async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(text: text)
            expectFailure(try await client.receive(), "invalid_request")
            #expect(try await client.request(Wire.ping())["pong"] == true)
            await client.close()
        }
    }

    @Test func nestingDeeperThan64LevelsIsInvalid() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            // The request object is level 1: 63 more arrays make 64 levels, one more is too deep.
            let fine = #"{"op":"ping","x":"# + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
            client.send(text: fine)
            #expect(try await client.receive()["pong"] == true)
            let deep = #"{"op":"ping","x":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}"
            client.send(text: deep)
            expectFailure(try await client.receive(), "invalid_request")
            await client.close()
        }
    }

    @Test func invalidUTF8InATextFrameIsInvalid() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(textFrameBytes: Array(#"{"op":"ping","s":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            expectFailure(try await client.receive(), "invalid_request")
            #expect(try await client.request(Wire.ping())["pong"] == true)
            await client.close()
        }
    }

    @Test func binaryFrameIsInvalidEvenWithAValidRequest() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(binary: Array(#"{"op":"ping","ref":"b"}"#.utf8))
            expectFailure(try await client.receive(), "invalid_request")
            expectSession(try await client.request(Wire.start(Wire.username())))
            client.send(binary: [0, 1, 2])
            expectFailure(try await client.receive(), "invalid_request")
            expectFailure(try await client.request(Wire.start(Wire.username())), "session_active")
            await client.close()
        }
    }

    @Test func messageSplitIntoFragmentsIsJoined() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(fragments: [#"{"op":"pi"#, #"ng","r"#, #"ef":"f"}"#])
            #expect(try await client.receive() == ["ref": "f", "succeeded": true, "pong": true])
            await client.close()
        }
    }

    @Test func messageOf64KiBIsAccepted() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let head = #"{"op":"ping","pad":""#
            let tail = #""}"#
            let padding = String(repeating: "x", count: 64 * 1024 - head.utf8.count - tail.utf8.count)
            client.send(text: head + padding + tail)
            #expect(try await client.receive()["pong"] == true)
            await client.close()
        }
    }

    @Test func messageOver64KiBClosesWith1009() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            client.send(text: #"{"op":"ping","pad":""# + String(repeating: "x", count: 64 * 1024) + #""}"#)
            #expect(try await client.closedByServer()?.closeCode == .messageTooLarge)
        }
    }

    @Test func fragmentedMessageOver64KiBClosesWith1009() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            let chunk = String(repeating: "x", count: 40 * 1024)
            client.send(fragments: [#"{"op":"ping","pad":""# + chunk, chunk + #""}"#])
            #expect(try await client.closedByServer()?.closeCode == .messageTooLarge)
        }
    }

    @Test func badMessagesDoNotEndTheSession() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            expectSession(try await client.request(Wire.start(Wire.username())))
            client.send(text: "not json")
            expectFailure(try await client.receive(), "invalid_request")
            client.send(text: "[1, 2, 3]")
            expectFailure(try await client.receive(), "invalid_request")
            expectFailure(try await client.request(["op": "fly"]), "invalid_request")
            // A bad ref must not end anything, even on endSession.
            expectFailure(try await client.request(["op": "endSession", "ref": 5]), "invalid_request")
            #expect(gateway.sessions.activeSessionCount == 1)
            expectFailure(try await client.request(Wire.start(Wire.username())), "session_active")
            #expect(try await client.request(Wire.end())["succeeded"] == true)
            expectFailure(try await client.request(Wire.end()), "no_active_session")
            await client.close()
        }
    }
}
