import Foundation
import PostgresNIO

/// Conversions between rows and the store's values, in one place.
extension PostgresUserStore {
    /// The columns of every user SELECT and RETURNING, in this order:
    /// `id, name, display_name, display_picture_url, is_guest, properties, created_time, last_seen`.
    typealias UserRow = (Int64, String, String, String?, Bool, String, Date, Date?)

    /// `id, user_id, started_at, ended_at, end_reason, remote_address, user_agent, function_set_version`.
    typealias SessionRow = (String, Int64, Date, Date?, String?, String, String?, String?)

    static func firstUser(_ rows: PostgresRowSequence) async throws -> StoredUser? {
        for try await row in rows.decode(UserRow.self) {
            return try user(from: row)
        }
        return nil
    }

    static func user(from row: UserRow) throws -> StoredUser {
        StoredUser(
            id: row.0, name: row.1, displayName: row.2, displayPictureUrl: row.3, isGuest: row.4,
            properties: try StoredProperties.object(from: row.5, user: row.1), createdTime: row.6, lastSeen: row.7
        )
    }

    static func session(from row: SessionRow) throws -> SessionRecord {
        SessionRecord(
            id: row.0, userID: row.1, startedAt: row.2, endedAt: row.3,
            endReason: try row.4.map { text in
                guard let reason = SessionEndReason(rawValue: text) else {
                    throw UserStoreError.corruptData("unknown session end reason \"\(text)\"")
                }
                return reason
            },
            remoteAddress: row.5, userAgent: row.6, functionSetVersion: row.7
        )
    }
}
