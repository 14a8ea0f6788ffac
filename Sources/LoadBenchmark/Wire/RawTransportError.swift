import Glibc

/// A failure of the raw transport (sockets, upgrade, framing), carrying the label the error
/// counts print. The end of the stream before a reply is `TransportFailure.closedBeforeReply`
/// instead, the label both transports share.
struct RawTransportError: Error, CustomStringConvertible {
    let label: String

    init(_ label: String) {
        self.label = "raw: " + label
    }

    var description: String { label }

    /// A failed system call: a socket timeout reads as one, anything else by its errno text.
    static func system(_ call: String, _ code: Int32) -> RawTransportError {
        if code == EAGAIN || code == EWOULDBLOCK || (call == "connect" && code == EINPROGRESS) {
            return RawTransportError("\(call) timed out after \(RawSocket.timeoutSeconds) s")
        }
        return RawTransportError("\(call): \(String(cString: strerror(code)))")
    }
}
