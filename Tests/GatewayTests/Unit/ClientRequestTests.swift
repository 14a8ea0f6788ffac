@testable import Gateway
import SessionCore
import StrictJSON
import Testing

/// Parsing one message into a request (SPEC §2), without a socket.
@Suite struct ClientRequestTests {
    private func parse(_ text: String) -> Result<ClientRequest, RejectedRequest> {
        ClientRequest.parse(Array(text.utf8))
    }

    @Test func startSessionKeepsUsernameAndAuthParamsUnchecked() throws {
        let request = try parse(#"{"op":"startSession","username":5,"authParams":{"a":[1]},"ref":"r","extra":true}"#).get()
        #expect(request.ref == "r")
        guard case .startSession(let username, let authParams) = request.operation else {
            Issue.record("expected startSession, got \(request.operation)")
            return
        }
        #expect(username == .integer(5))
        #expect(authParams == ["a": [1]])
    }

    @Test func nullAuthParamsCountAsAbsent() throws {
        let request = try parse(#"{"op":"startSession","username":"jane","authParams":null}"#).get()
        guard case .startSession(let username, let authParams) = request.operation else {
            Issue.record("expected startSession")
            return
        }
        #expect(username == "jane")
        #expect(authParams == nil)
    }

    @Test func missingFieldsStayNil() throws {
        let request = try parse(#"{"op":"startSession"}"#).get()
        guard case .startSession(let username, let authParams) = request.operation else {
            Issue.record("expected startSession")
            return
        }
        #expect(username == nil && authParams == nil)
        #expect(request.ref == nil)
    }

    @Test func badRefIsRejectedWithoutRef() {
        guard case .failure(let rejected) = parse(#"{"op":"ping","ref":1}"#) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejected == RejectedRequest(ref: nil, "ref must be a string of at most 64 characters"))
    }

    @Test func unknownOpIsRejectedWithItsRef() throws {
        guard case .failure(let rejected) = parse(#"{"op":"fly","ref":"7"}"#) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejected.ref == "7")
        #expect(rejected.error.code == .invalidRequest)
    }

    @Test func refLimitCountsUnicodeScalars() {
        let sixtyFourFlags = String(repeating: "🇫🇷", count: 32)  // 64 scalars, 32 characters
        #expect((try? parse(#"{"op":"ping","ref":"\#(sixtyFourFlags)"}"#).get().ref) == sixtyFourFlags)
        let sixtyFiveScalars = sixtyFourFlags + "a"
        #expect((try? parse(#"{"op":"ping","ref":"\#(sixtyFiveScalars)"}"#).get()) == nil)
    }
}
