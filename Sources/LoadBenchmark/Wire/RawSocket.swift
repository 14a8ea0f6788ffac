import Glibc

/// One blocking TCP connection with a reusable read buffer: the bottom layer of the raw
/// transport. Timeouts bound every read, write and the connect, so a stuck gateway ends in a
/// labelled failure instead of a thread blocked for ever. Owned by one thread.
final class RawSocket {
    /// How long one blocked connect, read or write may wait.
    static let timeoutSeconds = 10

    private var fd: Int32
    /// Received bytes; `buffer[start..<end]` are not consumed yet. Grows only for a frame
    /// larger than itself, and is compacted instead of reallocated.
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    private var start = 0
    private var end = 0

    init(connectingTo address: ServerAddress) throws {
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawTransportError.system("socket", errno) }
        var timeout = timeval(tv_sec: RawSocket.timeoutSeconds, tv_usec: 0)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = address.bytes.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        // The deinitializer does not run for a failed initializer: close here.
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw RawTransportError.system("connect", code)
        }
    }

    deinit {
        close()
    }

    /// Closes the descriptor (once; later calls do nothing).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Received bytes not consumed yet.
    var available: Int { end - start }

    /// The unconsumed bytes; offsets below are relative to the first of them.
    func withUnconsumed<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The unconsumed bytes, writable (to unmask a masked frame in place).
    func withUnconsumedMutable<Result>(_ body: (UnsafeMutableBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let (start, end) = (start, end)
        return try buffer.withUnsafeMutableBufferPointer { try body(UnsafeMutableBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Drops the first `count` unconsumed bytes.
    func consume(_ count: Int) {
        start += count
        if start == end { (start, end) = (0, 0) }
    }

    /// Reads until at least `count` bytes are unconsumed; the end of the stream first is
    /// `closedBeforeReply`.
    func require(_ count: Int) throws {
        while available < count {
            guard try fill() else { throw TransportFailure.closedBeforeReply }
        }
    }

    /// One read() into the free end of the buffer (compacting or growing it first if it is
    /// full). Returns false at the end of the stream.
    func fill() throws -> Bool {
        if end == buffer.count {
            if start > 0 {
                let (start, end) = (start, end)
                buffer.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + start, end - start) }
                (self.start, self.end) = (0, end - start)
            } else {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
        }
        while true {
            let (fd, end) = (fd, end)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + end, $0.count - end) }
            if n > 0 {
                self.end += n
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw RawTransportError.system("read", errno)
        }
    }

    /// Writes all of `bytes`, across short writes and interruptions. send() with MSG_NOSIGNAL
    /// rather than write(): a peer that closed must be an error, not a SIGPIPE that ends the tool.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 {
                offset += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                throw RawTransportError.system("write", n < 0 ? errno : EPIPE)
            }
        }
    }
}
