/// The signature algorithms `jwt.verify` checks (RFC 7518 §3.1 names).
///
/// `none` is deliberately absent: an unsigned token is never accepted.
public enum JWSAlgorithm: String, Sendable, CaseIterable {
    /// HMAC with SHA-256, keyed by a shared secret.
    case hs256 = "HS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256, verified with an RSA public key.
    case rs256 = "RS256"
    /// ECDSA on P-256 with SHA-256, verified with a P-256 public key.
    case es256 = "ES256"
}
