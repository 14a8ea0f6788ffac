/// The gateway, or the loss of the connection, ended a session.
public struct SessionEndedEvent: Sendable, Hashable {
    /// Why a session ended. The gateway's reasons are open-ended; compare with the
    /// constants below.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// The gateway is shutting down; it closes the connection next.
        public static let serverShutdown = Reason(rawValue: "server_shutdown")
        /// An operator ended the session through the admin API; the connection stays open.
        public static let revoked = Reason(rawValue: "revoked")
        /// The connection closed or broke while the session was active (set by the client).
        public static let connectionLost = Reason(rawValue: "connection_lost")

        public var description: String { rawValue }
    }

    /// The id of the session that ended.
    public let sessionId: String
    /// Why it ended.
    public let reason: Reason

    /// Makes an event.
    public init(sessionId: String, reason: Reason) {
        self.sessionId = sessionId
        self.reason = reason
    }

    /// The event as a wire-style object: `{"event":"sessionEnded","sessionId","reason"}`.
    public var jsonObject: JSONValue {
        ["event": "sessionEnded", "sessionId": .string(sessionId), "reason": .string(reason.rawValue)]
    }

    /// ``jsonObject`` as one line of compact JSON, keys in the order the gateway sends them.
    public var jsonText: String {
        jsonObject.encoded()
    }
}
