import NIOCore
import NIOPosix
import NIOWebSocket
import StrictJSON

/// The JSON parser's stacks, the reply writer and the message buffer of one event loop's
/// thread, shared by its connections (a connection parses or writes one message at a time, and
/// a loop runs one connection at a time): kept per connection they would cost every held
/// session their capacity, and made per message they were allocations on every request.
///
/// `@unchecked Sendable`: each thread's value is only ever reached from that thread.
final class LoopScratch: @unchecked Sendable {
    var parseStacks = JSONParseStacks()
    var reply = JSONStreamWriter()
    /// The unmasked payload of the message being handled.
    private(set) var message: [UInt8] = []

    private static let ofThread = ThreadSpecificVariable<LoopScratch>()

    /// The calling thread's scratch, made at its first use.
    static var ofThisThread: LoopScratch {
        if let scratch = ofThread.currentValue { return scratch }
        let scratch = LoopScratch()
        ofThread.currentValue = scratch
        return scratch
    }

    /// Puts `masked`'s payload, unmasked, into `message`.
    func unmask(_ masked: ByteBuffer, with key: WebSocketMaskingKey) {
        message.removeAll(keepingCapacity: true)
        message.append(contentsOf: masked.readableBytesView)
        message.withUnsafeMutableBufferPointer { bytes in
            for index in bytes.indices { bytes[index] ^= key[index & 3] }
        }
    }
}
