import SessionCore
import StrictJSON

/// The bytes of every message the server sends on `/v1/session` (SPEC §2): compact JSON,
/// keys in the order of the SPEC's examples, `ref` first and only when the request had one.
///
/// Replies are written member by member (`JSONStreamWriter`): one goes out for every request,
/// and building a `JSONValue` tree first cost more than the text.
enum ServerMessage {
    /// The reply to a successful `startSession`.
    static func sessionStarted(_ session: ActiveSession, ref: String?) -> [UInt8] {
        reply(ref: ref, succeeded: true) { json in
            json.key("session")
            session.write(into: &json)
        }
    }

    /// The reply to a successful `endSession`.
    static func sessionEnded(ref: String?) -> [UInt8] {
        guard ref != nil else { return plainSuccess }
        return reply(ref: ref, succeeded: true) { _ in }
    }

    /// The reply to `ping`.
    static func pong(ref: String?) -> [UInt8] {
        guard ref != nil else { return plainPong }
        return reply(ref: ref, succeeded: true) { json in
            json.key("pong")
            json.bool(true)
        }
    }

    /// The reply to any failed request.
    static func failure(_ error: GatewayError, ref: String?) -> [UInt8] {
        reply(ref: ref, succeeded: false) { json in
            json.key("error")
            json.value(error.jsonValue)
        }
    }

    /// The event sent when the server ends a session (`revoked`, `server_shutdown`).
    static func sessionEndedEvent(sessionID: String, reason: SessionEndReason) -> [UInt8] {
        var json = JSONStreamWriter()
        json.beginObject()
        json.key("event")
        json.string("sessionEnded")
        json.key("sessionId")
        json.string(sessionID)
        json.key("reason")
        json.string(reason.rawValue)
        json.endObject()
        return json.bytes
    }

    private static let plainSuccess = Array(#"{"succeeded":true}"#.utf8)
    private static let plainPong = Array(#"{"succeeded":true,"pong":true}"#.utf8)

    /// `{"ref":…,"succeeded":…` then what `rest` writes, then `}`.
    private static func reply(ref: String?, succeeded: Bool, _ rest: (inout JSONStreamWriter) -> Void) -> [UInt8] {
        var json = JSONStreamWriter()
        json.beginObject()
        if let ref {
            json.key("ref")
            json.string(ref)
        }
        json.key("succeeded")
        json.bool(succeeded)
        rest(&json)
        json.endObject()
        return json.bytes
    }
}
