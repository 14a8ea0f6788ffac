import ChatFunctions
import Foundation
import StrictJSON
import Synchronization

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
///
/// A session's `session_ended` never runs before its `session_started` has finished: runs of
/// the pool overlap (several workers, and runs that wait on `http`), so an end that comes while
/// the start's triggers still run waits for them.
public final class PoolSessionTriggers: SessionTriggers {
    let pool: FunctionPool
    /// Sessions whose `session_started` runs now, with the end that waits for it, if any.
    private let starting = Mutex<[String: JSONObject?]>([:])

    public init(pool: FunctionPool) {
        self.pool = pool
    }

    public func sessionStarted(_ session: ActiveSession, request: StartRequest) {
        guard pool.defines(.sessionStarted) else { return }
        let id = session.id
        starting.withLock { $0[id] = .some(nil) }
        pool.queueTrigger(.sessionStarted, event: Self.startedEvent(session, request: request)) { [self] _ in
            guard case .some(let waitingEnd?) = starting.withLock({ $0.removeValue(forKey: id) }) else { return }
            pool.queueTrigger(.sessionEnded, event: waitingEnd)
        }
    }

    public func sessionEnded(_ session: ActiveSession, reason: SessionEndReason, at endedAt: Date) {
        guard pool.defines(.sessionEnded) else { return }
        let event = Self.endedEvent(session, reason: reason, at: endedAt)
        let deferred = starting.withLock { starting -> Bool in
            guard starting[session.id] != nil else { return false }
            starting[session.id] = .some(event)
            return true
        }
        if !deferred { pool.queueTrigger(.sessionEnded, event: event) }
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
