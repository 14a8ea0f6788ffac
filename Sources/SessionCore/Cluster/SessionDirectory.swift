import Foundation
import StrictJSON

/// What a `SessionService` needs to know beyond its own process: the instances that share its
/// store (SPEC §6). One instance on SQLite or in memory uses `LocalSessionDirectory`, which adds
/// nothing to the single-instance path; several on PostgreSQL use `PostgresCluster`.
public protocol SessionDirectory: Sendable {
    /// This instance's name (`--instance-id`), shown by `/health` and the admin API.
    var instanceID: String { get }

    /// `false` while the shared store cannot be reached: `/health` answers 503.
    var isReachable: Bool { get }

    /// The counter of failed starts for one kind of key (`scope`: "username", "address").
    func makeFailureLimiter(
        _ limit: FailureLimit, scope: String, now: @escaping @Sendable () -> ContinuousClock.Instant
    ) -> any FailureLimiting

    /// The active sessions of every other live instance.
    func sessionsElsewhere() async throws -> [ListedSession]

    /// Revokes a session that another live instance holds; `false` when none does.
    func revokeElsewhere(sessionID: String) async throws -> Bool

    /// Called once the service exists: revokes from other instances arrive through it.
    func attach(_ sessions: SessionService)
}

/// A session in the admin API's list: where it is held, and what it is.
public struct ListedSession: Sendable, Equatable {
    public var session: ActiveSession
    public var instance: String

    public init(session: ActiveSession, instance: String) {
        self.session = session
        self.instance = instance
    }

    /// `{"id","startedAt","remoteAddress","userAgent","instance","user"}` (SPEC §5).
    public var adminJSONValue: JSONValue {
        guard case .object(var object) = session.adminJSONValue else { return session.adminJSONValue }
        object["instance"] = .string(instance)
        return .object(object)
    }
}

/// The directory of a gateway that shares its store with nobody.
public struct LocalSessionDirectory: SessionDirectory {
    public let instanceID: String

    /// `instanceID` defaults to a random name.
    public init(instanceID: String = LocalSessionDirectory.randomInstanceID()) {
        self.instanceID = instanceID
    }

    public var isReachable: Bool { true }

    public func makeFailureLimiter(
        _ limit: FailureLimit, scope: String, now: @escaping @Sendable () -> ContinuousClock.Instant
    ) -> any FailureLimiting {
        FailureLimiter(limit: limit, now: now)
    }

    public func sessionsElsewhere() async throws -> [ListedSession] { [] }

    public func revokeElsewhere(sessionID: String) async throws -> Bool { false }

    public func attach(_ sessions: SessionService) {}

    /// `--instance-id`'s default: short, and unlike any other instance's.
    public static func randomInstanceID() -> String {
        String(UUID().uuidString.lowercased().prefix(8))
    }
}
