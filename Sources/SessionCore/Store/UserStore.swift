import ChatFunctions
import Foundation

/// Where users and the session history live.
///
/// Implementations must make every write that returns normally durable enough to survive the
/// process being killed the next instant, and must make each method atomic: two concurrent calls
/// for the same new name create one user, never two and never an error.
public protocol UserStore: Sendable {
    /// The user with exactly this name, or `nil`.
    func user(named name: String) async throws -> StoredUser?

    /// A guest start's user: the existing user with this name, returned unchanged whatever its kind,
    /// or else a new guest (`isGuest` true, `displayName` = `name`, created at `now`).
    ///
    /// The caller decides what a non-guest result means; the store never turns a person into a guest.
    /// Also sets `lastSeen` to `now` when it returns a guest (possibly queued, as `recordSessionStart`).
    func findOrCreateGuest(named name: String, at now: Date) async throws -> StoredUser

    /// An allowed authenticated start's user: creates it when missing, otherwise upgrades it, and
    /// applies `profile` (see `Profile.applied(to:name:newID:at:)` for the rules). Clears the guest
    /// flag, keeps the id of an existing user, sets `lastSeen` to `now`.
    ///
    /// `knownUser` is the user as the caller read it a moment ago, if it did: a store may use it
    /// to skip reading it again when the profile changes nothing but `lastSeen`. It must not
    /// trust it for anything it writes.
    func createOrUpgrade(named name: String, profile: Profile, at now: Date, knownUser: StoredUser?) async throws -> StoredUser

    /// Inserts a user as given (the test runner's `given.user`).
    /// - Throws: `UserStoreError.nameTaken` when a user already has the name.
    func insert(_ user: NewUser) async throws -> StoredUser

    /// How many users the store holds.
    func userCount() async throws -> Int

    /// Adds a session to the history, and sets its user's `lastSeen` to its start.
    ///
    /// Session bookkeeping is queued, not waited for (it is not on the reply's path), so this
    /// never suspends: it is applied in call order, before `flush()`, `sessions(ofUser:)`,
    /// `userCount()` or `close()` return. A queued write that fails is logged.
    /// - Throws: `UserStoreError.closed` once the store is closed.
    func recordSessionStart(_ session: SessionRecord) throws

    /// Completes the history entry of a session, and sets its user's `lastSeen` to `endedAt`.
    /// Unknown ids and already-ended sessions are left alone. May be queued, as `recordSessionStart`.
    func recordSessionEnd(id: String, at endedAt: Date, reason: SessionEndReason) throws

    /// The session history of one user, oldest first, queued bookkeeping included.
    func sessions(ofUser userID: Int64) async throws -> [SessionRecord]

    /// Returns once every write queued before the call is durable.
    func flush() async throws

    /// Flushes pending work and releases the store; no other method may be called afterwards.
    func close() async throws

    /// Whether a start must wait for its session row (`commitSessionStart`) rather than queue it:
    /// a store shared by several instances, whose admin API must list a session as soon as its
    /// client is told it started. Default `false`.
    var sessionStartsMustCommit: Bool { get }

    /// `recordSessionStart`, returning once the row is committed. The default queues it.
    func commitSessionStart(_ session: SessionRecord) async throws

    /// A guest start on a store whose starts must commit: `findOrCreateGuest`, then, when the
    /// user is a guest, `commitSessionStart(start)` with the user's id in `start.userID` (the
    /// value passed there is ignored). A store may do both in one round trip. Returns the user
    /// either way; nothing is recorded for a person.
    func findOrCreateGuest(named name: String, at now: Date, committing start: SessionRecord) async throws -> StoredUser

    // The start pipeline's fast path (see `Immediate`); each has a default that always waits.
    func userImmediately(named name: String) throws -> Immediate<StoredUser?>
    func findOrCreateGuestImmediately(named name: String, at now: Date) throws -> Immediate<StoredUser>
    func createOrUpgradeImmediately(
        named name: String, profile: Profile, at now: Date, knownUser: StoredUser?
    ) throws -> Immediate<StoredUser>
    func findOrCreateGuestImmediately(named name: String, at now: Date, committing start: SessionRecord) throws -> Immediate<StoredUser>
    func commitSessionStartImmediately(_ session: SessionRecord) throws -> Immediate<Void>
}

/// An answer a store could give on the calling thread, without waiting for a writer or the network.
public enum Immediate<Value: Sendable>: Sendable {
    case done(Value)
    /// The answer comes through a callback, on whatever thread has it (a batch's), without a
    /// task of the caller's: for a store whose every answer waits on the network.
    case later(Later<Value>)
    /// Only the `async` method can answer.
    case mustWait
}

/// An answer to come: `start` begins the work and calls its argument once, with the result.
public struct Later<Value: Sendable>: Sendable {
    public let start: @Sendable (@escaping @Sendable (Result<Value, any Error>) -> Void) -> Void

    public init(_ start: @escaping @Sendable (@escaping @Sendable (Result<Value, any Error>) -> Void) -> Void) {
        self.start = start
    }

    /// The answer, awaited: what a store's `async` method returns when it answers this way.
    public var value: Value {
        get async throws { try await withCheckedThrowingContinuation { continuation in start { continuation.resume(with: $0) } } }
    }
}

/// The start pipeline's fast path: what a returning user's start needs, answered on the calling
/// thread when the store can (a cache, a read that never waits for the writer). Each answer is
/// exactly what the `async` method of the same name would return, side effects included; a
/// store that cannot answer so says `.mustWait` (the default), and the pipeline awaits.
extension UserStore {
    /// `user(named:)`, when it needs no waiting.
    public func userImmediately(named name: String) throws -> Immediate<StoredUser?> { .mustWait }

    /// `findOrCreateGuest`, when the user exists and no write must be committed.
    public func findOrCreateGuestImmediately(named name: String, at now: Date) throws -> Immediate<StoredUser> { .mustWait }

    /// `createOrUpgrade`, when the profile changes nothing that must be committed first.
    public func createOrUpgradeImmediately(
        named name: String, profile: Profile, at now: Date, knownUser: StoredUser?
    ) throws -> Immediate<StoredUser> { .mustWait }

    /// `findOrCreateGuest(named:at:committing:)`.
    public func findOrCreateGuestImmediately(
        named name: String, at now: Date, committing start: SessionRecord
    ) throws -> Immediate<StoredUser> { .mustWait }

    /// `commitSessionStart`.
    public func commitSessionStartImmediately(_ session: SessionRecord) throws -> Immediate<Void> { .mustWait }
}

extension UserStore {
    public var sessionStartsMustCommit: Bool { false }

    public func commitSessionStart(_ session: SessionRecord) async throws {
        try recordSessionStart(session)
    }

    public func findOrCreateGuest(named name: String, at now: Date, committing start: SessionRecord) async throws -> StoredUser {
        let user = try await findOrCreateGuest(named: name, at: now)
        if user.isGuest { try await commitSessionStart(start.withUserID(user.id)) }
        return user
    }
}

extension UserStore {
    /// `createOrUpgrade` without a user read beforehand.
    public func createOrUpgrade(named name: String, profile: Profile, at now: Date) async throws -> StoredUser {
        try await createOrUpgrade(named: name, profile: profile, at: now, knownUser: nil)
    }
}
