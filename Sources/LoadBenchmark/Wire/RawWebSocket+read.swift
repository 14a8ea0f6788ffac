extension RawWebSocket {
    /// One received frame, whole in the socket's buffer until `size` bytes are consumed.
    struct Frame {
        let opcode: FrameEncoder.Opcode
        let isFinal: Bool
        /// The payload's bytes, relative to the first unconsumed byte.
        let payload: Range<Int>
        /// Header and payload: what to consume once the frame is handled.
        var size: Int { payload.upperBound }
    }

    /// Reads one whole frame (header and payload) into the buffer and unmasks it if the
    /// server masked it (servers must not, but it costs nothing to accept).
    func readFrame() throws -> Frame {
        try socket.require(2)
        let (first, second) = socket.withUnconsumed { ($0[0], $0[1]) }
        guard first & 0x70 == 0 else { throw RawTransportError("frame with reserved bits set (no extension was negotiated)") }
        guard let opcode = FrameEncoder.Opcode(rawValue: first & 0x0F) else {
            throw RawTransportError("frame with unknown opcode \(first & 0x0F)")
        }
        let masked = second & 0x80 != 0
        let shortLength = Int(second & 0x7F)
        let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        let headerSize = 2 + lengthBytes + (masked ? 4 : 0)
        try socket.require(headerSize)
        let length: UInt64 = socket.withUnconsumed { bytes in
            guard lengthBytes > 0 else { return UInt64(shortLength) }
            return (2..<2 + lengthBytes).reduce(0) { ($0 << 8) | UInt64(bytes[$1]) }
        }
        guard length <= UInt64(Self.maxMessageSize) else {
            throw RawTransportError("frame over \(Self.maxMessageSize >> 20) MiB")
        }
        let payload = headerSize..<headerSize + Int(length)
        try socket.require(payload.upperBound)
        if masked {
            socket.withUnconsumedMutable { bytes in
                let key = headerSize - 4
                for index in payload {
                    bytes[index] ^= bytes[key + ((index - payload.lowerBound) & 3)]
                }
            }
        }
        return Frame(opcode: opcode, isFinal: first & 0x80 != 0, payload: payload)
    }

    /// Reads the reply to the upgrade request up to its blank line and requires
    /// `101 Switching Protocols`; bytes after the header stay in the buffer as frames.
    func readUpgradeReply() throws {
        let maxHeaderSize = 16 * 1024
        var searched = 0
        while true {
            let headerEnd: Int? = socket.withUnconsumed { bytes in
                var at = max(0, searched - 3)
                while at + 4 <= bytes.count {
                    if bytes[at] == 0x0D, bytes[at + 1] == 0x0A, bytes[at + 2] == 0x0D, bytes[at + 3] == 0x0A { return at + 4 }
                    at += 1
                }
                return nil
            }
            if let headerEnd {
                let statusLine = socket.withUnconsumed { bytes in
                    String(decoding: bytes.prefix { $0 != 0x0D }, as: UTF8.self)
                }
                let status = statusLine.split(separator: " ", maxSplits: 2)
                guard status.count >= 2, status[0].hasPrefix("HTTP/1."), status[1] == "101" else {
                    throw RawTransportError("upgrade refused: " + (statusLine.count > 80 ? statusLine.prefix(80) + "…" : statusLine))
                }
                socket.consume(headerEnd)
                return
            }
            searched = socket.available
            guard searched < maxHeaderSize else { throw RawTransportError("upgrade reply header over \(maxHeaderSize / 1024) KiB") }
            guard try socket.fill() else { throw RawTransportError("connection closed during the upgrade") }
        }
    }
}
