import Foundation
import PostgresNIO

/// A returning guest's start in one round trip: its user read and its session row inserted by
/// one statement, batched over the guest starts that wait together.
///
/// The row is inserted only for names whose user is a guest in the statement's snapshot, so a
/// user that became a person on another instance before the statement ran gets no session here
/// (the same rule as the read-then-insert it replaces, with no gap between the two).
extension PostgresUserStore {
    struct GuestStart: Sendable {
        var name: String
        var session: SessionRecord
    }

    public func findOrCreateGuest(named name: String, at now: Date, committing start: SessionRecord) async throws -> StoredUser {
        try ensureOpen()
        return try await startingGuest(named: name, at: now, committing: start).value
    }

    public func findOrCreateGuestImmediately(
        named name: String, at now: Date, committing start: SessionRecord
    ) throws -> Immediate<StoredUser> {
        try ensureOpen()
        return .later(startingGuest(named: name, at: now, committing: start))
    }

    private func startingGuest(named name: String, at now: Date, committing start: SessionRecord) -> Later<StoredUser> {
        Later { completion in
            self.guestStarts.submit(GuestStart(name: name, session: start), run: { try await self.startGuests($0) }) { result in
                switch result {
                case .success(let found?):
                    completion(.success(self.seen(found, at: now)))
                case .success(nil):
                    Task {
                        do { completion(.success(try await self.createGuest(named: name, at: now, committing: start))) }
                        catch { completion(.failure(error)) }
                    }
                case .failure(let error):
                    completion(.failure(error))
                }
            }
        }
    }

    /// A found user as a guest start returns it: a guest's `lastSeen` set, and queued.
    func seen(_ found: StoredUser, at now: Date) -> StoredUser {
        guard found.isGuest else { return found }
        var user = found
        user.lastSeen = now
        queueLastSeen(now, ofUserID: user.id)
        return user
    }

    /// A first start of this name: create the guest (or find the winner of a race), then its row.
    private func createGuest(named name: String, at now: Date, committing start: SessionRecord) async throws -> StoredUser {
        let user = try await findOrCreateGuest(named: name, at: now)
        if user.isGuest { try await commitSessionStart(start.withUserID(user.id)) }
        return user
    }

    /// One statement for a batch (`PostgresStatements.GuestStarts`): every asked name's user,
    /// and a session row for each start whose user exists and is a guest.
    private func startGuests(_ starts: [GuestStart]) async throws -> [StoredUser?] {
        let statement = PostgresStatements.GuestStarts(starts: starts.map { ($0.name, $0.session) }, instanceID: instanceID)
        let found = try await query { client in
            var users: [String: StoredUser] = [:]
            for try await row in try await client.execute(statement) {
                let user = try Self.user(from: row)
                users[user.name] = user
            }
            return users
        }
        return starts.map { found[$0.name] }
    }
}
