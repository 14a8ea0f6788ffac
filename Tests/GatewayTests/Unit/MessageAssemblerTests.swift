@testable import Gateway
import NIOCore
import NIOWebSocket
import Testing

/// Joining frames into messages and the 64 KiB limit, without a socket.
@Suite struct MessageAssemblerTests {
    private func outcome(_ assembler: inout MessageAssembler, _ opcode: WebSocketOpcode, _ text: String, fin: Bool) -> String {
        switch assembler.add(opcode: opcode, data: ByteBuffer(string: text), fin: fin) {
        case .incomplete: return "incomplete"
        case .text(let bytes): return "text:" + String(buffer: bytes)
        case .binary: return "binary"
        case .tooLarge: return "tooLarge"
        case .protocolViolation: return "protocolViolation"
        }
    }

    @Test func joinsTextFragments() {
        var assembler = MessageAssembler(maxMessageSize: 100)
        #expect(outcome(&assembler, .text, "ab", fin: false) == "incomplete")
        #expect(outcome(&assembler, .continuation, "cd", fin: false) == "incomplete")
        #expect(outcome(&assembler, .continuation, "ef", fin: true) == "text:abcdef")
        #expect(outcome(&assembler, .text, "next", fin: true) == "text:next")
    }

    @Test func limitAppliesToTheJoinedMessage() {
        var assembler = MessageAssembler(maxMessageSize: 4)
        #expect(outcome(&assembler, .text, "abcd", fin: true) == "text:abcd")
        #expect(outcome(&assembler, .text, "abc", fin: false) == "incomplete")
        #expect(outcome(&assembler, .continuation, "de", fin: true) == "tooLarge")
        #expect(outcome(&assembler, .binary, "abcde", fin: true) == "tooLarge")
    }

    @Test func binaryMessagesAreCountedNotKept() {
        var assembler = MessageAssembler(maxMessageSize: 10)
        #expect(outcome(&assembler, .binary, "ab", fin: false) == "incomplete")
        #expect(outcome(&assembler, .continuation, "cd", fin: true) == "binary")
    }

    @Test func strayContinuationIsAProtocolViolation() {
        var assembler = MessageAssembler(maxMessageSize: 10)
        #expect(outcome(&assembler, .continuation, "x", fin: true) == "protocolViolation")
        #expect(outcome(&assembler, .text, "a", fin: false) == "incomplete")
        #expect(outcome(&assembler, .text, "b", fin: true) == "protocolViolation")
    }
}
