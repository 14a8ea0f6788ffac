import SessionCore

/// The session bookkeeping of one connection, shared by its read loop and the
/// `ServerEndHandler` the session service may call from any task.
struct ConnectionState: Sendable {
    /// The active session of this connection (at most one, SPEC §2).
    var sessionID: String?
    /// A `startSession` is between the session service and its reply.
    var startInFlight = false
    /// The server ended the session of the start in flight before the client saw its reply;
    /// the read loop delivers the event after the reply, so the two arrive in order.
    var endedDuringStart: (sessionID: String, reason: SessionEndReason)?

    /// What the handler should do when the server ends `sessionID`.
    enum ServerEndAction {
        /// The connection holds that session: tell the client now.
        case deliver
        /// Nothing to do now: the session is another one, already gone, or waits for its reply.
        case none
    }

    mutating func serverEnded(_ id: String, reason: SessionEndReason) -> ServerEndAction {
        if sessionID == id {
            sessionID = nil
            return .deliver
        }
        if startInFlight {
            endedDuringStart = (id, reason)
        }
        return .none
    }

    /// Called once the reply of a successful start is sent: adopts the session unless the
    /// server ended it meanwhile, in which case returns the reason to deliver.
    mutating func startReplied(sessionID id: String) -> SessionEndReason? {
        startInFlight = false
        defer { endedDuringStart = nil }
        if let ended = endedDuringStart, ended.sessionID == id {
            return ended.reason
        }
        sessionID = id
        return nil
    }

    /// Takes the active session away (client `endSession`, connection closed).
    mutating func takeSession() -> String? {
        defer { sessionID = nil }
        return sessionID
    }
}
