import ChatFunctions
import Foundation
import StrictJSON

/// A session from its successful start until it ends.
public struct ActiveSession: Sendable, Equatable {
    /// A lowercase UUID.
    public var id: String
    public var startedAt: Date
    /// The user as it was when the session started, with `online` true.
    public var user: UserSnapshot
    /// The peer's IP address, without the port.
    public var remoteAddress: String
    public var userAgent: String?

    public init(id: String, startedAt: Date, user: UserSnapshot, remoteAddress: String, userAgent: String? = nil) {
        self.id = id
        self.startedAt = startedAt
        self.user = user
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
    }

    /// The wire session of a `startSession` reply: `{"id","startedAt","user"}` (SPEC §2), written
    /// into any sink (the reply's text; `jsonValue`).
    @inlinable
    public func write<Sink: JSONMemberSink>(into sink: inout Sink) {
        sink.beginObject(memberCount: 3)
        sink.key("id")
        sink.string(id)
        sink.key("startedAt")
        Timestamp.withUTF8(startedAt, .iso8601) { sink.string(utf8: $0) }
        sink.key("user")
        user.write(into: &sink)
        sink.endObject()
    }

    public var jsonValue: JSONValue {
        var tree = JSONTreeBuilder()
        write(into: &tree)
        return tree.value!
    }

    /// The admin API's session: `{"id","startedAt","remoteAddress","userAgent","user"}` (SPEC §5);
    /// `userAgent` is `null` when the client sent none.
    public var adminJSONValue: JSONValue {
        var session = JSONObject()
        session["id"] = .string(id)
        session["startedAt"] = .string(Timestamp.iso8601(startedAt))
        session["remoteAddress"] = .string(remoteAddress)
        session["userAgent"] = userAgent.map(JSONValue.string) ?? .null
        session["user"] = user.jsonValue
        return .object(session)
    }
}
