import SessionCore
import StrictJSON

/// The text of every message the server sends on `/v1/session` (SPEC §2): compact JSON,
/// keys in the order of the SPEC's examples, `ref` first and only when the request had one.
enum ServerMessage {
    /// The reply to a successful `startSession`, written member by member: one is sent for every
    /// start, and building its tree first cost more than the text.
    static func sessionStarted(_ session: ActiveSession, ref: String?) -> [UInt8] {
        var json = JSONStreamWriter()
        json.beginObject()
        writeHead(ref: ref, into: &json)
        json.key("session")
        session.write(into: &json)
        json.endObject()
        return json.bytes
    }

    /// The reply to a successful `endSession`.
    static func sessionEnded(ref: String?) -> [UInt8] {
        guard ref != nil else { return plainSuccessBytes }
        var json = JSONStreamWriter()
        json.beginObject()
        writeHead(ref: ref, into: &json)
        json.endObject()
        return json.bytes
    }

    /// The reply to `ping`.
    static func pong(ref: String?) -> String {
        guard ref != nil else { return plainPong }
        var reply = replyHead(ref: ref, succeeded: true)
        reply["pong"] = .bool(true)
        return JSONValue.object(reply).encoded()
    }

    /// The reply to any failed request.
    static func failure(_ error: GatewayError, ref: String?) -> String {
        var reply = replyHead(ref: ref, succeeded: false)
        reply["error"] = error.jsonValue
        return JSONValue.object(reply).encoded()
    }

    /// The event sent when the server ends a session (`revoked`, `server_shutdown`).
    static func sessionEndedEvent(sessionID: String, reason: SessionEndReason) -> String {
        let event: JSONObject = [
            "event": .string("sessionEnded"),
            "sessionId": .string(sessionID),
            "reason": .string(reason.rawValue),
        ]
        return JSONValue.object(event).encoded()
    }

    private static let plainSuccessBytes = Array(#"{"succeeded":true}"#.utf8)
    private static let plainPong = #"{"succeeded":true,"pong":true}"#

    private static func writeHead(ref: String?, into json: inout JSONStreamWriter) {
        if let ref {
            json.key("ref")
            json.string(ref)
        }
        json.key("succeeded")
        json.bool(true)
    }

    private static func replyHead(ref: String?, succeeded: Bool) -> JSONObject {
        var reply = JSONObject()
        if let ref { reply["ref"] = .string(ref) }
        reply["succeeded"] = .bool(succeeded)
        return reply
    }
}
