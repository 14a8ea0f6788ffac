/// Where the server ended up listening, with the real port when `0` was asked for.
public struct ListeningAddress: Sendable, Equatable {
    /// The bound IP address (`127.0.0.1`, `::1`, `0.0.0.0`).
    public var host: String
    /// The bound port.
    public var port: Int

    /// Whether the server speaks TLS (`https://`, `wss://`).
    public var secure: Bool

    public init(host: String, port: Int, secure: Bool = false) {
        self.host = host
        self.port = port
        self.secure = secure
    }

    /// `http://HOST:PORT` (`https://` with TLS), an IPv6 host in brackets: the form of SPEC §1's ready line.
    public var httpURL: String {
        let scheme = secure ? "https" : "http"
        return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }

    /// `ws://HOST:PORT/v1/session` (`wss://` with TLS).
    public var webSocketURL: String {
        (secure ? "wss" : "ws") + httpURL.dropFirst(secure ? "https".count : "http".count) + "/v1/session"
    }
}
