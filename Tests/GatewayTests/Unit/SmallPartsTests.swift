import ChatFunctions
import Foundation
@testable import Gateway
import SessionCore
import StrictJSON
import Testing

@Suite struct PeerInfoTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"),
        ("::ffff:127.0.0.2", "127.0.0.2"),
        ("::FFFF:10.1.2.3", "10.1.2.3"),
        ("::1", "::1"),
        ("2001:db8::1", "2001:db8::1"),
    ])
    func remoteAddressIsShownWithoutIPv4Mapping(raw: String, shown: String) {
        #expect(PeerInfo.displayAddress(raw) == shown)
    }

    @Test func unknownAddressIsNamedSo() {
        #expect(PeerInfo.displayAddress(nil) == "unknown")
    }
}

@Suite struct BearerTokenTests {
    @Test func acceptsOnlyTheExactToken() {
        #expect(BearerToken.matches("Bearer s3cret", token: "s3cret"))
        #expect(BearerToken.matches("bearer s3cret", token: "s3cret"))
        #expect(!BearerToken.matches("Bearer s3cre", token: "s3cret"))
        #expect(!BearerToken.matches("Bearer s3cretx", token: "s3cret"))
        #expect(!BearerToken.matches("Bearer ", token: "s3cret"))
        #expect(!BearerToken.matches("s3cret", token: "s3cret"))
    }
}

@Suite struct ServerMessageTests {
    @Test func sessionEndedEventHasTheSpecShape() {
        #expect(text(ServerMessage.sessionEndedEvent(sessionID: "abc", reason: .revoked).bytes)
            == #"{"event":"sessionEnded","sessionId":"abc","reason":"revoked"}"#)
        #expect(text(ServerMessage.sessionEndedEvent(sessionID: "abc", reason: .serverShutdown).bytes)
            == #"{"event":"sessionEnded","sessionId":"abc","reason":"server_shutdown"}"#)
    }

    @Test func failureEchoesRefFirst() {
        let failure = text(ServerMessage.failure(GatewayError(.noActiveSession, "None"), ref: "9").bytes)
        #expect(failure == #"{"ref":"9","succeeded":false,"error":{"type":"NoActiveSessionError","code":"no_active_session","message":"None"}}"#)
    }

    /// The start reply is written member by member; it must be the text of the tree the admin
    /// API and the SPEC describe, byte for byte.
    @Test(arguments: [nil, "r-1", "quote\"and\\slash"])
    func sessionStartedIsTheTextOfItsTree(ref: String?) throws {
        let user = UserSnapshot(
            id: 42, name: "jane \"j\" doe", displayName: "Jane\n", displayPictureUrl: nil, isGuest: false,
            properties: ["plan": .string("pro"), "seats": .integer(3), "tags": .array([.string("a"), .null]),
                         "nested": .object(["deep": .bool(false)])],
            createdTime: Date(timeIntervalSince1970: 1_790_000_000), online: true
        )
        let session = ActiveSession(
            id: "0191c2a8-0000-7000-8000-000000000001", startedAt: Date(timeIntervalSince1970: 1_800_000_000.25),
            user: user, remoteAddress: "10.0.0.1"
        )
        var tree = JSONObject()
        if let ref { tree["ref"] = .string(ref) }
        tree["succeeded"] = .bool(true)
        tree["session"] = session.jsonValue
        #expect(text(ServerMessage.sessionStarted(session, ref: ref).bytes) == JSONValue.object(tree).encoded())

        var picture = user
        picture.displayPictureUrl = "https://example.com/p.png"
        picture.properties = [:]
        var written = JSONStreamWriter()
        picture.write(into: &written)
        #expect(text(written.bytes) == picture.jsonValue.encoded())
    }

    @Test func sessionEndedAndPongRepliesEchoTheRef() {
        #expect(text(ServerMessage.sessionEnded(ref: nil).bytes) == #"{"succeeded":true}"#)
        #expect(text(ServerMessage.sessionEnded(ref: "7").bytes) == #"{"ref":"7","succeeded":true}"#)
        #expect(text(ServerMessage.pong(ref: nil).bytes) == #"{"succeeded":true,"pong":true}"#)
        #expect(text(ServerMessage.pong(ref: "8").bytes) == #"{"ref":"8","succeeded":true,"pong":true}"#)
    }

    /// The connection handler writes every message into one writer per event loop: each text
    /// must be the message alone, whatever the writer held before.
    @Test func oneReusedWriterWritesEachMessageAlone() {
        let messages: [ServerMessage] = [
            .failure(GatewayError(.invalidRequest, "Bad \"frame\""), ref: "1"),
            .pong(ref: nil),
            .sessionEndedEvent(sessionID: "abc", reason: .revoked),
            .sessionEnded(ref: "2"),
        ]
        var writer = JSONStreamWriter()
        for message in messages + messages.reversed() {
            writer.reset()
            message.write(into: &writer)
            #expect(text(writer.bytes) == text(message.bytes))
            #expect(try! JSONParser.parse(writer.bytes) == JSONParser.parse(message.bytes))
        }
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
