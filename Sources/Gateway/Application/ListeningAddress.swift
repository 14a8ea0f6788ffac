/// Where the server ended up listening, with the real port when `0` was asked for.
public struct ListeningAddress: Sendable, Equatable {
    /// The bound IP address (`127.0.0.1`, `::1`, `0.0.0.0`).
    public var host: String
    /// The bound port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `http://HOST:PORT`, an IPv6 host in brackets: the form of SPEC §1's ready line.
    public var httpURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// `ws://HOST:PORT/v1/session`.
    public var webSocketURL: String {
        "ws" + httpURL.dropFirst("http".count) + "/v1/session"
    }
}
