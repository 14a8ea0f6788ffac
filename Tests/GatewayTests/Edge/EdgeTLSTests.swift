import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import NIOSSL
import StrictJSON
import Testing

/// `--tls-cert`/`--tls-key`: `wss://` and `https://` with a certificate the test makes and trusts.
@Suite struct EdgeTLSTests {
    @Test func sessionsAndRoutesAreServedOverTLS() async throws {
        let files = try TestCertificate.make()
        defer { try? FileManager.default.removeItem(atPath: files.folder) }
        let credentials = try TLSCredentials(certificatePath: files.certificate, keyPath: files.key)
        try await TestGateway.with(configuration: GatewayConfiguration(tls: credentials)) { gateway async throws in
            #expect(gateway.address.httpURL.hasPrefix("https://127.0.0.1:"))
            #expect(gateway.address.webSocketURL.hasPrefix("wss://127.0.0.1:"))

            // By name: a client may not send an IP address as the TLS server name.
            let url = "wss://localhost:\(gateway.address.port)/v1/session"
            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.certificate))
            let client = try await WebSocketTestClient.connect(to: url, tls: trusting)
            expectSession(try await client.request(Wire.start(Wire.username())))
            await client.close()

            let https = TestClient(host: "localhost", port: gateway.address.port, configuration: .init(tlsConfiguration: trusting, serverName: "localhost"))
            https.connect()
            let health = try await https.get("/health")
            #expect(health.status == .ok)
            try await https.shutdown()

            // A client that does not trust the certificate gets no session.
            await #expect(throws: (any Error).self) {
                let untrusting = try await WebSocketTestClient.connect(
                    to: url, tls: TLSConfiguration.makeClientConfiguration())
                _ = try await untrusting.request(Wire.ping())
            }
        }
    }

    @Test func unreadableFilesAreNamedInTheError() throws {
        let files = try TestCertificate.make()
        defer { try? FileManager.default.removeItem(atPath: files.folder) }
        #expect(throws: TLSCredentials.Unreadable.self) {
            try TLSCredentials(certificatePath: files.folder + "/missing.pem", keyPath: files.key)
        }
        do {
            _ = try TLSCredentials(certificatePath: files.certificate, keyPath: files.certificate)
            Issue.record("a certificate is not a key")
        } catch {
            #expect(error.description.contains(files.certificate))
        }
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command.
enum TestCertificate {
    struct Files {
        var folder: String
        var certificate: String
        var key: String
    }

    static func make() throws -> Files {
        let folder = NSTemporaryDirectory() + "sessiongate-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let files = Files(folder: folder, certificate: folder + "/cert.pem", key: folder + "/key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", files.key, "-out", files.certificate, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RawSocket.Failure(description: "openssl req failed with status \(process.terminationStatus)")
        }
        return files
    }
}
