import Foundation

/// One entry of the session history: written when a session starts, completed when it ends.
public struct SessionRecord: Sendable, Equatable {
    /// The session id, a lowercase UUID.
    public var id: String
    public var userID: Int64
    public var startedAt: Date
    /// `nil` while the session is active (or when the gateway died before ending it).
    public var endedAt: Date?
    public var endReason: SessionEndReason?
    public var remoteAddress: String
    public var userAgent: String?
    /// The content hash of the function set that allowed the start; `nil` for guest starts.
    public var functionSetVersion: String?

    public init(
        id: String, userID: Int64, startedAt: Date, endedAt: Date? = nil, endReason: SessionEndReason? = nil,
        remoteAddress: String, userAgent: String? = nil, functionSetVersion: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.functionSetVersion = functionSetVersion
    }
}

extension SessionRecord {
    /// The same record for the user `id`.
    func withUserID(_ id: Int64) -> SessionRecord {
        var record = self
        record.userID = id
        return record
    }
}
