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

    /// Requests are read member by member, without an object for the message. Every message of
    /// this corpus must read exactly as the parsed object reads (the same first error, the last
    /// of duplicate members, the same depth limit), through one set of lent stacks.
    @Test func memberByMemberReadsAsTheParsedObject() {
        let nested = String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        let tooDeep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let corpus = [
            #"{"op":"startSession","ref":"1","username":"jane","authParams":{"password":"pw"}}"#,
            #"{"op":"endSession","ref":"2"}"#, #"{"op":"ping"}"#, #" { "op" : "ping" , "ref" : "x" } "#,
            #"{"op":"ping","op":"endSession"}"#, #"{"ref":"a","op":"ping","ref":"b"}"#, #"{"ref":"a","ref":5,"op":"ping"}"#,
            #"{"op":"startSession","authParams":{"a":1},"authParams":null,"username":"u"}"#,
            #"{"op":"startSession","extra":{"deep":[1,{"x":null}]},"username":["a"]}"#,
            #"{"op":"ping","x":\#(nested)}"#, #"{"op":"ping","x":\#(tooDeep)}"#,
            #"{}"#, #"{ }"#, #"[]"#, #"[{"op":"ping"}]"#, #""op""#, #"5"#, #"null"#, "", "   ",
            #"{"op":"ping",}"#, #"{"op":"ping""#, #"{"op" "ping"}"#, #"{"op":"ping"} x"#, #"{"op":"ping"}{}"#,
            #"{op:"ping"}"#, #"{'op':'ping'}"#, #"{"op":"ping","n":NaN}"#, #"{"op":"ping","n":01}"#,
            "\u{FEFF}{\"op\":\"ping\"}", #"{"op":"ping","s":"\ud800"}"#, #"{"op":"ping"]"#, #"{"op":"fly","ref":"7"}"#,
            #"{"ref":"r","op":5}"#, #"{"ref":"r"}"#, #"{"op":"ping","ref":"\u0041"}"#,
        ]
        var stacks = JSONParseStacks()
        for text in corpus {
            let bytes = Array(text.utf8)
            let read = ClientRequest.parse(bytes, stacks: &stacks)
            let expected = Self.readFromParsedObject(bytes)
            #expect(Self.describe(read) == Self.describe(expected), "\(text)")
        }
    }

    /// What a request is when the message is parsed as a whole first: the reference the
    /// member-by-member reading is checked against.
    private static func readFromParsedObject(_ bytes: [UInt8]) -> Result<ClientRequest, RejectedRequest> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: ClientRequest.maxDepth)
        } catch {
            return .failure(RejectedRequest(ref: nil, "Not strict JSON: \(error.message)"))
        }
        guard case .object(let object) = value else { return .failure(RejectedRequest(ref: nil, "A request must be a JSON object")) }
        var ref: String?
        if let refValue = object["ref"] {
            guard case .string(let text) = refValue else {
                return .failure(RejectedRequest(ref: nil, "ref must be a string of at most 64 characters"))
            }
            ref = text
        }
        guard let opValue = object["op"] else { return .failure(RejectedRequest(ref: ref, "Missing op")) }
        guard case .string(let op) = opValue else { return .failure(RejectedRequest(ref: ref, "op must be a string")) }
        switch op {
        case "startSession":
            let authParams = object["authParams"] == .null ? nil : object["authParams"]
            return .success(ClientRequest(ref: ref, operation: .startSession(username: object["username"], authParams: authParams)))
        case "endSession": return .success(ClientRequest(ref: ref, operation: .endSession))
        case "ping": return .success(ClientRequest(ref: ref, operation: .ping))
        default: return .failure(RejectedRequest(ref: ref, "Unknown op; expected startSession, endSession or ping"))
        }
    }

    private static func describe(_ result: Result<ClientRequest, RejectedRequest>) -> String {
        switch result {
        case .success(let request): "request \(String(describing: request.ref)) \(request.operation)"
        case .failure(let rejected): "rejected \(String(describing: rejected.ref)) \(rejected.error.message)"
        }
    }
}
