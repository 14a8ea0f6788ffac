import Hummingbird
import HummingbirdWebSocket
import Logging
import SessionCore
import StrictJSON
import Synchronization

/// One WebSocket connection on `/v1/session` (SPEC §2).
///
/// Requests are read and answered strictly in order, one at a time; a server-initiated
/// `sessionEnded` event may be written between replies by the session service's handler.
/// A bad message gets an error reply and changes nothing else.
final class SessionConnection: Sendable {
    private let sessions: SessionService
    private let peer: PeerInfo
    private let outbound: WebSocketOutboundWriter
    private let gate: ShutdownGate
    private let maxMessageSize: Int
    private let logger: Logger
    private let state = Mutex(ConnectionState())

    init(
        sessions: SessionService,
        peer: PeerInfo,
        outbound: WebSocketOutboundWriter,
        gate: ShutdownGate,
        maxMessageSize: Int,
        logger: Logger
    ) {
        self.sessions = sessions
        self.peer = peer
        self.outbound = outbound
        self.gate = gate
        self.maxMessageSize = maxMessageSize
        self.logger = logger
    }

    /// Serves the connection until the client closes it, it is lost, or the server closes it;
    /// then ends a session still open with `connection_closed`.
    func run(inbound: WebSocketInboundStream) async {
        var assembler = MessageAssembler(maxMessageSize: maxMessageSize)
        do {
            frames: for try await frame in inbound {
                switch assembler.add(frame) {
                case .incomplete:
                    continue
                case .text(let bytes):
                    await handle(bytes)
                case .binary:
                    await send(ServerMessage.failure(
                        GatewayError(.invalidRequest, "Binary frames are not accepted; send each request as one JSON text frame"),
                        ref: nil))
                case .tooLarge:
                    try await outbound.close(.messageTooLarge, reason: "Message over \(maxMessageSize / 1024) KiB")
                    break frames
                case .protocolViolation:
                    try await outbound.close(.protocolError, reason: "Unexpected continuation frame")
                    break frames
                }
            }
        } catch {
            logger.debug("WebSocket read ended", metadata: ["error": "\(error)"])
        }
        if let sessionID = state.withLock({ $0.takeSession() }) {
            await sessions.end(sessionID: sessionID, reason: .connectionClosed)
        }
    }

    // MARK: Requests

    private func handle(_ bytes: ByteBuffer) async {
        let request: ClientRequest
        switch ClientRequest.parse(bytes.readableBytesView) {
        case .success(let parsed):
            request = parsed
        case .failure(let rejected):
            await send(ServerMessage.failure(rejected.error, ref: rejected.ref))
            return
        }
        switch request.operation {
        case .ping:
            await send(ServerMessage.pong(ref: request.ref))
        case .endSession:
            await endSession(ref: request.ref)
        case .startSession(let username, let authParams):
            await startSession(username: username, authParams: authParams, ref: request.ref)
        }
    }

    private func endSession(ref: String?) async {
        guard let sessionID = state.withLock({ $0.takeSession() }) else {
            await send(ServerMessage.failure(GatewayError(.noActiveSession, "This connection has no active session"), ref: ref))
            return
        }
        await sessions.end(sessionID: sessionID, reason: .ended)
        await send(ServerMessage.sessionEnded(ref: ref))
    }

    private func startSession(username: JSONValue?, authParams: JSONValue?, ref: String?) async {
        let busy = state.withLock { state -> Bool in
            if state.sessionID != nil { return true }
            state.startInFlight = true
            return false
        }
        if busy {
            sessions.recordRefusedStart(.sessionActive)
            await send(ServerMessage.failure(GatewayError(.sessionActive, "This connection already has an active session"), ref: ref))
            return
        }
        if gate.isDraining {
            state.withLock { $0.startInFlight = false }
            sessions.recordRefusedStart(.overloaded)
            await send(ServerMessage.failure(GatewayError(.overloaded, "The gateway is shutting down"), ref: ref))
            return
        }

        let request = StartRequest(
            username: username,
            authParams: authParams,
            remoteAddress: peer.remoteAddress,
            userAgent: peer.userAgent,
            origin: peer.origin
        )
        let result = await sessions.start(request) { [weak self] sessionID, reason in
            await self?.serverEnded(sessionID: sessionID, reason: reason)
        }

        switch result {
        case .failure(let error):
            state.withLock { $0.startInFlight = false }
            await send(ServerMessage.failure(error, ref: ref))
        case .success(let session):
            // The reply goes out before the session is adopted, so that an event ending it
            // can never overtake the reply that announces it.
            await send(ServerMessage.sessionStarted(session, ref: ref))
            // A start the service accepted before its shutdown is among the sessions the
            // shutdown ends; one finishing after it is refused by the service itself.
            if let endedBy = state.withLock({ $0.startReplied(sessionID: session.id) }) {
                await deliverServerEnd(sessionID: session.id, reason: endedBy)
            }
        }
    }

    // MARK: Server-ended sessions

    /// The `ServerEndHandler` of this connection's sessions.
    private func serverEnded(sessionID: String, reason: SessionEndReason) async {
        if case .deliver = state.withLock({ $0.serverEnded(sessionID, reason: reason) }) {
            await deliverServerEnd(sessionID: sessionID, reason: reason)
        }
    }

    /// Sends `sessionEnded`; after `server_shutdown` the connection is closed (SPEC §2).
    private func deliverServerEnd(sessionID: String, reason: SessionEndReason) async {
        await send(ServerMessage.sessionEndedEvent(sessionID: sessionID, reason: reason))
        if reason == .serverShutdown {
            do {
                try await outbound.close(.goingAway, reason: "Server shutting down")
            } catch {
                logger.debug("Closing after shutdown failed", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Writing

    private func send(_ text: String) async {
        do {
            try await outbound.write(.text(text))
        } catch {
            // The connection is gone; the read loop notices and cleans up.
            logger.debug("WebSocket write failed", metadata: ["error": "\(error)"])
        }
    }
}
