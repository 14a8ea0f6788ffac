import NIOCore

/// The frames the session handler writes itself, past NIO's encoder: NIO's
/// `WebSocketFrameEncoder` puts a frame's header in front of its data only when it owns that
/// buffer alone, which a frame written down the pipeline never is, so every reply went out as
/// two writes (its header, then its data).
enum TextFrame {
    /// A whole text frame as the server sends it (RFC 6455 §5.2): FIN and the text opcode, the
    /// payload's length in 7, 7+16 or 7+64 bits, no mask, then the payload.
    static func make(_ payload: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: payload.count + 10)
        buffer.writeInteger(UInt8(0x81))
        switch payload.count {
        case ..<126:
            buffer.writeInteger(UInt8(payload.count))
        case ...0xFFFF:
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payload.count))
        default:
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeBytes(payload)
        return buffer
    }
}
