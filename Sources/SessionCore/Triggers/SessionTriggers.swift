import ChatFunctions
import Foundation
import StrictJSON

/// Where a session's start and end are announced once they have happened: the functions'
/// `session_started` and `session_ended` triggers (SPEC §3). Announcing never waits.
public protocol SessionTriggers: Sendable {
    func sessionStarted(_ session: ActiveSession, request: StartRequest)
    func sessionEnded(_ session: ActiveSession, reason: SessionEndReason, at endedAt: Date)
    /// Shutdown: waits for what is queued, for at most `limit`.
    func drain(within limit: Duration) async
}

/// The triggers of a function pool: events built as SPEC §3 gives them and queued on the pool,
/// behind authentications; a full queue drops them (the pool logs and counts it).
public struct PoolSessionTriggers: SessionTriggers {
    let pool: FunctionPool

    public init(pool: FunctionPool) {
        self.pool = pool
    }

    public func sessionStarted(_ session: ActiveSession, request: StartRequest) {
        guard pool.defines(.sessionStarted) else { return }
        pool.queueTrigger(.sessionStarted, event: Self.startedEvent(session, request: request))
    }

    public func sessionEnded(_ session: ActiveSession, reason: SessionEndReason, at endedAt: Date) {
        guard pool.defines(.sessionEnded) else { return }
        pool.queueTrigger(.sessionEnded, event: Self.endedEvent(session, reason: reason, at: endedAt))
    }

    public func drain(within limit: Duration) async {
        await pool.drainTriggers(within: limit)
    }

    /// `{sessionId, username, user, guest, remoteAddress, userAgent, origin}`.
    public static func startedEvent(_ session: ActiveSession, request: StartRequest) -> JSONObject {
        var event = JSONObject()
        event["sessionId"] = .string(session.id)
        event["username"] = .string(session.user.name)
        event["user"] = session.user.jsonValue
        event["guest"] = .bool(session.user.isGuest)
        event["remoteAddress"] = .string(request.remoteAddress)
        if let userAgent = request.userAgent { event["userAgent"] = .string(userAgent) }
        if let origin = request.origin { event["origin"] = .string(origin) }
        return event
    }

    /// `{sessionId, username, user, reason, startedAt, endedAt, duration}`.
    public static func endedEvent(_ session: ActiveSession, reason: SessionEndReason, at endedAt: Date) -> JSONObject {
        var event = JSONObject()
        event["sessionId"] = .string(session.id)
        event["username"] = .string(session.user.name)
        var user = session.user
        user.online = false
        event["user"] = user.jsonValue
        event["reason"] = .string(reason.rawValue)
        event["startedAt"] = .string(Timestamp.iso8601(session.startedAt))
        event["endedAt"] = .string(Timestamp.iso8601(endedAt))
        event["duration"] = .double(max(0, endedAt.timeIntervalSince(session.startedAt)))
        return event
    }
}
