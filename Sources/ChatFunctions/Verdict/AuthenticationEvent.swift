import Foundation
import LuaRuntime
import StrictJSON

/// What one authenticated start hands to the chat functions (SPEC §3 `event` and `context.user`).
public struct AuthenticationEvent: Sendable, Equatable {
    /// The username the client asked for; already validated by the caller.
    public var username: String
    /// The start's auth params; `{}` when the client sent an empty object.
    public var authParams: JSONObject
    /// The peer's IP address, without the port.
    public var remoteAddress: String
    /// The upgrade request's `User-Agent` header, if any.
    public var userAgent: String?
    /// The upgrade request's `Origin` header, if any.
    public var origin: String?
    /// The stored user with this username, seen by scripts as `context.user`.
    public var user: UserSnapshot?

    public init(
        username: String,
        authParams: JSONObject = JSONObject(),
        remoteAddress: String = "127.0.0.1",
        userAgent: String? = nil,
        origin: String? = nil,
        user: UserSnapshot? = nil
    ) {
        self.username = username
        self.authParams = authParams
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.origin = origin
        self.user = user
    }
}

/// A stored user as scripts and clients see it (the wire `user` of SPEC §2).
public struct UserSnapshot: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var displayName: String
    public var displayPictureUrl: String?
    public var isGuest: Bool
    public var properties: JSONObject
    public var createdTime: Date
    /// True while the user has an active session.
    public var online: Bool

    public init(
        id: Int64, name: String, displayName: String, displayPictureUrl: String? = nil,
        isGuest: Bool, properties: JSONObject = JSONObject(), createdTime: Date, online: Bool = false
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.displayPictureUrl = displayPictureUrl
        self.isGuest = isGuest
        self.properties = properties
        self.createdTime = createdTime
        self.online = online
    }

    /// The wire shape of SPEC §2, key for key, written into any sink: the start reply's text,
    /// `context.user`'s table and `jsonValue` all come from here. Inlinable so that each sink's
    /// use is specialized where it is made (the reply and the table are made for every start).
    @inlinable
    public func write<Sink: JSONMemberSink>(into sink: inout Sink) {
        sink.beginObject(memberCount: 9)
        sink.key("id")
        sink.integer(id)
        sink.key("type")
        sink.string("PERSON")
        sink.key("name")
        sink.string(name)
        sink.key("displayName")
        sink.string(displayName)
        sink.key("displayPictureUrl")
        sink.string(displayPictureUrl)
        sink.key("isGuest")
        sink.bool(isGuest)
        sink.key("presence")
        sink.beginObject(memberCount: 2)
        sink.key("status")
        sink.string(online ? "AVAILABLE" : "UNAVAILABLE")
        sink.key("online")
        sink.bool(online)
        sink.endObject()
        sink.key("properties")
        sink.value(.object(properties))
        sink.key("createdTime")
        Timestamp.withUTF8(createdTime, .iso8601) { sink.string(utf8: $0) }
        sink.endObject()
    }

    /// The wire shape as a tree (trigger events, `invoke`, the test kit).
    public var jsonValue: JSONValue {
        var tree = JSONTreeBuilder()
        write(into: &tree)
        return tree.value!
    }
}

/// `context.user`: the table of `jsonValue`, pushed without building the tree first (every
/// returning user's start pushes one).
extension UserSnapshot: LuaPushable {
    public func push(into b: inout LuaPushBuffer) {
        write(into: &b)
    }
}
