#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A blocking TCP connection to the gateway for tests that must write bytes no WebSocket client
/// library would send (unmasked frames, several requests on one keep-alive connection).
///
/// Reads block, so they run on a dispatch queue: a test blocked on the cooperative pool's few
/// threads would starve the gateway's own tasks. One test uses a socket at a time.
final class RawSocket: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32
    /// Bytes received and not yet consumed.
    private var received: [UInt8] = []

    init(host: String, port: Int, timeoutSeconds: Int = 5) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "connect() to \(host):\(port) failed")
        }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send() failed") }
            sent += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads more bytes; `false` when the peer closed.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw Failure(description: "recv() timed out or failed") }
        if n == 0 { return false }
        received += chunk[0..<n]
        return true
    }

    /// An HTTP response head and its body (by Content-Length).
    func readHTTPResponse() async throws -> (status: Int, headers: [String: String], body: String) {
        try await offThePool { try self.blockingReadHTTPResponse() }
    }

    /// One server frame (servers never mask): its opcode and payload; `nil` when the peer closed.
    func readFrame() async throws -> (opcode: UInt8, payload: [UInt8])? {
        try await offThePool { try self.blockingReadFrame() }
    }

    private func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await BlockingThread.run(body)
    }

    private func blockingReadHTTPResponse() throws -> (status: Int, headers: [String: String], body: String) {
        let separator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            end = (0..<max(0, received.count - 3)).first { Array(received[$0..<$0 + 4]) == separator }
            if end == nil, try !fill() { throw Failure(description: "closed before a response head") }
        }
        let head = String(decoding: received[0..<end!], as: UTF8.self)
        received.removeFirst(end! + 4)
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while received.count < length {
            if try !fill() { throw Failure(description: "closed inside a body") }
        }
        let body = String(decoding: received[0..<length], as: UTF8.self)
        received.removeFirst(length)
        return (status, headers, body)
    }

    private func blockingReadFrame() throws -> (opcode: UInt8, payload: [UInt8])? {
        func need(_ count: Int) throws -> Bool {
            while received.count < count {
                if try !fill() { return false }
            }
            return true
        }
        guard try need(2) else { return nil }
        var length = Int(received[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard try need(4) else { return nil }
            length = Int(received[2]) << 8 | Int(received[3])
            offset = 4
        }
        guard try need(offset + length) else { return nil }
        let frame = (received[0] & 0x0F, Array(received[offset..<offset + length]))
        received.removeFirst(offset + length)
        return frame
    }

    static func upgradeRequest(host: String, port: Int, headers: [String: String] = [:]) -> String {
        var request = "GET /v1/session HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        return request + "\r\n"
    }

    /// A text frame as a client sends it; `masked: false` breaks RFC 6455 on purpose.
    static func textFrame(_ text: String, masked: Bool = true) -> [UInt8] {
        let payload = Array(text.utf8)
        guard masked else {
            precondition(payload.count < 126)
            return [0x81, UInt8(payload.count)] + payload
        }
        return maskedFrame(opcode: 0x1, payload: payload)
    }

    /// A masked frame of any opcode (text is 0x1, a pong 0xA), as a client sends it.
    static func maskedFrame(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        precondition(payload.count < 126)
        let key: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        return [0x80 | opcode, UInt8(payload.count) | 0x80] + key
            + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }
}
