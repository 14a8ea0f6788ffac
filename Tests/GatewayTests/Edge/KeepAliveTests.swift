import Foundation
@testable import Gateway
import Testing

/// The server's pings (SPEC §2): a client that answers them stays connected, one that does not
/// is closed once a ping is still unanswered when the next is due. Over a raw socket, with a
/// short interval.
@Suite struct KeepAliveTests {
    // Long enough that a pong delayed by a loaded machine (the whole suite on 2 cores) is not
    // taken for a lost connection.
    static let interval = Duration.seconds(1)

    static var configuration: GatewayConfiguration { GatewayConfiguration(pingInterval: interval) }

    static func upgraded(_ gateway: TestGateway) async throws -> RawSocket {
        let socket = try RawSocket(host: gateway.address.host, port: gateway.address.port)
        try socket.send(RawSocket.upgradeRequest(host: gateway.address.host, port: gateway.address.port))
        #expect(try await socket.readHTTPResponse().status == 101)
        return socket
    }

    @Test func aClientThatAnswersEveryPingStaysConnected() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let socket = try await Self.upgraded(gateway)
            var pings = 0
            while pings < 2, let frame = try await socket.readFrame() {
                guard frame.opcode == 0x9 else { continue }
                pings += 1
                try socket.send(RawSocket.maskedFrame(opcode: 0xA, payload: frame.payload))
            }
            #expect(pings == 2, "two pings answered, over about two intervals")
            try socket.send(RawSocket.textFrame(#"{"op":"ping","ref":"alive"}"#))
            var reply: [UInt8]?
            while reply == nil, let frame = try await socket.readFrame() {
                if frame.opcode == 0x9 { try socket.send(RawSocket.maskedFrame(opcode: 0xA, payload: frame.payload)) }
                if frame.opcode == 0x1 { reply = frame.payload }
            }
            let text = reply.map { String(decoding: $0, as: UTF8.self) }
            #expect(text == #"{"ref":"alive","succeeded":true,"pong":true}"#)
        }
    }

    @Test func aClientThatNeverAnswersIsClosedWithinTwoIntervals() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let socket = try await Self.upgraded(gateway)
            let opened = ContinuousClock.now
            var sawPing = false
            while let frame = try await socket.readFrame() {
                if frame.opcode == 0x9 { sawPing = true }
            }
            let closedAfter = ContinuousClock.now - opened
            #expect(sawPing)
            // Two intervals at most, plus room for a loaded machine; far below the socket's
            // 5 s read timeout, which would also end the loop.
            #expect(closedAfter < Self.interval * 2 + .milliseconds(1500))
        }
    }
}

/// Idle HTTP connections (README: closed after the idle timeout without a request), with a
/// short timeout; an upgraded connection is no longer an HTTP connection and stays.
@Suite struct HTTPIdleTests {
    // Requests come 300 ms apart: 1.2 s of room for a loaded machine before one is late.
    static let timeout = Duration.milliseconds(1500)

    static var configuration: GatewayConfiguration { GatewayConfiguration(httpIdleTimeout: timeout) }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheTimeout() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let socket = try RawSocket(host: host, port: port)
            // The server's last activity (its response) comes after this and before `answered`:
            // the close must come at least a timeout after `sent`, and soon after `answered`.
            let sent = ContinuousClock.now
            try socket.send("GET /health HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n")
            #expect(try await socket.readHTTPResponse().status == 200)
            let answered = ContinuousClock.now
            #expect(try await socket.readFrame() == nil, "closed, not answered")
            #expect(ContinuousClock.now - sent >= Self.timeout)
            #expect(ContinuousClock.now - answered < Self.timeout * 2 + .milliseconds(1500))
        }
    }

    @Test func requestsKeepAConnectionOpenAndAnUpgradedOneIsNotHTTPAnyMore() async throws {
        try await TestGateway.with(configuration: Self.configuration) { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let socket = try RawSocket(host: host, port: port)
            for _ in 0..<5 {
                try socket.send("GET /health HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n")
                #expect(try await socket.readHTTPResponse().status == 200)
                try await Task.sleep(for: .milliseconds(300))
            }
            // 1.5 s of requests 300 ms apart: still open. Now upgrade it and idle.
            try socket.send(RawSocket.upgradeRequest(host: host, port: port))
            #expect(try await socket.readHTTPResponse().status == 101)
            try await Task.sleep(for: Self.timeout * 2)
            try socket.send(RawSocket.textFrame(#"{"op":"ping","ref":"idle"}"#))
            let frame = try #require(try await socket.readFrame())
            #expect(String(decoding: frame.payload, as: UTF8.self) == #"{"ref":"idle","succeeded":true,"pong":true}"#)
        }
    }
}
