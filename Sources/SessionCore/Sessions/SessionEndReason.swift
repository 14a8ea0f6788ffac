/// Why a session ended; the raw value is what the history records and `sessionEnded` events carry.
public enum SessionEndReason: String, Sendable {
    /// The client sent `endSession`.
    case ended = "ended"
    /// The connection closed or was lost.
    case connectionClosed = "connection_closed"
    /// The admin API revoked it.
    case revoked = "revoked"
    /// The gateway is shutting down.
    case serverShutdown = "server_shutdown"
    /// Its instance died; another instance noticed the lapsed lease (SPEC §6).
    case instanceLost = "instance_lost"
}

/// Called when the *server* ends a session (revoked, server_shutdown) so the connection can send
/// `{"event":"sessionEnded","sessionId":…,"reason":…}` (and close after server_shutdown).
public typealias ServerEndHandler = @Sendable (_ sessionID: String, _ reason: SessionEndReason) async -> Void
