/// What every raw connection of a run shares, prepared once: the resolved address and the
/// bytes of the HTTP upgrade request.
struct RawEndpoint: Sendable {
    let address: ServerAddress
    let upgradeRequest: [UInt8]

    /// Any valid base64 of 16 bytes will do (RFC 6455 §4.1): the RFC's own sample nonce.
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    init(options: BenchmarkOptions) throws {
        address = try ServerAddress.resolve(host: options.host, port: options.port)
        upgradeRequest = Array(
            ("GET \(options.path) HTTP/1.1\r\n"
                + "Host: \(options.host):\(options.port)\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: \(Self.key)\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").utf8)
    }
}
