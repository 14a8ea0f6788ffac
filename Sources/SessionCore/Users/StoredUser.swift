import ChatFunctions
import Foundation
import StrictJSON

/// A user as the store keeps it.
public struct StoredUser: Sendable, Equatable {
    /// Assigned by the store, never reused.
    public var id: Int64
    /// Unique across the store, compared byte for byte.
    public var name: String
    public var displayName: String
    public var displayPictureUrl: String?
    public var isGuest: Bool
    /// Free-form profile data, stored as a JSON object.
    public var properties: JSONObject
    public var createdTime: Date
    /// The last session start or end of this user.
    public var lastSeen: Date?

    public init(
        id: Int64, name: String, displayName: String, displayPictureUrl: String? = nil, isGuest: Bool,
        properties: JSONObject = JSONObject(), createdTime: Date, lastSeen: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.displayPictureUrl = displayPictureUrl
        self.isGuest = isGuest
        self.properties = properties
        self.createdTime = createdTime
        self.lastSeen = lastSeen
    }

    /// The user as clients and scripts see it; `online` comes from the active sessions, not the store.
    public func snapshot(online: Bool) -> UserSnapshot {
        UserSnapshot(
            id: id, name: name, displayName: displayName, displayPictureUrl: displayPictureUrl,
            isGuest: isGuest, properties: properties, createdTime: createdTime, online: online
        )
    }
}
