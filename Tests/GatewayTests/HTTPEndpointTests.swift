import Gateway
import Hummingbird
import StrictJSON
import Testing

/// `/health`, `/metrics`, the demo page and the browser client (SPEC §5).
@Suite struct HTTPEndpointTests {
    @Test func healthCountsFunctionsAndSessions() async throws {
        try await TestGateway.with { gateway async throws in
            let response = try await gateway.http(.get, "/health")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = String(buffer: response.body ?? ByteBuffer())
            #expect(body.hasPrefix(#"{"status":"ok","functions":2,"sessions":0,"instance":""#), "\(body)")
            #expect(try TestGateway.json(response)["instance"] == .string(gateway.sessions.instanceID))
            #expect(try TestGateway.json(response)["version"] == .string(gateway.sessions.authenticator.version))

            let client = try await gateway.connect()
            expectSession(try await client.request(Wire.start(Wire.username())))
            #expect(try TestGateway.json(try await gateway.http(.get, "/health"))["sessions"] == 1)
            #expect(try await client.request(Wire.end())["succeeded"] == true)
            #expect(try TestGateway.json(try await gateway.http(.get, "/health"))["sessions"] == 0)
            await client.close()
        }
    }

    @Test func metricsArePrometheusTextWithPrefixedNames() async throws {
        try await TestGateway.with { gateway async throws in
            let client = try await gateway.connect()
            expectSession(try await client.request(Wire.start(Wire.username())))
            let response = try await gateway.http(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body ?? ByteBuffer())
            #expect(text.contains("sessiongate_connections_active"))
            #expect(text.contains("sessiongate_sessions_active"))
            #expect(text.contains("sessiongate_starts_total"))
            let names = text.split(separator: "\n")
                .filter { !$0.hasPrefix("#") && !$0.isEmpty }
                .map { $0.prefix { $0 != "{" && $0 != " " } }
            #expect(!names.isEmpty)
            #expect(names.allSatisfy { $0.hasPrefix("sessiongate_") }, "\(names)")
            await client.close()
        }
    }

    @Test func browserClientIsServedAsJavaScript() async throws {
        try await TestGateway.with { gateway async throws in
            let response = try await gateway.http(.get, "/sessiongate.js")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect((response.body?.readableBytes ?? 0) > 0)
        }
    }

    @Test func demoPageIsServedUnlessDisabled() async throws {
        try await TestGateway.with { gateway async throws in
            let response = try await gateway.http(.get, "/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
        }
        try await TestGateway.with(configuration: GatewayConfiguration(demoEnabled: false)) { gateway async throws in
            #expect(try await gateway.http(.get, "/").status == .notFound)
            #expect(try await gateway.http(.get, "/sessiongate.js").status == .ok)
        }
    }

    @Test func unknownPathIsNotFound() async throws {
        try await TestGateway.with { gateway async throws in
            #expect(try await gateway.http(.get, "/no/such/page").status == .notFound)
        }
    }
}
