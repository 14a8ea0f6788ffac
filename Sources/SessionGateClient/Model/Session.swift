import Foundation

/// An active session, as the gateway described it in its `startSession` reply.
public struct Session: Sendable, Hashable {
    /// The gateway's id of the session; the admin API and `sessionEnded` events use it.
    public let id: String
    /// When the gateway started the session.
    public let startedAt: Date
    /// The user the session belongs to.
    public let user: User
    /// The `session` object exactly as received, including any field this version of
    /// the client does not model.
    public let json: JSONValue
}

extension Session {
    init(wire value: JSONValue) throws(SessionGateError) {
        let fields = WireFields(value, what: "session")
        id = try fields.string("id")
        startedAt = try fields.date("startedAt")
        user = try User(wire: try fields.object("user"))
        json = value
    }
}
