import SessionCore
import StrictJSON

/// Every message the server sends on `/v1/session` (SPEC §2), written as compact JSON with the
/// keys in the order of the SPEC's examples, `ref` first and only when the request had one.
///
/// Replies are written member by member into a `JSONStreamWriter`: one goes out for every
/// request, and building a `JSONValue` tree first cost more than the text. The connection
/// handler writes them into one writer per event loop, emptied between messages, so a reply
/// costs no array of its own.
enum ServerMessage {
    /// The reply to a successful `startSession`.
    case sessionStarted(ActiveSession, ref: String?)
    /// The reply to a successful `endSession`.
    case sessionEnded(ref: String?)
    /// The reply to `ping`.
    case pong(ref: String?)
    /// The reply to any failed request.
    case failure(GatewayError, ref: String?)
    /// The event sent when the server ends a session (`revoked`, `server_shutdown`).
    case sessionEndedEvent(sessionID: String, reason: SessionEndReason)

    func write(into json: inout JSONStreamWriter) {
        switch self {
        case .sessionStarted(let session, let ref):
            Self.openReply(ref: ref, succeeded: true, into: &json)
            json.key("session")
            session.write(into: &json)
        case .sessionEnded(let ref):
            Self.openReply(ref: ref, succeeded: true, into: &json)
        case .pong(let ref):
            Self.openReply(ref: ref, succeeded: true, into: &json)
            json.key("pong")
            json.bool(true)
        case .failure(let error, let ref):
            Self.openReply(ref: ref, succeeded: false, into: &json)
            json.key("error")
            json.value(error.jsonValue)
        case .sessionEndedEvent(let sessionID, let reason):
            json.beginObject()
            json.key("event")
            json.string("sessionEnded")
            json.key("sessionId")
            json.string(sessionID)
            json.key("reason")
            json.string(reason.rawValue)
        }
        json.endObject()
    }

    /// The message's text on its own (tests, cold paths).
    var bytes: [UInt8] {
        var json = JSONStreamWriter()
        write(into: &json)
        return json.bytes
    }

    /// `{"ref":…,"succeeded":…`; the caller writes the rest and closes the object.
    private static func openReply(ref: String?, succeeded: Bool, into json: inout JSONStreamWriter) {
        json.beginObject()
        if let ref {
            json.key("ref")
            json.string(ref)
        }
        json.key("succeeded")
        json.bool(succeeded)
    }
}
