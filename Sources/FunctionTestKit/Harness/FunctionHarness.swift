import ChatFunctions
import Foundation
import Logging
import SessionCore
import StrictJSON
import Synchronization

/// Loads a functions folder and runs starts through the real pipeline, for tests written in
/// Swift (XCTest, Swift Testing) — the same machinery as `sessiongate test`'s `authenticate`.
///
/// Each harness has a `FunctionPool` of one worker on the folder and a `SessionService` over an
/// in-memory store, with guests allowed and both failure limits off (so repeated denials in a
/// test never turn into `rate_limited`). Every session that starts is ended at once, so a
/// user's presence never leaks from one start into the next.
///
/// ```swift
/// let harness = try FunctionHarness(folder: "functions")
/// harness.givenSecret("API_KEYS", #"{"k1":"jane"}"#)
/// let outcome = await harness.authenticate(username: "jane", authParams: ["apiKey": "k1"])
/// #expect(outcome.isAllowed)
/// await harness.shutdown()
/// ```
///
/// Module-level state of the functions (a cache table in a function file) lives in the pool's
/// Lua state and persists across ``reset()``, as it would in a running gateway.
public final class FunctionHarness: Sendable {
    private struct Fixtures: Sendable {
        var store: MemoryUserStore
        var service: SessionService
        var secrets: [String: String] = [:]
        var frozenTime: Double?
        /// Sessions `start` began, for `endSession`'s `session_ended` triggers.
        var sessions: [String: ActiveSession] = [:]
    }

    /// The functions folder, as given.
    public let folder: String
    private let pool: FunctionPool
    private let sessionOptions: SessionOptions
    private let serviceLogger: Logger
    private let fixtures: Mutex<Fixtures>
    /// Where the functions' `http` calls go: stubs, never the network.
    public let http = StubHTTPTransport()

    /// Compiles every function of the folder.
    /// - Throws: `FunctionLoadError` with one `FILE:LINE: message` per problem, or for a
    ///   missing folder.
    public init(folder: String, options: FunctionHarnessOptions = FunctionHarnessOptions()) throws(FunctionLoadError) {
        self.folder = folder
        pool = try FunctionPool(
            folder: folder,
            options: FunctionPoolOptions(
                workers: 1, timeout: options.timeout, memoryLimit: options.memoryLimit, secrets: [:],
                logger: options.logger, http: http
            )
        )
        sessionOptions = SessionOptions(
            guestsAllowed: options.guestsAllowed, usernameFailureLimit: nil, addressFailureLimit: nil
        )
        // The pipeline's own info lines (session started/ended) are noise here; its errors
        // (a function failed, with the script's message) are what a test author needs.
        var serviceLogger = options.logger
        serviceLogger.logLevel = max(serviceLogger.logLevel, .error)
        self.serviceLogger = serviceLogger
        fixtures = Mutex(Self.emptyFixtures(pool: pool, options: sessionOptions, logger: serviceLogger))
    }

    private static func emptyFixtures(pool: FunctionPool, options: SessionOptions, logger: Logger) -> Fixtures {
        let store = MemoryUserStore()
        let service = SessionService(store: store, authenticator: pool, options: options, logger: logger)
        return Fixtures(store: store, service: service)
    }

    // MARK: Starting

    /// Starts a session as a client would, then ends it.
    /// - Parameters:
    ///   - authParams: `nil` is a guest start (no functions run), as on the wire; `[:]` runs
    ///     the functions with an empty object.
    public func authenticate(
        username: String, authParams: JSONObject?, remoteAddress: String = "127.0.0.1",
        userAgent: String? = nil, origin: String? = nil
    ) async -> AuthenticationOutcome {
        await start(
            StartRequest(
                username: .string(username), authParams: authParams.map(JSONValue.object),
                remoteAddress: remoteAddress, userAgent: userAgent, origin: origin
            )
        )
    }

    /// Starts a session from wire values (a username or authParams of the wrong type gets the
    /// pipeline's `invalid_username` or `invalid_auth_params`), then ends it.
    public func start(_ request: StartRequest) async -> AuthenticationOutcome {
        await startSession(request).outcome
    }

    /// The same, and the session's id when it started. A start that succeeds runs every
    /// `session_started` trigger before this returns (SPEC §4).
    public func startSession(_ request: StartRequest) async -> (outcome: AuthenticationOutcome, sessionID: String?) {
        let service = fixtures.withLock { $0.service }
        switch await service.start(request, onServerEnd: { _, _ in }) {
        case .success(let session):
            service.end(sessionID: session.id, reason: .ended)
            fixtures.withLock { $0.sessions[session.id] = session }
            await runTrigger(.sessionStarted, event: PoolSessionTriggers.startedEvent(session, request: request))
            return (.allowed(session.user), session.id)
        case .failure(let error):
            return (.denied(code: error.code, message: error.message, reason: error.reason), nil)
        }
    }

    /// Runs the `session_ended` triggers of a session `startSession` began; false when there
    /// is no such session.
    @discardableResult
    public func endSession(_ sessionID: String, reason: SessionEndReason = .ended) async -> Bool {
        guard let session = fixtures.withLock({ $0.sessions.removeValue(forKey: sessionID) }) else { return false }
        await runTrigger(.sessionEnded, event: PoolSessionTriggers.endedEvent(session, reason: reason, at: Date()))
        return true
    }

    /// Runs `trigger` of every file and waits for it; returns each file's outcome.
    @discardableResult
    public func runTrigger(_ trigger: TriggerName, event: JSONObject) async -> [TriggerOutcome] {
        await withCheckedContinuation { continuation in
            pool.queueTrigger(trigger, event: event) { continuation.resume(returning: $0) }
        }
    }

    /// Answers the functions' `http` calls that match `stub` (the latest matching stub wins).
    public func givenHTTP(_ stub: HTTPStub) { http.add(stub) }

    /// The `http` calls the functions made since the last ``reset()``, oldest first.
    public var httpRequests: [ScriptHTTPRequest] { http.requests }

    // MARK: Fixtures

    /// Sets `context.secrets[name]` for later starts; `nil` removes it.
    public func givenSecret(_ name: String, _ value: String?) {
        fixtures.withLock { state in
            state.secrets[name] = value
            pool.setFixtures(secrets: state.secrets, frozenTime: state.frozenTime)
        }
    }

    /// Puts a user in the store as given.
    /// - Throws: `UserStoreError.nameTaken` when the store already has a user of that name.
    @discardableResult
    public func givenUser(_ user: NewUser) async throws -> UserSnapshot {
        let store = fixtures.withLock { $0.store }
        return try await store.insert(user).snapshot(online: false)
    }

    /// Puts a user in the store; a `nil` display name is the name.
    @discardableResult
    public func givenUser(
        name: String, displayName: String? = nil, displayPictureUrl: String? = nil, isGuest: Bool = false,
        properties: JSONObject = JSONObject()
    ) async throws -> UserSnapshot {
        try await givenUser(
            NewUser(
                name: name, displayName: displayName, displayPictureUrl: displayPictureUrl, isGuest: isGuest,
                properties: properties
            )
        )
    }

    /// Freezes `context.now()`, `os.time()` and `os.date()` of the functions at `seconds` since
    /// the epoch; `nil` is the real clock again.
    public func givenNow(_ seconds: Double?) {
        fixtures.withLock { state in
            state.frozenTime = seconds
            pool.setFixtures(secrets: state.secrets, frozenTime: seconds)
        }
    }

    /// The frozen clock `givenNow` set, or `nil` for the real clock.
    public var frozenTime: Double? { fixtures.withLock { $0.frozenTime } }

    /// Back to an empty store, no secrets and the real clock.
    public func reset() {
        let empty = Self.emptyFixtures(pool: pool, options: sessionOptions, logger: serviceLogger)
        fixtures.withLock { state in
            state = empty
            pool.setFixtures(secrets: [:], frozenTime: nil)
        }
        http.reset()
    }

    /// Stops the pool's worker; later starts that run functions are answered `overloaded`.
    public func shutdown() async {
        await pool.shutdown()
    }
}
