import StrictJSON
import Testing

/// Request builders and reply checks shared by the protocol tests.
enum Wire {
    static func start(_ username: JSONValue? = nil, authParams: JSONValue? = nil, ref: String? = nil) -> JSONObject {
        var request: JSONObject = ["op": "startSession"]
        if let username { request["username"] = username }
        if let authParams { request["authParams"] = authParams }
        if let ref { request["ref"] = .string(ref) }
        return request
    }

    static func end(ref: String? = nil) -> JSONObject {
        var request: JSONObject = ["op": "endSession"]
        if let ref { request["ref"] = .string(ref) }
        return request
    }

    static func ping(ref: String? = nil) -> JSONObject {
        var request: JSONObject = ["op": "ping"]
        if let ref { request["ref"] = .string(ref) }
        return request
    }

    static func allow() -> JSONValue { ["action": "allow"] }

    /// A fresh username, so that failure limits never carry over between tests.
    static func username(_ tag: String = "user") -> JSONValue {
        .string("\(tag)-\(UInt32.random(in: 0...UInt32.max))")
    }
}

/// Checks that `reply` is a failure with exactly `{"ref"?,"succeeded":false,"error":{…}}`
/// and returns its error object.
@discardableResult
func expectFailure(
    _ reply: JSONObject, _ code: String, ref: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSONObject {
    let expectedKeys = (ref == nil ? [] : ["ref"]) + ["succeeded", "error"]
    #expect(reply.keys == expectedKeys, "reply \(reply)", sourceLocation: sourceLocation)
    #expect(reply["ref"] == ref.map(JSONValue.string), sourceLocation: sourceLocation)
    #expect(reply["succeeded"] == false, sourceLocation: sourceLocation)
    let error = reply["error"]?.objectValue ?? JSONObject()
    #expect(error["code"] == .string(code), "reply \(reply)", sourceLocation: sourceLocation)
    #expect(Array(error.keys.prefix(3)) == ["type", "code", "message"], "reply \(reply)", sourceLocation: sourceLocation)
    #expect(error["message"]?.stringValue != nil, sourceLocation: sourceLocation)
    return error
}

/// Checks that `reply` is a successful start and returns its session object.
@discardableResult
func expectSession(
    _ reply: JSONObject, ref: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSONObject {
    let expectedKeys = (ref == nil ? [] : ["ref"]) + ["succeeded", "session"]
    #expect(reply.keys == expectedKeys, "reply \(reply)", sourceLocation: sourceLocation)
    #expect(reply["ref"] == ref.map(JSONValue.string), sourceLocation: sourceLocation)
    #expect(reply["succeeded"] == true, sourceLocation: sourceLocation)
    let session = reply["session"]?.objectValue ?? JSONObject()
    #expect(session.keys == ["id", "startedAt", "user"], "reply \(reply)", sourceLocation: sourceLocation)
    return session
}
