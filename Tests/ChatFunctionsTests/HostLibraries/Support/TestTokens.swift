import Crypto
import Foundation
import _CryptoExtras

/// Signs compact JWS tokens with swift-crypto, independently of the code
/// under test (base64url comes from Foundation, not from `Base64Codec`).
enum TestTokens {
    /// One RSA key for the whole run: generating 2048-bit keys is slow.
    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let otherRSAKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let p256Key = P256.Signing.PrivateKey()
    static let otherP256Key = P256.Signing.PrivateKey()
    static let secret = Array("a 32-byte secret for HS256 tests".utf8)

    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `header.payload` with both parts as given (JSON text), unsigned.
    static func signingInput(header: String, payload: String) -> String {
        base64URL(Array(header.utf8)) + "." + base64URL(Array(payload.utf8))
    }

    static func hs256(_ payload: String, secret: [UInt8] = secret, header: String = #"{"alg":"HS256","typ":"JWT"}"#) -> String {
        let input = signingInput(header: header, payload: payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
        return input + "." + base64URL(Array(mac))
    }

    static func rs256(_ payload: String, key: _RSA.Signing.PrivateKey = rsaKey, header: String = #"{"alg":"RS256","typ":"JWT"}"#) -> String {
        let input = signingInput(header: header, payload: payload)
        let signature = try! key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + base64URL(signature.rawRepresentation)
    }

    static func es256(_ payload: String, key: P256.Signing.PrivateKey = p256Key, header: String = #"{"alg":"ES256"}"#) -> String {
        let input = signingInput(header: header, payload: payload)
        let signature = try! key.signature(for: Array(input.utf8))
        return input + "." + base64URL(signature.rawRepresentation)
    }
}
