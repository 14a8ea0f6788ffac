import Crypto
import JWTKit
import _CryptoExtras

/// The key `jwt.verify` checks signatures with, read from `options.key`.
///
/// The key's kind fixes the one algorithm it verifies: a PEM public key or
/// certificate is never used as an HMAC secret, whatever a token's header
/// says, which is what makes the RS256 → HS256 "algorithm confusion" attack
/// impossible even when a script allows both algorithms.
public enum JWTVerificationKey: Sendable {
    /// An HS256 shared secret: the bytes of the string, used as they are.
    case secret([UInt8])
    /// An RS256 public key (2048 bits or more).
    case rsa(_RSA.Signing.PublicKey)
    /// An ES256 public key.
    case p256(P256.Signing.PublicKey)

    /// The algorithm this key verifies.
    public var algorithm: JWSAlgorithm {
        switch self {
        case .secret: return .hs256
        case .rsa: return .rs256
        case .p256: return .es256
        }
    }

    /// How options errors name the key.
    var kind: String {
        switch self {
        case .secret: return "an HMAC secret"
        case .rsa: return "an RSA public key"
        case .p256: return "a P-256 public key"
        }
    }

    /// Reads `options.key`: a PEM block (`PUBLIC KEY`, `RSA PUBLIC KEY` or
    /// `CERTIFICATE`, whose subject key is used; the certificate itself is
    /// not validated) is an RSA or P-256 key; any other string is an HMAC
    /// secret. RFC 7518 §3.2 asks for HS256 secrets of 32 bytes or more;
    /// shorter ones are accepted so that existing deployments keep working.
    public init(_ bytes: [UInt8]) throws(JWTOptionsError) {
        guard !bytes.isEmpty else { throw JWTOptionsError("options.key is empty") }
        guard let label = Self.pemLabel(bytes) else {
            self = .secret(bytes)
            return
        }
        let pem = String(decoding: bytes, as: UTF8.self)
        switch label {
        case "PUBLIC KEY":
            if let key = try? P256.Signing.PublicKey(pemRepresentation: pem) {
                self = .p256(key)
            } else if let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) {
                self = .rsa(key)
            } else {
                throw JWTOptionsError("options.key is a PEM public key that is neither P-256 nor RSA of 2048 bits or more")
            }
        case "RSA PUBLIC KEY":
            guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) else {
                throw JWTOptionsError("options.key is not a valid RSA public key of 2048 bits or more")
            }
            self = .rsa(key)
        case "CERTIFICATE":
            self = try Self.certificateKey(pem)
        case let other where other.hasSuffix("PRIVATE KEY"):
            throw JWTOptionsError("options.key is a private key; give jwt.verify the public key or a certificate")
        default:
            throw JWTOptionsError("options.key is a PEM '\(label)' block; expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE")
        }
    }

    /// Whether `signature` signs `input` under this key, with the key's algorithm.
    func isValidSignature(_ signature: [UInt8], for input: [UInt8]) -> Bool {
        switch self {
        case .secret(let secret):
            // Compares in constant time.
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: SymmetricKey(data: secret))
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5
            )
        case .p256(let key):
            // JWS carries r ‖ s (64 bytes), not DER (RFC 7518 §3.4).
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: SHA256.hash(data: input))
        }
    }

    /// The subject public key of a PEM certificate, through jwt-kit's X.509 support.
    private static func certificateKey(_ pem: String) throws(JWTOptionsError) -> JWTVerificationKey {
        if let certificate = try? JWTKit.Insecure.RSA.PublicKey(certificatePEM: pem),
           let key = try? _RSA.Signing.PublicKey(pemRepresentation: certificate.pemRepresentation) {
            return .rsa(key)
        }
        if let certificate = try? ES256PublicKey(certificate: pem),
           let key = try? P256.Signing.PublicKey(pemRepresentation: certificate.pemRepresentation) {
            return .p256(key)
        }
        throw JWTOptionsError("options.key is a PEM certificate whose key is neither P-256 nor RSA of 2048 bits or more")
    }

    /// `X` of a leading `-----BEGIN X-----` line (after optional whitespace); nil when the bytes are not PEM.
    private static func pemLabel(_ bytes: [UInt8]) -> String? {
        let text = bytes.drop(while: { $0 == 0x20 || (0x09...0x0D).contains($0) })
        let begin = Array("-----BEGIN ".utf8)
        guard text.starts(with: begin) else { return nil }
        let rest = text.dropFirst(begin.count).prefix(64)
        let end = rest.firstIndex(of: UInt8(ascii: "-")) ?? rest.endIndex
        return String(decoding: rest[..<end], as: UTF8.self)
    }
}
