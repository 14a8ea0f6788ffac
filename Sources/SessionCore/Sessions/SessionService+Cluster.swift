/// The parts of the service that reach past this process: the admin list and revoke of every
/// live instance, and what `/health` reports (SPEC §5, §6).
extension SessionService {
    /// This instance's name in a shared store.
    public var instanceID: String { directory.instanceID }

    /// `false` while the store cannot be reached.
    public var isStoreReachable: Bool { directory.isReachable }

    /// The active sessions of this instance and of every other live instance, oldest first.
    public func listSessions() async throws -> [ListedSession] {
        let local = activeSessions.map { ListedSession(session: $0, instance: instanceID) }
        return (local + (try await directory.sessionsElsewhere()))
            .sorted { ($0.session.startedAt, $0.session.id) < ($1.session.startedAt, $1.session.id) }
    }

    /// Revokes the session wherever it is held: here at once, elsewhere through the directory
    /// (its holder ends it and tells its client). `false` when no live instance holds it.
    public func revokeAnywhere(sessionID: String) async throws -> Bool {
        if await revoke(sessionID: sessionID) { return true }
        return try await directory.revokeElsewhere(sessionID: sessionID)
    }
}
