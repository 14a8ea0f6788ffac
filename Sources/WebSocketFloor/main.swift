// The floor under the gateway's WebSocket figures: a server written directly on SwiftNIO's
// WebSocket handlers (NIOHTTP1's upgrade, NIOWebSocket's frame codec, one ChannelHandler, no
// async bridging) that answers every text frame as the gateway answers a `ping`:
// `{"ref":R,"succeeded":true,"pong":true}`. Nothing else: no JSON parser, no sessions, no store,
// no log. Run `LoadBenchmark cycles --auth ping` against it and against `sessiongate serve` to see
// what the server stack, not the session work, costs (BENCHMARKS.md §3).
//
//   WebSocketFloor [PORT]     (default 0: any free port; prints "listening on http://127.0.0.1:PORT")
import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Answers text frames with a pong carrying the request's `ref`, pings with pongs, and a close
/// with a close.
final class PingAnswerer: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let request = frame.unmaskedData
            var reply = context.channel.allocator.buffer(capacity: 64)
            reply.writeStaticString(#"{"ref":""#)
            if let ref = Self.ref(in: request) { reply.writeImmutableBuffer(ref) }
            reply.writeStaticString(#"","succeeded":true,"pong":true}"#)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: reply)), promise: nil)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    /// The value of `"ref":"…"`, found by a scan (the load tool's refs need no escaping).
    static func ref(in buffer: ByteBuffer) -> ByteBuffer? {
        let key = Array(#""ref":""#.utf8)
        return buffer.withUnsafeReadableBytes { bytes -> (Int, Int)? in
            guard bytes.count > key.count else { return nil }
            for start in 0...(bytes.count - key.count) where bytes[start] == key[0] {
                guard (0..<key.count).allSatisfy({ bytes[start + $0] == key[$0] }) else { continue }
                let valueStart = start + key.count
                guard let end = bytes[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return (valueStart, end - valueStart)
            }
            return nil
        }.flatMap { buffer.getSlice(at: buffer.readerIndex + $0.0, length: $0.1) }
    }
}

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 0
let upgrader = NIOWebSocketServerUpgrader(
    maxFrameSize: 1 << 16,
    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
    upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PingAnswerer()) }
    }
)
let server = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
            )
        }
    }
    .bind(host: "127.0.0.1", port: port)
    .wait()
print("listening on http://127.0.0.1:\(server.localAddress?.port ?? 0)")
fflush(nil)  // the line must reach a pipe at once; nil flushes every stream
try server.closeFuture.wait()
