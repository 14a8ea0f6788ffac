import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import SessionCore
import StrictJSON

/// One WebSocket connection on `/v1/session` (SPEC §2), on its channel's event loop.
///
/// Requests are answered strictly in order, one at a time: while a start or an end is with the
/// session service, later messages wait here, and once `maxWaiting` wait the channel reads no
/// more (back-pressure through `read`). Reading goes on below that bound because stopping and
/// resuming it costs two `epoll_ctl` calls, and a client that waits for each reply (nearly all
/// of them) would pay them on every start. The session service is the only hop off the event
/// loop; its result comes back with `EventLoop.execute`. A server-initiated `sessionEnded` may come between replies.
/// A bad message gets an error reply and changes nothing else.
final class SessionChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What every connection shares.
    struct Settings: Sendable {
        var sessions: SessionService
        var gate: ShutdownGate
        var maxMessageSize: Int
        /// A connection whose ping is still unanswered when the next one is due is lost.
        var pingInterval: TimeAmount
        /// Where connections get their pings from; set by the server, which knows the loops.
        var pingers: LoopPingers?
        /// How long to wait for the client's close frame after the server sent its own.
        var closeTimeout: TimeAmount
        var logger: Logger
    }

    private enum Message {
        case text(ByteBuffer)
        case binary
    }

    private let settings: Settings
    private let peer: PeerInfo
    private var assembler: MessageAssembler
    private var state = ConnectionState()
    /// Messages read while a request was in progress, oldest first.
    private var waiting = CircularBuffer<Message>()
    private var requestInProgress = false
    /// A `read` held back while `maxWaiting` messages wait.
    private var readHeldBack = false
    /// How many messages may wait behind a request before the channel stops reading (one read
    /// may bring a few more). With the SPEC's 64 KiB messages, at most a few hundred KiB.
    static let maxWaiting = 4
    private var isActive = true
    private var closeSent = false
    private var quiescing = false
    private var pongOutstanding = false
    /// A reply was written and not flushed yet. A start's request is read with nothing to
    /// flush (its reply comes from a Lua worker later), and a flush with nothing pending still
    /// walks the pipeline.
    private var unflushed = false
    private var context: ChannelHandlerContext?
    /// The frame encoder's context: replies are written there already framed (`send`).
    private var frameWriter: ChannelHandlerContext?
    /// The `ref` of the start in progress, for its reply.
    private var startRef: String?
    /// Made at the first start; it keeps this handler alive while a start or a session refers
    /// to it (the reference cycle ends when the channel closes and `handlerRemoved` drops it).
    private var handle: LoopHandle?

    init(settings: Settings, peer: PeerInfo) {
        self.settings = settings
        self.peer = peer
        assembler = MessageAssembler(maxMessageSize: settings.maxMessageSize)
    }

    // MARK: Life cycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Replies go out framed already, past NIO's encoder (see `send`); with no encoder in
        // the pipeline, from here.
        frameWriter = (try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)) ?? context
        settings.pingers?.timer(on: context.eventLoop)?.add(self)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        if let sessionID = state.takeSession() {
            settings.sessions.end(sessionID: sessionID, reason: .connectionClosed)
        }
        context.fireChannelInactive()
    }

    /// Also called when the channel closes (NIO removes every handler then).
    func handlerRemoved(context: ChannelHandlerContext) {
        settings.pingers?.timer(on: context.eventLoop)?.remove(self)
        self.context = nil
        frameWriter = nil
        handle = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // A connection with a session is closed by the shutdown's `server_shutdown` event.
        quiescing = true
        closeIfQuiescentAndIdle()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settings.logger.debug("WebSocket connection failed", metadata: ["remote": "\(peer.remoteAddress)", "error": "\(error)"])
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if waiting.count >= Self.maxWaiting {
            readHeldBack = true
        } else {
            context.read()
        }
    }

    // MARK: Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 §5.1: a server must close the connection on a frame the client did not mask.
        guard frame.maskKey != nil else {
            initiateClose(.protocolError, reason: "Client frames must be masked")
            return
        }
        switch frame.opcode {
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            pongOutstanding = false
        case .connectionClose:
            receivedClose(frame, context: context)
        case .text, .binary, .continuation:
            guard !closeSent else { return }
            if frame.opcode == .text, frame.fin, !requestInProgress, assembler.isIdle,
                frame.data.readableBytes <= settings.maxMessageSize, let maskKey = frame.maskKey
            {
                // Nearly every request: one frame, with nothing before it to wait for. It is
                // unmasked into this loop's scratch and handled at once; `unmaskedData` made a
                // buffer of its own for every message.
                let scratch = LoopScratch.ofThisThread
                scratch.unmask(frame.data, with: maskKey)
                handleText(scratch.message)
                return
            }
            switch assembler.add(opcode: frame.opcode, data: frame.unmaskedData, fin: frame.fin) {
            case .incomplete:
                break
            case .text(let bytes):
                accept(.text(bytes))
            case .binary:
                accept(.binary)
            case .tooLarge:
                initiateClose(.messageTooLarge, reason: "Message over \(settings.maxMessageSize / 1024) KiB")
            case .protocolViolation:
                initiateClose(.protocolError, reason: "Unexpected continuation frame")
            }
        default:
            initiateClose(.protocolError, reason: "Unknown opcode")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context)
        context.fireChannelReadComplete()
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }

    private func accept(_ message: Message) {
        if requestInProgress {
            waiting.append(message)
        } else {
            handle(message)
        }
    }

    // MARK: Requests

    private func handle(_ message: Message) {
        guard case .text(let bytes) = message else {
            send(.failure(
                GatewayError(.invalidRequest, "Binary frames are not accepted; send each request as one JSON text frame"),
                ref: nil))
            return
        }
        handleText(bytes.readableBytesView)
    }

    private func handleText(_ bytes: some Collection<UInt8>) {
        let request: ClientRequest
        switch ClientRequest.parse(bytes, stacks: &LoopScratch.ofThisThread.parseStacks) {
        case .success(let parsed):
            request = parsed
        case .failure(let rejected):
            send(.failure(rejected.error, ref: rejected.ref))
            return
        }
        switch request.operation {
        case .ping:
            send(.pong(ref: request.ref))
        case .endSession:
            endSession(ref: request.ref)
        case .startSession(let username, let authParams):
            startSession(username: username, authParams: authParams, ref: request.ref)
        }
    }

    private func endSession(ref: String?) {
        guard let sessionID = state.takeSession() else {
            send(.failure(GatewayError(.noActiveSession, "This connection has no active session"), ref: ref))
            return
        }
        settings.sessions.end(sessionID: sessionID, reason: .ended)
        send(.sessionEnded(ref: ref))
    }

    private func startSession(username: JSONValue?, authParams: JSONValue?, ref: String?) {
        let sessions = settings.sessions
        if state.sessionID != nil {
            sessions.recordRefusedStart(.sessionActive)
            send(.failure(GatewayError(.sessionActive, "This connection already has an active session"), ref: ref))
            return
        }
        if settings.gate.isDraining {
            sessions.recordRefusedStart(.overloaded)
            send(.failure(GatewayError(.overloaded, "The gateway is shutting down"), ref: ref))
            return
        }
        guard let context else { return }
        state.startInFlight = true
        requestInProgress = true
        let request = StartRequest(
            username: username, authParams: authParams, remoteAddress: peer.remoteAddress,
            userAgent: peer.userAgent, origin: peer.origin
        )
        startRef = ref
        let handle = loopHandle(context)
        // Each closure captures the handle alone, so it needs no context of its own.
        sessions.start(
            request,
            onServerEnd: { sessionID, reason in handle.serverEnded(sessionID: sessionID, reason: reason) },
            completion: { result in handle.startFinished(result) }
        )
    }

    /// Where the session service's answers come back to this connection from any thread: made
    /// once per connection, at its first start.
    private final class LoopHandle: Sendable {
        let handler: NIOLoopBound<SessionChannelHandler>

        init(_ handler: NIOLoopBound<SessionChannelHandler>) {
            self.handler = handler
        }

        /// The result comes back on this loop at once when nothing had to wait (a returning
        /// guest), else from a Lua worker or a store task.
        func startFinished(_ result: Result<ActiveSession, GatewayError>) {
            if handler.eventLoop.inEventLoop {
                handler.value.startFinished(result)
            } else {
                handler.eventLoop.execute { self.handler.value.startFinished(result) }
            }
        }

        func serverEnded(sessionID: String, reason: SessionEndReason) {
            handler.eventLoop.execute { self.handler.value.serverEnded(sessionID: sessionID, reason: reason) }
        }
    }

    private func loopHandle(_ context: ChannelHandlerContext) -> LoopHandle {
        if let handle { return handle }
        let made = LoopHandle(NIOLoopBound(self, eventLoop: context.eventLoop))
        handle = made
        return made
    }

    private func startFinished(_ result: Result<ActiveSession, GatewayError>) {
        let ref = startRef
        startRef = nil
        switch result {
        case .failure(let error):
            state.startInFlight = false
            send(.failure(error, ref: ref))
        case .success(let session):
            guard isActive else {
                // The client left while its start ran: nobody holds this session.
                state.startInFlight = false
                settings.sessions.end(sessionID: session.id, reason: .connectionClosed)
                break
            }
            // The reply goes out before the session is adopted, so that an event ending it
            // can never overtake the reply that announces it.
            send(.sessionStarted(session, ref: ref))
            if let endedBy = state.startReplied(sessionID: session.id) {
                deliverServerEnd(sessionID: session.id, reason: endedBy)
            }
        }
        requestFinished()
    }

    /// Answers what waited behind the finished request, then lets the channel read again.
    private func requestFinished() {
        requestInProgress = false
        while !requestInProgress, let next = waiting.popFirst() {
            handle(next)
        }
        guard let context else { return }
        flushIfNeeded(context)
        if readHeldBack && waiting.count < Self.maxWaiting {
            readHeldBack = false
            context.read()
        }
        guard !requestInProgress else { return }
        closeIfQuiescentAndIdle()
    }

    // MARK: Server-ended sessions

    private func serverEnded(sessionID: String, reason: SessionEndReason) {
        if case .deliver = state.serverEnded(sessionID, reason: reason) {
            deliverServerEnd(sessionID: sessionID, reason: reason)
        }
    }

    /// Sends `sessionEnded`; after `server_shutdown` the connection is closed (SPEC §2).
    private func deliverServerEnd(sessionID: String, reason: SessionEndReason) {
        send(.sessionEndedEvent(sessionID: sessionID, reason: reason), flush: true)
        if reason == .serverShutdown {
            initiateClose(.goingAway, reason: "Server shutting down")
        }
    }

    private func closeIfQuiescentAndIdle() {
        if quiescing, !requestInProgress, !state.startInFlight, state.sessionID == nil {
            initiateClose(.goingAway, reason: "Server shutting down")
        }
    }

    // MARK: Pings and closing

    /// Called at every tick of this loop's ping timer (`LoopPingers`).
    func pingDue() {
        guard let context, !closeSent else { return }
        if pongOutstanding {
            settings.logger.debug("WebSocket connection lost: no pong", metadata: ["remote": "\(peer.remoteAddress)"])
            context.close(promise: nil)
            return
        }
        pongOutstanding = true
        let payload = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: payload)), promise: nil)
    }

    /// Sends the server's close frame, then waits a while for the client's before closing.
    private func initiateClose(_ code: WebSocketErrorCode, reason: String) {
        guard let context, !closeSent else { return }
        closeSent = true
        var payload = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.write(webSocketErrorCode: code)
        payload.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: settings.closeTimeout) { channel.close(promise: nil) }
    }

    /// The client closes: answer with its code (RFC 6455 §5.5.1) unless the server closed first.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard !closeSent else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        var data = frame.unmaskedData
        let code = data.readInteger(as: UInt16.self)
        var payload = context.channel.allocator.buffer(capacity: 2)
        if let code { payload.writeInteger(code) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    private func send(_ message: ServerMessage, flush: Bool = false) {
        guard let context, isActive, !closeSent else { return }
        let scratch = LoopScratch.ofThisThread
        scratch.reply.reset()
        message.write(into: &scratch.reply)
        let framed = TextFrame.make(scratch.reply.bytes, allocator: context.channel.allocator)
        // Past the encoder, already framed (see `TextFrame`): one write per reply.
        frameWriter?.write(NIOAny(framed), promise: nil)
        if flush {
            unflushed = false
            context.flush()
        } else {
            unflushed = true
        }
    }
}
