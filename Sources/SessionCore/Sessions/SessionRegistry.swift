import Synchronization

/// The active sessions of this process, and which users are online.
final class SessionRegistry: Sendable {
    struct Entry: Sendable {
        var session: ActiveSession
        var onServerEnd: ServerEndHandler
    }

    private struct State {
        var entries: [SessionKey: Entry] = [:]
        /// Active sessions per user id; a user is online while it has at least one.
        var sessionCountByUser: [Int64: Int] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())
    private let metrics: SessionMetrics

    init(metrics: SessionMetrics) {
        self.metrics = metrics
    }

    /// Registers a started session; `false` once `closeAndRemoveAll` ran (the server is shutting down).
    func add(_ session: ActiveSession, onServerEnd: @escaping ServerEndHandler) -> Bool {
        state.withLock { state in
            guard !state.isClosed else { return false }
            state.entries[SessionKey(session.id)] = Entry(session: session, onServerEnd: onServerEnd)
            state.sessionCountByUser[session.user.id, default: 0] += 1
            metrics.recordActive(state.entries.count)
            return true
        }
    }

    /// Unregisters a session; `nil` when it is not (or no longer) active.
    func remove(_ sessionID: String) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: SessionKey(sessionID)) else { return nil }
            let userID = entry.session.user.id
            let remaining = (state.sessionCountByUser[userID] ?? 1) - 1
            state.sessionCountByUser[userID] = remaining > 0 ? remaining : nil
            metrics.recordActive(state.entries.count)
            return entry
        }
    }

    /// Unregisters every session and refuses new ones from now on.
    func closeAndRemoveAll() -> [Entry] {
        state.withLock { state in
            state.isClosed = true
            let entries = Array(state.entries.values)
            state.entries = [:]
            state.sessionCountByUser = [:]
            metrics.recordActive(0)
            return entries
        }
    }

    func isOnline(userID: Int64) -> Bool {
        state.withLock { $0.sessionCountByUser[userID] != nil }
    }

    /// The active sessions, oldest first.
    var sessions: [ActiveSession] {
        state.withLock { state in state.entries.values.map(\.session) }
            .sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    var count: Int {
        state.withLock { $0.entries.count }
    }
}
