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
        #expect(ServerMessage.sessionEndedEvent(sessionID: "abc", reason: .revoked)
            == #"{"event":"sessionEnded","sessionId":"abc","reason":"revoked"}"#)
        #expect(ServerMessage.sessionEndedEvent(sessionID: "abc", reason: .serverShutdown)
            == #"{"event":"sessionEnded","sessionId":"abc","reason":"server_shutdown"}"#)
    }

    @Test func failureEchoesRefFirst() {
        let text = ServerMessage.failure(GatewayError(.noActiveSession, "None"), ref: "9")
        #expect(text == #"{"ref":"9","succeeded":false,"error":{"type":"NoActiveSessionError","code":"no_active_session","message":"None"}}"#)
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
        #expect(String(decoding: ServerMessage.sessionStarted(session, ref: ref), as: UTF8.self) == JSONValue.object(tree).encoded())

        var picture = user
        picture.displayPictureUrl = "https://example.com/p.png"
        picture.properties = [:]
        var written = JSONStreamWriter()
        picture.write(into: &written)
        #expect(String(decoding: written.bytes, as: UTF8.self) == picture.jsonValue.encoded())
    }

    @Test func sessionEndedRepliesEchoTheRef() {
        #expect(String(decoding: ServerMessage.sessionEnded(ref: nil), as: UTF8.self) == #"{"succeeded":true}"#)
        #expect(String(decoding: ServerMessage.sessionEnded(ref: "7"), as: UTF8.self) == #"{"ref":"7","succeeded":true}"#)
    }
}
