import StrictJSON

/// Verifies compact JWS tokens (JWTs) for `jwt.verify`.
///
/// In order, a token must: parse strictly (``CompactJWS``); name in its
/// header an `alg` other than `none` that is in ``algorithms``; carry a valid
/// signature under ``key``; not be expired (`exp`) or not yet valid (`nbf`),
/// with ``leeway`` seconds of tolerance for clock skew either way; have `iss`
/// equal to ``issuer`` when one is set; have `aud` equal to ``audience``, or
/// an array containing it, when one is set. `exp` and `nbf` are optional, but
/// when present they must be numbers. Keys in the header such as `jku`,
/// `x5u` or `jwk` are ignored: the key is always the one the script gave.
public struct JWTVerifier: Sendable {
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    public static let leeway: Double = 60

    /// The key signatures must verify under.
    public var key: JWTVerificationKey
    /// The allowlist of header `alg` values; each one fits ``key``.
    public var algorithms: Set<JWSAlgorithm>
    /// When set, the `iss` the token must carry.
    public var issuer: String?
    /// When set, the value `aud` must be or contain.
    public var audience: String?

    /// A verifier; refuses algorithms the key cannot verify (an HS256 entry
    /// next to a PEM key would be an algorithm-confusion hole).
    public init(key: JWTVerificationKey, algorithms: Set<JWSAlgorithm>, issuer: String? = nil, audience: String? = nil)
        throws(JWTOptionsError)
    {
        guard !algorithms.isEmpty else { throw JWTOptionsError("options.algorithms is empty") }
        for algorithm in JWSAlgorithm.allCases where algorithms.contains(algorithm) && algorithm != key.algorithm {
            throw JWTOptionsError("options.algorithms lists \(algorithm.rawValue), but options.key is \(key.kind) (\(key.algorithm.rawValue) only)")
        }
        self.key = key
        self.algorithms = algorithms
        self.issuer = issuer
        self.audience = audience
    }

    /// The token's claims, or why it is refused. `now` is in seconds since the epoch.
    public func verify(_ token: [UInt8], now: Double) -> Result<JSONObject, JWTRejection> {
        do {
            return .success(try check(token, now: now))
        } catch {
            return .failure(error)
        }
    }

    private func check(_ token: [UInt8], now: Double) throws(JWTRejection) -> JSONObject {
        let jws = try CompactJWS(token)
        guard jws.algorithm.lowercased() != "none" else {
            throw JWTRejection("unsigned tokens (alg 'none') are never accepted")
        }
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm), algorithms.contains(algorithm) else {
            throw JWTRejection("algorithm '\(Self.printable(jws.algorithm))' is not in options.algorithms")
        }
        guard algorithm == key.algorithm, key.isValidSignature(jws.signature, for: jws.signingInput) else {
            throw JWTRejection("invalid signature")
        }
        let claims = jws.claims
        if let expiry = try Self.time(claims, "exp"), now >= expiry + Self.leeway {
            throw JWTRejection("token expired (exp)")
        }
        if let notBefore = try Self.time(claims, "nbf"), now + Self.leeway < notBefore {
            throw JWTRejection("token not valid yet (nbf)")
        }
        if let issuer, claims["iss"] != .string(issuer) {
            throw JWTRejection(claims["iss"] == nil ? "token has no issuer (iss)" : "issuer (iss) does not match")
        }
        if let audience, !Self.audience(claims["aud"], contains: audience) {
            throw JWTRejection(claims["aud"] == nil ? "token has no audience (aud)" : "audience (aud) does not match")
        }
        return claims
    }

    /// A NumericDate claim (RFC 7519 §2), when present.
    private static func time(_ claims: JSONObject, _ name: String) throws(JWTRejection) -> Double? {
        switch claims[name] {
        case nil: return nil
        case .integer(let seconds)?: return Double(seconds)
        case .double(let seconds)?: return seconds
        default: throw JWTRejection("malformed claims: '\(name)' is not a number")
        }
    }

    /// RFC 7519 §4.1.3: `aud` is one string or an array of strings.
    private static func audience(_ claim: JSONValue?, contains audience: String) -> Bool {
        switch claim {
        case .string(let value)?: return value == audience
        case .array(let values)?: return values.contains(.string(audience))
        default: return false
        }
    }

    /// An `alg` value fit for an error message: short and printable.
    private static func printable(_ text: String) -> String {
        let cleaned = text.unicodeScalars.prefix(16).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }
        return String(cleaned) + (text.unicodeScalars.count > 16 ? "…" : "")
    }
}
