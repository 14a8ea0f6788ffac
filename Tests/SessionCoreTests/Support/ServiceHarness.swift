import ChatFunctions
import Foundation
import Logging
import StrictJSON
import Synchronization
@testable import SessionCore

/// A `SessionService` on a memory store with the scripted authenticator, a manual clock for the
/// failure limits and recorded metrics.
struct ServiceHarness {
    let store: any UserStore
    let authenticator = ScriptedAuthenticator()
    let clock = ManualClock()
    let metrics = RecordingMetrics()
    let service: SessionService

    init(
        options: SessionOptions = SessionOptions(), store: any UserStore = MemoryUserStore(),
        logger: Logger = quietLogger, directory: any SessionDirectory = LocalSessionDirectory()
    ) {
        self.store = store
        let clock = clock
        service = SessionService(
            store: store, authenticator: authenticator, options: options, logger: logger, metricsFactory: metrics,
            directory: directory, now: { clock.now }
        )
    }

    /// Starts a session with a `username` string (or any JSON value) and optional auth params.
    func start(
        _ username: JSONValue?, authParams: JSONValue? = nil, from remoteAddress: String = "192.0.2.1",
        userAgent: String? = nil, origin: String? = nil, onServerEnd: @escaping ServerEndHandler = { _, _ in }
    ) async -> Result<ActiveSession, GatewayError> {
        await service.start(
            StartRequest(
                username: username, authParams: authParams, remoteAddress: remoteAddress, userAgent: userAgent,
                origin: origin
            ),
            onServerEnd: onServerEnd
        )
    }
}

/// Server-initiated ends a handler saw, in order.
final class EndCalls: Sendable {
    private let calls = Mutex<[(String, SessionEndReason)]>([])

    var all: [(sessionID: String, reason: SessionEndReason)] { calls.withLock { $0 } }

    var handler: ServerEndHandler {
        { id, reason in self.calls.withLock { $0.append((id, reason)) } }
    }
}

extension Result where Failure == GatewayError {
    /// The error code of a failure, `nil` on success.
    var errorCode: ErrorCode? {
        if case .failure(let error) = self { error.code } else { nil }
    }

    var error: GatewayError? {
        if case .failure(let error) = self { error } else { nil }
    }
}

/// Objects nested `levels` deep, the outermost being level 1.
func nestedObject(levels: Int) -> JSONValue {
    var value: JSONValue = .object([:])
    for _ in 1..<levels {
        value = .object(["inner": value])
    }
    return value
}
