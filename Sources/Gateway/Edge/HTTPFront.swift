import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOWebSocket
import StrictJSON

/// The HTTP side of one connection: every request that was not upgraded. Upgrades refused by
/// the edge policy get their status here (403, 503); anything else goes to the Hummingbird routes.
///
/// NIO's upgrade handler looks at a connection's first request only and then leaves the
/// pipeline; RFC 6455 lets a client upgrade any request of a keep-alive connection, so a fresh
/// one is put back before each response ends (the pipelining handler holds the next request
/// until then).
final class HTTPFront: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Request bodies the routes accept (they take none; this only bounds what is buffered).
    static let maxBodySize = 64 * 1024

    /// What it takes to put an upgrade handler back into this connection's pipeline.
    struct UpgradeStage {
        var upgrader: any HTTPServerProtocolUpgrader & Sendable
        var encoder: HTTPResponseEncoder
        var otherHTTPHandlers: [any RemovableChannelHandler]
    }

    private let routes: HTTPRoutes
    private let policy: EdgePolicy
    private let secure: Bool
    private let lastRefusal: NIOLoopBoundBox<EdgePolicy.Refusal?>
    private var stage: UpgradeStage?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    private var responding = false
    private let idleChecks: IdleChecks
    private var context: ChannelHandlerContext?
    /// The last request part read or response sent: the connection is idle from then on.
    private var lastActivity = NIODeadline.now()

    /// Idle HTTP connections are found by one timer per event loop (a timer per connection
    /// cost its scheduling and cancelling on every connection, upgraded ones included).
    typealias IdleChecks = LoopTimers<HTTPFront>

    static func idleChecks(group: any EventLoopGroup, timeout: TimeAmount) -> IdleChecks {
        // A quarter of the timeout between checks: a connection closes between one and one
        // and a quarter timeouts after its last activity.
        LoopTimers(group: group, interval: .nanoseconds(max(timeout.nanoseconds / 4, 1_000_000))) { front in
            front.closeIfIdle(timeout: timeout)
        }
    }

    init(
        routes: HTTPRoutes, policy: EdgePolicy, secure: Bool, lastRefusal: NIOLoopBoundBox<EdgePolicy.Refusal?>,
        idleChecks: IdleChecks
    ) {
        self.routes = routes
        self.policy = policy
        self.secure = secure
        self.lastRefusal = lastRefusal
        self.idleChecks = idleChecks
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lastActivity = .now()
        idleChecks.timer(on: context.eventLoop)?.add(self)
    }

    /// At the upgrade, and when the channel closes (NIO removes every handler then).
    func handlerRemoved(context: ChannelHandlerContext) {
        idleChecks.timer(on: context.eventLoop)?.remove(self)
        self.context = nil
    }

    private func closeIfIdle(timeout: TimeAmount) {
        guard let context, !responding, NIODeadline.now() - lastActivity >= timeout else { return }
        context.close(promise: nil)
    }

    /// Must be set before the connection reads its first request.
    func install(stage: UpgradeStage) {
        self.stage = stage
    }

    /// A new upgrade handler for the next request.
    func makeUpgradeHandler() -> HTTPServerUpgradeHandler? {
        guard let stage else { return nil }
        return HTTPServerUpgradeHandler(
            upgraders: [stage.upgrader],
            httpEncoder: stage.encoder,
            extraHTTPHandlers: stage.otherHTTPHandlers + [self],
            upgradeCompletionHandler: { _ in }
        )
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
            bodyTooLarge = false
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > Self.maxBodySize {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            respond(to: requestHead, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A handshake the WebSocket upgrader rejected arrives here as an error, then as a request.
        if error is NIOWebSocketUpgradeError { return }
        context.fireErrorCaught(error)
    }

    private func respond(to requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = requestHead.isKeepAlive
        if Self.isWebSocketUpgrade(requestHead), EdgeServer.isSessionEndpoint(requestHead.uri) {
            // The HTTP decoder parses nothing after a request that asked for an upgrade, so a
            // refused upgrade ends the connection.
            let refusal = lastRefusal.value ?? policy.refusal(for: requestHead)
            lastRefusal.value = nil
            if let refusal {
                policy.recordRefusal(refusal)
                write(errorResponse(refusal.message, status: refusal.status), keepAlive: false, context: context)
            } else {
                write(errorResponse("Not a valid WebSocket handshake (RFC 6455: GET with Sec-WebSocket-Key and Sec-WebSocket-Version: 13)", status: .badRequest),
                      keepAlive: false, context: context)
            }
            return
        }
        if bodyTooLarge {
            write(errorResponse("Request body too large", status: .payloadTooLarge), keepAlive: false, context: context)
            return
        }
        let request: HTTPRequest
        do {
            request = try HTTPRequest(requestHead, secure: secure, splitCookie: false)
        } catch {
            write(errorResponse("Bad request", status: .badRequest), keepAlive: false, context: context)
            return
        }
        responding = true
        let routes = routes
        let body = body ?? ByteBuffer()
        let channel = context.channel
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        Task {
            let response = await routes.respond(to: request, body: body, channel: channel)
            loopBound.eventLoop.execute {
                let (front, context) = loopBound.value
                front.responding = false
                front.lastActivity = .now()
                var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status.code))
                head.headers = HTTPHeaders(response.headers)
                front.write((head, response.body), keepAlive: keepAlive, context: context)
            }
        }
    }

    private func write(_ response: (HTTPResponseHead, ByteBuffer), keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var (head, body) = response
        head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        head.headers.replaceOrAdd(name: "connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if keepAlive, let upgradeHandler = makeUpgradeHandler() {
            do {
                try context.pipeline.syncOperations.addHandler(upgradeHandler, position: .before(self))
            } catch {
                context.close(promise: nil)
                return
            }
        }
        let ended = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            ended.whenComplete { _ in channel.close(promise: nil) }
        }
        body.clear()
    }

    private func errorResponse(_ message: String, status: HTTPResponseStatus) -> (HTTPResponseHead, ByteBuffer) {
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "content-type", value: "application/json; charset=utf-8")
        return (head, ByteBuffer(bytes: JSONResponse.errorBody(message).encodedBytes()))
    }

    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
    }
}
