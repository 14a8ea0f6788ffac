@testable import Gateway
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// Replies are framed by the connection handler itself (past NIO's encoder, so that each goes
/// out as one write). NIO's own decoder must read every length form back as the same text frame.
@Suite struct ReplyFrameTests {
    @Test(arguments: [0, 1, 125, 126, 127, 65_535, 65_536, 200_000])
    func nioReadsTheFrameBack(payloadSize: Int) throws {
        let payload = (0..<payloadSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let framed = TextFrame.make(payload, allocator: ByteBufferAllocator())

        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(framed)
        let frame = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(frame.fin)
        #expect(frame.opcode == .text)
        #expect(frame.maskKey == nil)
        #expect(Array(buffer: frame.data) == payload)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
    }
}
