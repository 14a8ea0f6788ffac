import ChatFunctions
import Foundation
import Logging
import Metrics
import StrictJSON

/// Starts, ends and lists sessions: the start pipeline of SPEC §2 after the transport's own checks,
/// the failure limits, the active-session registry and the session history.
public final class SessionService: Sendable {
    /// Runs the chat functions of authenticated starts (also read for `/health`).
    public let authenticator: any Authenticator
    let store: any UserStore
    let options: SessionOptions
    let logger: Logger
    let registry: SessionRegistry
    let metrics: SessionMetrics
    let usernameLimiter: (any FailureLimiting)?
    let addressLimiter: (any FailureLimiting)?
    /// The other instances that share the store, if any (SPEC §6).
    public let directory: any SessionDirectory
    /// Where starts and ends are announced (the functions' triggers), if anywhere.
    let triggers: (any SessionTriggers)?
    /// The longest shutdown waits for queued triggers (SPEC §3).
    public static let triggerDrainLimit: Duration = .seconds(10)

    /// Metrics go to the bootstrapped metrics system: bootstrap it before making the service.
    /// `directory` defaults to one of a gateway that shares its store with nobody.
    public convenience init(
        store: any UserStore, authenticator: any Authenticator, options: SessionOptions, logger: Logger,
        directory: any SessionDirectory = LocalSessionDirectory(), triggers: (any SessionTriggers)? = nil
    ) {
        self.init(
            store: store, authenticator: authenticator, options: options, logger: logger, metricsFactory: nil,
            directory: directory, triggers: triggers
        )
    }

    /// - Parameters:
    ///   - metricsFactory: where metrics go; `nil` is the bootstrapped metrics system.
    ///   - now: the clock of the failure limits.
    init(
        store: any UserStore, authenticator: any Authenticator, options: SessionOptions, logger: Logger,
        metricsFactory: (any MetricsFactory)?,
        directory: any SessionDirectory = LocalSessionDirectory(),
        triggers: (any SessionTriggers)? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.triggers = triggers
        self.store = store
        self.authenticator = authenticator
        self.options = options
        self.logger = logger
        metrics = SessionMetrics(factory: metricsFactory)
        registry = SessionRegistry(metrics: metrics)
        self.directory = directory
        usernameLimiter = options.usernameFailureLimit.map { directory.makeFailureLimiter($0, scope: "username", now: now) }
        addressLimiter = options.addressFailureLimit.map { directory.makeFailureLimiter($0, scope: "address", now: now) }
        metrics.recordActive(0)
        directory.attach(self)
    }

    /// Everything of a start after the transport's own checks (invalid_request, session_active):
    /// invalid_username, invalid_auth_params, rate_limited, guest_sessions_disabled,
    /// authentication_required, then the functions' verdict — in that order (SPEC §2).
    /// On success the user is committed to the store before this returns.
    ///
    /// A store that fails answers `overloaded` (the client may retry); the log has the cause.
    public func start(_ request: StartRequest, onServerEnd: @escaping ServerEndHandler) async -> Result<ActiveSession, GatewayError> {
        await withCheckedContinuation { continuation in
            start(request, onServerEnd: onServerEnd) { continuation.resume(returning: $0) }
        }
    }

    /// The same, answering `completion` exactly once, on whatever thread the last step ran:
    /// the caller's when nothing had to wait, a Lua worker's after the functions, a task's
    /// after a store write. The caller hops back to where it wants the result.
    public func start(
        _ request: StartRequest, onServerEnd: @escaping ServerEndHandler,
        completion: @escaping @Sendable (Result<ActiveSession, GatewayError>) -> Void
    ) {
        let began = ContinuousClock.now
        decide(request, onServerEnd: onServerEnd) { outcome in
            self.account(for: outcome, of: request, began: began)
            completion(outcome)
            // After the reply, never before it: a trigger cannot delay or change it.
            if case .success(let session) = outcome { self.triggers?.sessionStarted(session, request: request) }
        }
    }

    /// Metrics, failure limits and the log line of a finished start. The start's duration is
    /// read inside the log line's metadata, which is built only when info lines are logged.
    private func account(for outcome: Result<ActiveSession, GatewayError>, of request: StartRequest, began: ContinuousClock.Instant) {
        switch outcome {
        case .success(let session):
            metrics.recordStart(code: SessionMetrics.okCode)
            logger.info(
                "session started",
                metadata: [
                    "username": "\(session.user.name)", "code": "\(SessionMetrics.okCode)",
                    "session_id": "\(session.id)", "user_id": "\(session.user.id)",
                    "remote_address": "\(request.remoteAddress)", "duration_ms": "\(Self.milliseconds(ContinuousClock.now - began))",
                ]
            )
        case .failure(let error):
            metrics.recordStart(code: error.code.rawValue)
            if error.code.countsAsFailedStart, case .string(let username)? = request.username {
                usernameLimiter?.recordFailure(for: username)
                addressLimiter?.recordFailure(for: request.remoteAddress)
            }
            logger.info(
                "session start refused",
                metadata: [
                    "username": "\(Self.loggable(request.username))", "code": "\(error.code.rawValue)",
                    "remote_address": "\(request.remoteAddress)", "duration_ms": "\(Self.milliseconds(ContinuousClock.now - began))",
                ]
            )
        }
    }

    /// The client ended it, or the connection closed/was lost. Does not call the handler.
    /// Unknown or already-ended sessions are ignored. Never waits: the history is queued.
    public func end(sessionID: String, reason: SessionEndReason) {
        guard let entry = registry.remove(sessionID) else { return }
        recordEnd(of: entry.session, reason: reason)
    }

    /// Admin revoke: removes the session, records it, calls its handler with .revoked. false if unknown.
    public func revoke(sessionID: String) async -> Bool {
        guard let entry = registry.remove(sessionID) else { return false }
        await entry.onServerEnd(sessionID, .revoked)
        recordEnd(of: entry.session, reason: .revoked)
        return true
    }

    /// Ends every session with .serverShutdown (calling handlers), records them, flushes/closes the store.
    /// Starts that finish afterwards are refused with `overloaded`.
    public func shutdown() async {
        let entries = registry.closeAndRemoveAll()
        logger.info("ending every session for shutdown", metadata: ["sessions": "\(entries.count)"])
        await withTaskGroup(of: Void.self) { group in
            for entry in entries {
                group.addTask {
                    await entry.onServerEnd(entry.session.id, .serverShutdown)
                    self.recordEnd(of: entry.session, reason: .serverShutdown)
                }
            }
        }
        if let triggers {
            // The session_ended of every session just ended is among them.
            await triggers.drain(within: Self.triggerDrainLimit)
        }
        do {
            try await store.close()
        } catch {
            logger.error("closing the user store failed", metadata: ["error": "\(error)"])
        }
    }

    /// The active sessions, oldest first; every user in them is online.
    public var activeSessions: [ActiveSession] { registry.sessions }

    /// How many sessions are active.
    public var activeSessionCount: Int { registry.count }

    /// Counts a start the transport refused itself (`invalid_request`, `session_active`) in
    /// `sessiongate_starts_total`, so the metric covers every `startSession`.
    public func recordRefusedStart(_ code: ErrorCode) {
        metrics.recordStart(code: code.rawValue)
    }

    private func recordEnd(of session: ActiveSession, reason: SessionEndReason) {
        triggers?.sessionEnded(session, reason: reason, at: Date())
        logger.info(
            "session ended",
            metadata: ["username": "\(session.user.name)", "session_id": "\(session.id)", "reason": "\(reason.rawValue)"]
        )
        do {
            try store.recordSessionEnd(id: session.id, at: Date(), reason: reason)
        } catch {
            logger.error(
                "recording a session end failed",
                metadata: ["session_id": "\(session.id)", "error": "\(error)"]
            )
        }
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.utf8.count))\(fraction)"
    }

    /// A username for the log even when it is not a valid one: JSON-encoded and cut short.
    private static func loggable(_ username: JSONValue?) -> String {
        switch username {
        case .string(let name)? where StartValidation.username(username).isSuccess: name
        case let value?: String(value.encoded().prefix(80))
        case nil: "<missing>"
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}
