import Foundation
import HummingbirdWSClient
import Logging
// Re-exported so `import SessionGateClient` alone gives callers the `JSONValue` and
// `JSONObject` that `authParams`, `User.properties` and `Session.json` are made of.
@_exported import StrictJSON

/// A client of a sessiongate gateway: starts, holds and ends one user session over a
/// WebSocket (SPEC §2).
///
/// ```swift
/// let client = SessionGateClient(url: "ws://127.0.0.1:8080/v1/session")
/// let events = client.sessionEndedEvents()
/// switch await client.startSession(username: "jane", authParams: ["password": "s3cret"]) {
/// case .succeeded(let session): print("started", session.id, "as", session.user.displayName)
/// case .failed(let error): print("refused:", error.code, error.message)
/// }
/// // … later
/// try await client.endSession()
/// await client.close()
/// ```
///
/// The connection opens on the first request and is reused; after it is lost the next
/// request opens a new one. Every request carries a `ref` and its reply is matched by
/// it, so calls from several tasks may overlap. While a session is active a second
/// ``startSession(username:authParams:)`` fails with ``SessionGateError/Code/sessionActive``
/// without asking the gateway.
///
/// ``sessionEndedEvents()`` reports sessions ended by the gateway (`server_shutdown`,
/// `revoked`) or by the loss of the connection (`connection_lost`); ending a session
/// with ``endSession()`` or ``close()`` does not produce an event.
public actor SessionGateClient {
    /// The WebSocket URL the client connects to, or `nil` when the URL it was given is
    /// not one it can use (every request then fails with ``SessionGateError/Code/connectionFailed``).
    public nonisolated let webSocketURL: String?
    /// The URL as given.
    public nonisolated let url: String
    /// The client's tuning.
    public nonisolated let configuration: Configuration

    let events = EventBroadcaster()
    var logger: Logger { configuration.logger }

    /// The session this client holds, if any.
    public internal(set) var session: Session?

    // Connection and request state, driven by SessionGateClient+Link.swift.
    var link: LinkState = .idle
    var linkTask: Task<Void, Never>?
    var linkGeneration: UInt64 = 0
    var pending: [String: PendingReply] = [:]
    var lastRef: UInt64 = 0
    var isClosed = false

    /// Makes a client for the gateway at `url`: `ws://HOST:PORT/v1/session`, or
    /// `http://HOST:PORT`, which means the same. Nothing connects until the first request.
    public init(url: String, configuration: Configuration = Configuration()) {
        self.url = url
        self.webSocketURL = Endpoint.webSocketURL(for: url)
        self.configuration = configuration
    }

    /// Makes a client for the gateway at `url`: `ws://HOST:PORT/v1/session` or `http://HOST:PORT`.
    public init(url: URL, configuration: Configuration = Configuration()) {
        self.init(url: url.absoluteString, configuration: configuration)
    }

    deinit {
        linkTask?.cancel()
        events.finish()
    }

    /// A new stream of the `sessionEnded` events from now on. Each call makes an
    /// independent stream; it finishes when the client is closed.
    public nonisolated func sessionEndedEvents() -> AsyncStream<SessionEndedEvent> {
        events.subscribe()
    }

    /// Starts a session for `username`.
    ///
    /// - Parameters:
    ///   - username: the user's name (1 to 256 UTF-8 bytes, no control characters).
    ///   - authParams: what the chat functions need to decide, for example
    ///     `["password": "…"]`. `nil` asks for a guest session, which runs no function;
    ///     an empty object (`[:]`) is an authenticated start. Keys are sent in the
    ///     order given; `1` reaches a chat function as an integer, `1.0` as a float.
    /// - Returns: the session, or the typed reason it was refused.
    public func startSession(username: String, authParams: JSONObject? = nil) async -> StartSessionResult {
        if let session {
            return .failed(SessionGateError(
                code: .sessionActive,
                message: "This client already holds session \(session.id); end it before starting another"
            ))
        }
        var request: JSONObject = ["op": "startSession", "username": .string(username)]
        if let authParams {
            request["authParams"] = .object(authParams)
        }
        let reply: JSONObject
        switch await send(request) {
        case .success(let object): reply = object
        case .failure(let error): return .failed(error)
        }
        // The session itself was recorded when the reply arrived (see `received`), so an
        // event that follows the reply at once cannot be overtaken by this code.
        switch Self.outcome(of: reply) {
        case .failure(let error):
            return .failed(error)
        case .success:
            do {
                return .succeeded(try Session(wire: reply["session"] ?? .null))
            } catch {
                return .failed(error)
            }
        }
    }

    /// Ends the session this client holds.
    ///
    /// Throws ``SessionGateError/Code/noActiveSession`` without asking the gateway when
    /// the client holds none.
    public func endSession() async throws(SessionGateError) {
        guard let ending = session else {
            throw SessionGateError(code: .noActiveSession, message: "This client holds no session")
        }
        let reply: JSONObject
        switch await send(["op": "endSession"]) {
        case .success(let object): reply = object
        case .failure(let error): throw error
        }
        switch Self.outcome(of: reply) {
        case .success:
            if session?.id == ending.id { session = nil }
        case .failure(let error):
            if error.code == .noActiveSession, session?.id == ending.id { session = nil }
            throw error
        }
    }

    /// Asks the gateway for a pong and returns the round-trip time. Opens the
    /// connection if needed, so it also checks that the gateway is reachable.
    @discardableResult
    public func ping() async throws(SessionGateError) -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        let reply: JSONObject
        switch await send(["op": "ping"]) {
        case .success(let object): reply = object
        case .failure(let error): throw error
        }
        if case .failure(let error) = Self.outcome(of: reply) { throw error }
        guard reply["pong"] == .bool(true) else { throw .protocolError("a ping reply without \"pong\":true") }
        return clock.now - started
    }

    /// Closes the connection, which ends any session on the gateway's side, and finishes
    /// every ``sessionEndedEvents()`` stream. The client cannot be used afterwards:
    /// requests fail with ``SessionGateError/Code/connectionFailed``.
    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        session = nil
        await shutDownLink()
        events.finish()
    }

    /// Whether a reply says `"succeeded":true`, or the error it carries.
    static func outcome(of reply: JSONObject) -> Result<Void, SessionGateError> {
        switch reply["succeeded"] {
        case .bool(true)?:
            return .success(())
        case .bool(false)?:
            guard let error = reply["error"].flatMap(SessionGateError.init(wire:)) else {
                return .failure(.protocolError("a failed reply without an error code"))
            }
            return .failure(error)
        default:
            return .failure(.protocolError("a reply without \"succeeded\""))
        }
    }
}
