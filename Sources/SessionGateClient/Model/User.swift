import Foundation

/// The user a session belongs to, as the gateway stored it (SPEC §2).
public struct User: Sendable, Hashable {
    /// The user's presence as the gateway reports it.
    public struct Presence: Sendable, Hashable {
        /// For example `AVAILABLE`.
        public let status: String
        /// Whether the user holds a session now.
        public let online: Bool
    }

    /// The store's id of the user.
    public let id: Int64
    /// The kind of user, for example `PERSON`.
    public let type: String
    /// The username.
    public let name: String
    /// The name to show; the username unless a chat function set another.
    public let displayName: String
    /// A picture URL a chat function set, if any.
    public let displayPictureUrl: String?
    /// Whether the user was created by a guest start and never authenticated.
    public let isGuest: Bool
    /// Presence at the time of the reply.
    public let presence: Presence
    /// Free-form profile data a chat function stored.
    public let properties: JSONObject
    /// When the user was first created.
    public let createdTime: Date
}

extension User {
    init(wire value: JSONValue) throws(SessionGateError) {
        let fields = WireFields(value, what: "user")
        id = try fields.integer("id")
        type = try fields.string("type")
        name = try fields.string("name")
        displayName = try fields.string("displayName")
        displayPictureUrl = try fields.optionalString("displayPictureUrl")
        isGuest = try fields.bool("isGuest")
        let presenceFields = WireFields(try fields.object("presence"), what: "user.presence")
        presence = Presence(status: try presenceFields.string("status"), online: try presenceFields.bool("online"))
        properties = try fields.object("properties").objectValue ?? [:]
        createdTime = try fields.date("createdTime")
    }
}
