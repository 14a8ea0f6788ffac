import SessionCore
import StrictJSON

/// One request of the WebSocket protocol (SPEC §2), parsed from a text message.
struct ClientRequest: Sendable {
    /// What the client asked for.
    enum Operation: Sendable {
        /// `startSession`: the fields go to `SessionService.start` unchecked, which owns their rules.
        case startSession(username: JSONValue?, authParams: JSONValue?)
        case endSession
        case ping
    }

    /// The client's `ref`, echoed by the reply; `nil` when the request had none.
    var ref: String?
    var operation: Operation

    /// The most nesting a message may have (SPEC §2).
    static let maxDepth = 64
    /// The longest `ref`, in Unicode scalars.
    static let maxRefLength = 64

    /// Parses one message strictly. A message that is not a valid request becomes a
    /// ``RejectedRequest`` carrying the `invalid_request` error and, when the message held a
    /// valid `ref`, that ref.
    static func parse(_ bytes: some Collection<UInt8>) -> Result<ClientRequest, RejectedRequest> {
        var stacks = JSONParseStacks()
        return parse(bytes, stacks: &stacks)
    }

    /// The same, with the parser's stacks lent by the caller (one per event loop). The message
    /// is read member by member: only the four members a request has are kept, and no object is
    /// built for the message itself. Of duplicate members the last wins, as in a parsed object.
    static func parse(_ bytes: some Collection<UInt8>, stacks: inout JSONParseStacks) -> Result<ClientRequest, RejectedRequest> {
        var members = Members()
        do {
            let isObject = try JSONParser.parseObjectMembers(bytes, maxDepth: maxDepth, stacks: &stacks) { key, value in
                members.take(key, value)
            }
            guard isObject else {
                // Parsed whole only to tell invalid JSON from JSON that is not an object.
                _ = try JSONParser.parse(bytes, maxDepth: maxDepth, stacks: &stacks)
                return .failure(RejectedRequest(ref: nil, "A request must be a JSON object"))
            }
        } catch {
            return .failure(RejectedRequest(ref: nil, "Not strict JSON: \(error.message)"))
        }

        var ref: String?
        if let refValue = members.ref {
            guard case .string(let text) = refValue, isValidRef(text) else {
                return .failure(RejectedRequest(ref: nil, "ref must be a string of at most 64 characters"))
            }
            ref = text
        }

        guard let opValue = members.op else {
            return .failure(RejectedRequest(ref: ref, "Missing op"))
        }
        guard case .string(let op) = opValue else {
            return .failure(RejectedRequest(ref: ref, "op must be a string"))
        }
        switch op {
        case "startSession":
            var authParams = members.authParams
            if authParams == .null { authParams = nil }
            return .success(ClientRequest(ref: ref, operation: .startSession(username: members.username, authParams: authParams)))
        case "endSession":
            return .success(ClientRequest(ref: ref, operation: .endSession))
        case "ping":
            return .success(ClientRequest(ref: ref, operation: .ping))
        default:
            return .failure(RejectedRequest(ref: ref, "Unknown op; expected startSession, endSession or ping"))
        }
    }

    /// The members a request may have; any other is read and dropped.
    private struct Members {
        var ref: JSONValue?
        var op: JSONValue?
        var username: JSONValue?
        var authParams: JSONValue?

        mutating func take(_ key: String, _ value: JSONValue) {
            switch key {
            case "ref": ref = value
            case "op": op = value
            case "username": username = value
            case "authParams": authParams = value
            default: break
            }
        }
    }

    /// At most 64 Unicode scalars; short strings are settled by their byte count alone.
    private static func isValidRef(_ text: String) -> Bool {
        if text.utf8.count <= maxRefLength { return true }
        var count = 0
        for _ in text.unicodeScalars {
            count += 1
            if count > maxRefLength { return false }
        }
        return true
    }
}
