import ChatFunctions
import Foundation

extension Profile {
    /// The user an allowed authenticated start leaves behind (SPEC §2, §3): a new user without a
    /// `displayName` gets the username; an existing one keeps every field the profile leaves `nil`;
    /// `properties` are replaced, not merged, when given; the guest flag is cleared either way.
    ///
    /// Both stores go through this one function so they cannot disagree on the rules.
    func applied(to existing: StoredUser?, name: String, newID: @autoclosure () -> Int64, at now: Date) -> StoredUser {
        guard var user = existing else {
            return StoredUser(
                id: newID(), name: name, displayName: displayName ?? name, displayPictureUrl: displayPictureUrl,
                isGuest: false, properties: properties ?? [:], createdTime: now, lastSeen: now
            )
        }
        if let displayName { user.displayName = displayName }
        if let displayPictureUrl { user.displayPictureUrl = displayPictureUrl }
        if let properties { user.properties = properties }
        user.isGuest = false
        user.lastSeen = now
        return user
    }

    /// `applied(to: existing, …)` when it changes nothing of `existing` but `lastSeen`: a start
    /// that needs no write but its `lastSeen` note. `nil` when the user must be written.
    func appliedWithoutChange(to existing: StoredUser, name: String, at now: Date) -> StoredUser? {
        let user = applied(to: existing, name: name, newID: 0, at: now)
        var unchanged = existing
        unchanged.lastSeen = user.lastSeen
        return user == unchanged ? user : nil
    }
}
