import Glibc

/// The gateway's socket address (IPv4 or IPv6), resolved once per run with getaddrinfo, so
/// that a new connection per cycle costs a socket and a connect but no lookup.
struct ServerAddress: Sendable {
    let family: Int32
    /// The `sockaddr_in` or `sockaddr_in6` as bytes, ready for connect().
    let bytes: [UInt8]

    /// Resolves `host` (a name, a dotted address, or a bracketed IPv6 address) and `port`.
    static func resolve(host: String, port: Int) throws -> ServerAddress {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw RawTransportError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let raw = UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen))
        return ServerAddress(family: first.pointee.ai_family, bytes: Array(raw))
    }
}
