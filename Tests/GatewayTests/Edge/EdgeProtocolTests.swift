import Foundation
@testable import Gateway
import Hummingbird
import StrictJSON
import Testing

/// RFC 6455 rules of SPEC §2 that the edge enforces, over a raw socket.
@Suite struct EdgeProtocolTests {
    @Test func unmaskedClientFrameClosesWith1002() async throws {
        try await TestGateway.with { gateway async throws in
            let socket = try RawSocket(host: gateway.address.host, port: gateway.address.port)
            try socket.send(RawSocket.upgradeRequest(host: gateway.address.host, port: gateway.address.port))
            #expect(try await socket.readHTTPResponse().status == 101)
            try socket.send(RawSocket.textFrame(#"{"op":"ping","ref":"u"}"#, masked: false))
            let frame = try #require(try await socket.readFrame())
            #expect(frame.opcode == 0x8, "an unmasked frame must be answered with a close frame, not \(frame)")
            #expect(frame.payload.count >= 2 && (Int(frame.payload[0]) << 8 | Int(frame.payload[1])) == 1002)
            // The gateway is fine for everyone else.
            let client = try await gateway.connect()
            #expect(try await client.request(Wire.ping())["pong"] == true)
            await client.close()
        }
    }

    @Test func upgradeIsAcceptedOnTheSecondRequestOfAKeepAliveConnection() async throws {
        try await TestGateway.with { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let socket = try RawSocket(host: host, port: port)
            try socket.send("GET /health HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n")
            let health = try await socket.readHTTPResponse()
            #expect(health.status == 200)
            #expect(health.body.contains(#""status":"ok""#))
            try socket.send("GET /nothing-here HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n")
            #expect(try await socket.readHTTPResponse().status == 404)
            try socket.send(RawSocket.upgradeRequest(host: host, port: port))
            let upgrade = try await socket.readHTTPResponse()
            #expect(upgrade.status == 101)
            #expect(upgrade.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            try socket.send(RawSocket.textFrame(#"{"op":"ping","ref":"k"}"#))
            let reply = try #require(try await socket.readFrame())
            #expect(reply.opcode == 0x1)
            #expect(String(decoding: reply.payload, as: UTF8.self) == #"{"ref":"k","succeeded":true,"pong":true}"#)
        }
    }

    @Test func framesSentRightAfterTheUpgradeRequestAreNotLost() async throws {
        try await TestGateway.with { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let socket = try RawSocket(host: host, port: port)
            try socket.send(Array(RawSocket.upgradeRequest(host: host, port: port).utf8) + RawSocket.textFrame(#"{"op":"ping","ref":"early"}"#))
            #expect(try await socket.readHTTPResponse().status == 101)
            let reply = try #require(try await socket.readFrame())
            #expect(String(decoding: reply.payload, as: UTF8.self) == #"{"ref":"early","succeeded":true,"pong":true}"#)
        }
    }

    @Test func aBrokenHandshakeIsABadRequestThatClosesTheConnection() async throws {
        try await TestGateway.with { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let socket = try RawSocket(host: host, port: port)
            try socket.send("GET /v1/session HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
            let refused = try await socket.readHTTPResponse()
            #expect(refused.status == 400)
            #expect(refused.headers["connection"] == "close")
            #expect(try await socket.readFrame() == nil, "the connection must be closed")
            let next = try RawSocket(host: host, port: port)
            try next.send(RawSocket.upgradeRequest(host: host, port: port))
            #expect(try await next.readHTTPResponse().status == 101)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await TestGateway.with { gateway async throws in
            let (host, port) = (gateway.address.host, gateway.address.port)
            let socket = try RawSocket(host: host, port: port)
            try socket.send(RawSocket.upgradeRequest(host: host, port: port))
            #expect(try await socket.readHTTPResponse().status == 101)
            let username = "pipelined-\(UInt32.random(in: 0...UInt32.max))"
            // A start, then requests that must wait for it, all in one write.
            try socket.send(
                RawSocket.textFrame(#"{"op":"startSession","ref":"1","username":"\#(username)"}"#)
                    + RawSocket.textFrame(#"{"op":"ping","ref":"2"}"#)
                    + RawSocket.textFrame(#"{"op":"endSession","ref":"3"}"#)
                    + RawSocket.textFrame(#"{"op":"endSession","ref":"4"}"#)
            )
            var refs: [String] = []
            var codes: [String] = []
            for _ in 0..<4 {
                let frame = try #require(try await socket.readFrame())
                guard case .object(let reply) = try JSONParser.parse(frame.payload) else { throw RawSocket.Failure(description: "not an object") }
                if case .string(let ref)? = reply["ref"] { refs.append(ref) }
                if case .object(let error)? = reply["error"], case .string(let code)? = error["code"] { codes.append(code) }
            }
            #expect(refs == ["1", "2", "3", "4"])
            #expect(codes == ["no_active_session"])
        }
    }
}
