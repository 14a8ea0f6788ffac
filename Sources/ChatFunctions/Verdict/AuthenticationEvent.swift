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

    /// `jsonValue`'s text, written straight into `json` (the reply to every start carries it).
    public func write(into json: inout JSONStreamWriter) {
        json.beginObject()
        json.key("id")
        json.integer(id)
        json.key("type")
        json.string("PERSON")
        json.key("name")
        json.string(name)
        json.key("displayName")
        json.string(displayName)
        json.key("displayPictureUrl")
        json.string(displayPictureUrl)
        json.key("isGuest")
        json.bool(isGuest)
        json.key("presence")
        json.beginObject()
        json.key("status")
        json.string(online ? "AVAILABLE" : "UNAVAILABLE")
        json.key("online")
        json.bool(online)
        json.endObject()
        json.key("properties")
        json.value(.object(properties))
        json.key("createdTime")
        json.string(Timestamp.iso8601(createdTime))
        json.endObject()
    }

    /// The wire shape of SPEC §2, key for key.
    public var jsonValue: JSONValue {
        var presence = JSONObject()
        presence["status"] = .string(online ? "AVAILABLE" : "UNAVAILABLE")
        presence["online"] = .bool(online)
        var user = JSONObject()
        user["id"] = .integer(id)
        user["type"] = .string("PERSON")
        user["name"] = .string(name)
        user["displayName"] = .string(displayName)
        user["displayPictureUrl"] = displayPictureUrl.map(JSONValue.string) ?? .null
        user["isGuest"] = .bool(isGuest)
        user["presence"] = .object(presence)
        user["properties"] = .object(properties)
        user["createdTime"] = .string(Timestamp.iso8601(createdTime))
        return .object(user)
    }
}

/// `context.user`: the table of `jsonValue`, pushed without building the tree first (every
/// returning user's start pushes one).
extension UserSnapshot: LuaPushable {
    public func push(into b: inout LuaPushBuffer) {
        b.pushTable(recordCapacity: 9)
        b.setField("id") { $0.push(id) }
        b.setField("type") { $0.push("PERSON") }
        b.setField("name") { $0.push(name) }
        b.setField("displayName") { $0.push(displayName) }
        b.setField("displayPictureUrl") { b in
            if let displayPictureUrl { b.push(displayPictureUrl) } else { b.pushJSONNull() }
        }
        b.setField("isGuest") { $0.push(isGuest) }
        b.setField("presence") { b in
            b.pushTable(recordCapacity: 2)
            b.setField("status") { $0.push(online ? "AVAILABLE" : "UNAVAILABLE") }
            b.setField("online") { $0.push(online) }
        }
        b.setField("properties") { properties.push(into: &$0) }
        b.setField("createdTime") { $0.push(Timestamp.iso8601(createdTime)) }
    }
}
