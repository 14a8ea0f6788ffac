import NIOCore
import NIOWebSocket

/// Joins WebSocket frames into messages and enforces the message size limit (SPEC §2:
/// "a message (the payload, fragments joined) over 64 KiB").
///
/// Text stays bytes (the JSON parser validates UTF-8 itself) and binary messages are never buffered.
struct MessageAssembler {
    /// What one frame completes.
    enum Outcome {
        /// The frame started or continued a fragmented message.
        case incomplete
        /// A whole text message, its payload as bytes.
        case text(ByteBuffer)
        /// A whole binary message; its content is not kept.
        case binary
        /// The message grew past the limit.
        case tooLarge
        /// A continuation frame without a message to continue, or a new message inside one.
        case protocolViolation
    }

    private enum Pending {
        case none
        case text(ByteBuffer)
        case binary(size: Int)
    }

    let maxMessageSize: Int
    private var pending: Pending = .none

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// No fragmented message is in progress.
    var isIdle: Bool {
        if case .none = pending { return true }
        return false
    }

    /// - Parameter opcode: `.text`, `.binary` or `.continuation`; control frames never come here.
    mutating func add(opcode: WebSocketOpcode, data: ByteBuffer, fin: Bool) -> Outcome {
        switch (opcode, pending) {
        case (.text, .none):
            guard data.readableBytes <= maxMessageSize else { return .tooLarge }
            if fin { return .text(data) }
            pending = .text(data)
            return .incomplete

        case (.binary, .none):
            guard data.readableBytes <= maxMessageSize else { return .tooLarge }
            if fin { return .binary }
            pending = .binary(size: data.readableBytes)
            return .incomplete

        case (.continuation, .text(var buffer)):
            guard buffer.readableBytes + data.readableBytes <= maxMessageSize else {
                pending = .none
                return .tooLarge
            }
            var data = data
            buffer.writeBuffer(&data)
            if fin {
                pending = .none
                return .text(buffer)
            }
            pending = .text(buffer)
            return .incomplete

        case (.continuation, .binary(let size)):
            let total = size + data.readableBytes
            guard total <= maxMessageSize else {
                pending = .none
                return .tooLarge
            }
            if fin {
                pending = .none
                return .binary
            }
            pending = .binary(size: total)
            return .incomplete

        default:
            pending = .none
            return .protocolViolation
        }
    }
}
