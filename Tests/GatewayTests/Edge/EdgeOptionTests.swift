import NetworkAddresses
import Foundation
@testable import Gateway
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import StrictJSON
import Testing

/// `--allowed-origins`, `--max-connections` and `--trusted-proxies` (SPEC §1) over real sockets.
@Suite struct EdgeOptionTests {
    @Test func anOriginNotListedIsRefusedWith403() async throws {
        let configuration = GatewayConfiguration(allowedOrigins: ["https://app.example.com", "https://admin.example.com/"])
        try await TestGateway.with(configuration: configuration) { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            // (The test WebSocket client always sends an Origin of its own: raw sockets here.)
            let cases: [(origin: String?, status: Int)] = [
                ("https://evil.example.com", 403), ("http://app.example.com", 403), ("https://app.example.com.evil.net", 403),
                ("https://app.example.com", 101), ("https://ADMIN.example.com", 101),
                // No Origin at all: not a browser, allowed.
                (nil, 101),
            ]
            for (origin, status) in cases {
                let socket = try RawSocket(host: host, port: port)
                try socket.send(RawSocket.upgradeRequest(host: host, port: port, headers: origin.map { ["Origin": $0] } ?? [:]))
                let response = try await socket.readHTTPResponse()
                #expect(response.status == status, "origin \(origin ?? "none")")
                if status == 403 {
                    #expect(response.body.contains("origin"))
                } else {
                    try socket.send(RawSocket.textFrame(#"{"op":"ping"}"#))
                    #expect(try await socket.readFrame()?.opcode == 0x1)
                }
            }
            let metrics = String(buffer: try await gateway.http(.get, "/metrics").body ?? ByteBuffer())
            #expect(metricValue(metrics, #"sessiongate_upgrades_refused_total{reason="origin"}"#) ?? 0 >= 3)
        }
    }

    @Test func upgradesBeyondMaxConnectionsAre503AndCounted() async throws {
        try await TestGateway.with(configuration: GatewayConfiguration(maxConnections: 2)) { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let first = try await gateway.connect()
            let second = try await gateway.connect()
            #expect(try await first.request(Wire.ping())["pong"] == true)
            #expect(try await second.request(Wire.ping())["pong"] == true)

            let socket = try RawSocket(host: host, port: port)
            try socket.send(RawSocket.upgradeRequest(host: host, port: port))
            #expect(try await socket.readHTTPResponse().status == 503)
            // Plain HTTP is not a WebSocket connection: still served.
            #expect(try await gateway.http(.get, "/health").status == .ok)
            let metrics = String(buffer: try await gateway.http(.get, "/metrics").body ?? ByteBuffer())
            // Metrics are the process's: other tests run alongside, so at least this one.
            #expect(metricValue(metrics, #"sessiongate_upgrades_refused_total{reason="max_connections"}"#) ?? 0 >= 1)
            #expect(metricValue(metrics, "sessiongate_connections_active") ?? 0 >= 2)

            await first.close()
            // The place is given back once the connection has closed.
            var reconnected: WebSocketTestClient?
            for _ in 0..<50 where reconnected == nil {
                reconnected = try? await gateway.connect()
                if reconnected == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let third = try #require(reconnected)
            #expect(try await third.request(Wire.ping())["pong"] == true)
            await third.close()
            await second.close()
        }
    }

    @Test func aTrustedProxysForwardedAddressIsTheClientsAddress() async throws {
        let trusted = try IPAddressRange.list("127.0.0.1, 10.0.0.0/8")
        try await TestGateway.with(configuration: GatewayConfiguration(trustedProxies: trusted)) { gateway async throws in
            let cases: [(forwarded: String?, expected: String)] = [
                ("203.0.113.7", "203.0.113.7"),
                // Right-most untrusted: the client may put anything on the left.
                ("198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7"),
                ("::ffff:203.0.113.9", "203.0.113.9"),
                ("10.0.0.5", "10.0.0.5"),
                (nil, "127.0.0.1"),
            ]
            for (forwarded, expected) in cases {
                var headers = HTTPFields()
                if let forwarded { headers[.xForwardedFor] = forwarded }
                let client = try await gateway.connect(headers: headers)
                let reply = try await client.request(Wire.start(Wire.username("proxied")))
                expectSession(reply)
                #expect(gateway.sessions.activeSessions.map(\.remoteAddress) == [expected], "X-Forwarded-For: \(forwarded ?? "none")")
                await client.close()
                try await waitUntil { gateway.sessions.activeSessionCount == 0 }
            }
        }
    }

    @Test func forwardedForIsIgnoredFromAnUntrustedPeer() async throws {
        let trusted = try IPAddressRange.list("10.0.0.0/8")
        try await TestGateway.with(configuration: GatewayConfiguration(trustedProxies: trusted)) { gateway async throws in
            let client = try await gateway.connect(headers: [.xForwardedFor: "203.0.113.7"])
            expectSession(try await client.request(Wire.start(Wire.username())))
            #expect(gateway.sessions.activeSessions.map(\.remoteAddress) == ["127.0.0.1"])
            await client.close()
        }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// The value of one series in Prometheus text, `nil` when it is not there.
func metricValue(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// Polls `condition` for up to two seconds.
func waitUntil(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<200 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not met within 2 s", sourceLocation: sourceLocation)
}
