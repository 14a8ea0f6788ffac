/// The client side of RFC 6455 over a blocking `RawSocket`, only as much as the gateway
/// needs: the HTTP upgrade, masked text frames out, unmasked (or masked) frames in with
/// 7/16/64-bit lengths, pongs for pings, fragments assembled, and the closing handshake.
/// Works like `Exchange`: send a request, read until the reply with the same `ref`.
/// Owned by one thread.
final class RawWebSocket {
    /// Internal rather than private only for the frame reader in `RawWebSocket+read.swift`.
    let socket: RawSocket
    private var encoder: FrameEncoder
    /// A fragmented message being assembled, and its opcode (nil: none in progress).
    private var fragments: [UInt8] = []
    private var fragmentedOpcode: FrameEncoder.Opcode?

    /// The largest frame or assembled message accepted; the gateway's replies are far smaller.
    static let maxMessageSize = 16 << 20

    /// Connects and upgrades; `maskSeed` seeds the masking keys of this connection's frames.
    init(endpoint: RawEndpoint, maskSeed: UInt64) throws {
        socket = try RawSocket(connectingTo: endpoint.address)
        encoder = FrameEncoder(seed: maskSeed)
        try endpoint.upgradeRequest.withUnsafeBytes { try socket.write($0) }
        try readUpgradeReply()
    }

    /// Sends `text` and returns the reply that echoes `ref`.
    func request(_ text: String, ref: String) throws -> ScannedReply {
        var text = text
        try text.withUTF8 { try send(.text, UnsafeRawBufferPointer($0)) }
        return try reply(ref: ref)
    }

    /// Reads until the reply that echoes `ref` (server events with another ref are skipped);
    /// a close frame or the end of the stream first is `closedBeforeReply`.
    func reply(ref: String) throws -> ScannedReply {
        while true {
            let frame = try readFrame()
            defer { socket.consume(frame.size) }
            switch frame.opcode {
            case .text, .binary:
                if frame.isFinal {
                    if frame.opcode == .text, let reply = scan(frame.payload), reply.ref == ref { return reply }
                } else {
                    fragments.removeAll(keepingCapacity: true)
                    try appendFragment(frame.payload)
                    fragmentedOpcode = frame.opcode
                }
            case .continuation:
                guard let opcode = fragmentedOpcode else { throw RawTransportError("continuation frame outside a message") }
                try appendFragment(frame.payload)
                guard frame.isFinal else { continue }
                fragmentedOpcode = nil
                if opcode == .text {
                    let reply = fragments.withUnsafeBufferPointer { ScannedReply(scanning: $0) }
                    if reply.ref == ref { return reply }
                }
            case .ping:
                try socket.withUnconsumed { try send(.pong, UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[frame.payload]))) }
            case .pong:
                continue
            case .close:
                // Answer the close as the protocol asks; the connection is over either way.
                try? send(.close, UnsafeRawBufferPointer(start: nil, count: 0))
                throw TransportFailure.closedBeforeReply
            }
        }
    }

    /// The closing handshake: a close frame (1000, normal closure), then frames are read and
    /// dropped until the server's close frame or the end of the stream; then the descriptor closes.
    func close() throws {
        let normalClosure: [UInt8] = [0x03, 0xE8]
        try normalClosure.withUnsafeBytes { try send(.close, $0) }
        while true {
            let frame: Frame
            do {
                frame = try readFrame()
            } catch TransportFailure.closedBeforeReply {
                break
            }
            socket.consume(frame.size)
            if frame.opcode == .close { break }
        }
        socket.close()
    }

    private func send(_ opcode: FrameEncoder.Opcode, _ payload: UnsafeRawBufferPointer) throws {
        encoder.encode(opcode, payload: payload)
        try encoder.bytes.withUnsafeBytes { try socket.write($0) }
    }

    private func scan(_ payload: Range<Int>) -> ScannedReply? {
        socket.withUnconsumed { ScannedReply(scanning: UnsafeBufferPointer(rebasing: $0[payload])) }
    }

    private func appendFragment(_ payload: Range<Int>) throws {
        guard fragments.count + payload.count <= Self.maxMessageSize else {
            throw RawTransportError("fragmented message over \(Self.maxMessageSize >> 20) MiB")
        }
        socket.withUnconsumed { fragments.append(contentsOf: $0[payload]) }
    }
}
