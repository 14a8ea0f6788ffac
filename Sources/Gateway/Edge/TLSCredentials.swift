import NIOSSL

/// The certificate chain and key of `--tls-cert` and `--tls-key`, read once at start-up.
public struct TLSCredentials: Sendable {
    let context: NIOSSLContext

    public struct Unreadable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads PEM files; the error names the file and what is wrong with it.
    public init(certificatePath: String, keyPath: String) throws(Unreadable) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Unreadable(description: "\(certificatePath): not a readable PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw Unreadable(description: "\(certificatePath): no certificate in the file") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Unreadable(description: "\(keyPath): not a readable PEM private key (\(error))")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw Unreadable(description: "\(certificatePath), \(keyPath): the certificate and key do not make a TLS context (\(error))")
        }
    }
}
