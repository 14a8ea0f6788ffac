import Foundation
import StrictJSON

/// A user to insert as is (the test runner's `given.user`); the store assigns the id.
public struct NewUser: Sendable, Equatable {
    public var name: String
    /// `nil` gives the user its name as display name.
    public var displayName: String?
    public var displayPictureUrl: String?
    public var isGuest: Bool
    public var properties: JSONObject
    public var createdTime: Date

    public init(
        name: String, displayName: String? = nil, displayPictureUrl: String? = nil, isGuest: Bool = false,
        properties: JSONObject = JSONObject(), createdTime: Date = Date()
    ) {
        self.name = name
        self.displayName = displayName
        self.displayPictureUrl = displayPictureUrl
        self.isGuest = isGuest
        self.properties = properties
        self.createdTime = createdTime
    }
}
