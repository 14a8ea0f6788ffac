/// Who is on the other end of a connection, as the start pipeline and scripts see it (SPEC §3 `event`).
struct PeerInfo: Sendable, Equatable {
    /// The client's IP address without the port (behind a trusted proxy, the forwarded one);
    /// an IPv4-mapped IPv6 address is shown as IPv4.
    var remoteAddress: String
    /// The upgrade request's `User-Agent` header.
    var userAgent: String?
    /// The upgrade request's `Origin` header.
    var origin: String?

    init(remoteAddress: String, userAgent: String?, origin: String?) {
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.origin = origin
    }

    /// `::ffff:192.0.2.1` becomes `192.0.2.1`; an unknown address (a Unix socket) becomes `unknown`.
    static func displayAddress(_ ipAddress: String?) -> String {
        guard let ipAddress, !ipAddress.isEmpty else { return "unknown" }
        let lowered = ipAddress.lowercased()
        for prefix in ["::ffff:", "0:0:0:0:0:ffff:"] where lowered.hasPrefix(prefix) {
            let rest = ipAddress.dropFirst(prefix.count)
            if rest.contains(".") { return String(rest) }
        }
        return ipAddress
    }
}
