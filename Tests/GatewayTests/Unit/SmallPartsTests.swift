@testable import Gateway
import SessionCore
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
}
