import Crypto
import LuaRuntime
import Testing
import _CryptoExtras

/// `jwt.verify` on tokens signed here with swift-crypto.
@Suite struct JWTLibraryTests {
    static let now = Int64(LuaHarness.defaultNow)
    static let secret = LuaValue.bytes(TestTokens.secret)
    static let rsaPEM = LuaValue.string(LuaString(TestTokens.rsaKey.publicKey.pemRepresentation))
    static let p256PEM = LuaValue.string(LuaString(TestTokens.p256Key.publicKey.pemRepresentation))

    /// Claims valid for an hour from the tests' clock.
    static func claims(_ extra: String = "") -> String {
        #"{"sub":"alice","iat":\#(now),"exp":\#(now + 3600)\#(extra.isEmpty ? "" : "," + extra)}"#
    }

    /// Runs `jwt.verify(token, options)` in Lua, where `options` may use the local `key`.
    func verify(
        _ token: String, key: LuaValue, options: String = #"{key = key, algorithms = {"HS256"}}"#,
        now: Double = LuaHarness.defaultNow
    ) throws -> [LuaValue] {
        try LuaHarness(now: now).run("local token, key = ... return jwt.verify(token, \(options))", [.string(LuaString(token)), key])
    }

    /// The claim `sub` of a verified token, or the rejection.
    func subject(_ token: String, key: LuaValue, algorithm: String, now: Double = LuaHarness.defaultNow) throws -> [LuaValue] {
        try LuaHarness(now: now).run("""
            local token, key = ...
            local claims, err = jwt.verify(token, {key = key, algorithms = {"\(algorithm)"}})
            if claims then return claims.sub end
            return nil, err
            """, [.string(LuaString(token)), key])
    }

    // MARK: Valid tokens

    @Test func validHS256TokenGivesAllClaimsWithTheirTypes() throws {
        let token = TestTokens.hs256(Self.claims(#""n":42,"f":1.5,"roles":["a","b"],"meta":{"x":null,"ok":true}"#))
        let results = try LuaHarness().run("""
            local claims = jwt.verify(..., {key = "\(String(decoding: TestTokens.secret, as: UTF8.self))", algorithms = {"HS256"}})
            return claims.sub, claims.n, math.type(claims.n), math.type(claims.iat), claims.f, #claims.roles, claims.roles[2],
                   claims.meta.x == json.null, claims.meta.ok, json.encode(claims)
            """, [.string(LuaString(token))])
        #expect(results == [
            "alice", 42, "integer", "integer", 1.5, 2, "b", true, true,
            .string(LuaString(#"{"exp":\#(Self.now + 3600),"f":1.5,"iat":\#(Self.now),"meta":{"ok":true,"x":null},"n":42,"roles":["a","b"],"sub":"alice"}"#)),
        ])
    }

    @Test func validRS256TokenVerifiesWithAnSPKIOrPKCS1PublicKey() throws {
        let token = TestTokens.rs256(Self.claims())
        #expect(try subject(token, key: Self.rsaPEM, algorithm: "RS256") == ["alice"])
        let pkcs1 = LuaValue.string(LuaString(TestTokens.rsaKey.publicKey.pkcs1PEMRepresentation))
        #expect(try subject(token, key: pkcs1, algorithm: "RS256") == ["alice"])
    }

    @Test func validES256TokenVerifies() throws {
        #expect(try subject(TestTokens.es256(Self.claims()), key: Self.p256PEM, algorithm: "ES256") == ["alice"])
    }

    @Test func certificatesServeAsKeys() throws {
        let p256 = try P256.Signing.PrivateKey(pemRepresentation: CertificateFixtures.p256PrivateKey)
        let rsa = try _RSA.Signing.PrivateKey(pemRepresentation: CertificateFixtures.rsaPrivateKey)
        let p256Certificate = LuaValue.string(LuaString(CertificateFixtures.p256Certificate))
        let rsaCertificate = LuaValue.string(LuaString(CertificateFixtures.rsaCertificate))
        #expect(try subject(TestTokens.es256(Self.claims(), key: p256), key: p256Certificate, algorithm: "ES256") == ["alice"])
        #expect(try subject(TestTokens.rs256(Self.claims(), key: rsa), key: rsaCertificate, algorithm: "RS256") == ["alice"])
        #expect(try subject(TestTokens.es256(Self.claims()), key: p256Certificate, algorithm: "ES256") == [nil, "invalid signature"])
    }

    @Test func severalAllowedAlgorithmsAreFineWhenTheKeyFitsThem() throws {
        let results = try verify(TestTokens.rs256(Self.claims()), key: Self.rsaPEM, options: #"{key = key, algorithms = {"RS256", "RS256"}}"#)
        #expect(results.first?.tableValue?["sub"] == "alice")
    }

    // MARK: Signatures

    @Test func wrongKeyIsRefused() throws {
        let otherSecret = LuaValue.bytes(Array("another 32-byte secret for HS256".utf8))
        #expect(try subject(TestTokens.hs256(Self.claims()), key: otherSecret, algorithm: "HS256") == [nil, "invalid signature"])
        let otherRSA = LuaValue.string(LuaString(TestTokens.otherRSAKey.publicKey.pemRepresentation))
        #expect(try subject(TestTokens.rs256(Self.claims()), key: otherRSA, algorithm: "RS256") == [nil, "invalid signature"])
        let otherP256 = LuaValue.string(LuaString(TestTokens.otherP256Key.publicKey.pemRepresentation))
        #expect(try subject(TestTokens.es256(Self.claims()), key: otherP256, algorithm: "ES256") == [nil, "invalid signature"])
    }

    @Test(arguments: ["HS256", "RS256", "ES256"])
    func tamperedPayloadIsRefused(_ algorithm: String) throws {
        let (token, key) = Self.signed(algorithm, Self.claims())
        let parts = token.split(separator: ".").map(String.init)
        let forgedPayload = TestTokens.base64URL(Array(Self.claims(#""admin":true"#).utf8))
        let forged = [parts[0], forgedPayload, parts[2]].joined(separator: ".")
        #expect(try subject(token, key: key, algorithm: algorithm) == ["alice"])
        #expect(try subject(forged, key: key, algorithm: algorithm) == [nil, "invalid signature"])
    }

    @Test func es256SignaturesMustBeRawNotDER() throws {
        let input = TestTokens.signingInput(header: #"{"alg":"ES256"}"#, payload: Self.claims())
        let signature = try TestTokens.p256Key.signature(for: Array(input.utf8))
        let der = input + "." + TestTokens.base64URL(signature.derRepresentation)
        let raw = input + "." + TestTokens.base64URL(signature.rawRepresentation)
        #expect(try subject(raw, key: Self.p256PEM, algorithm: "ES256") == ["alice"])
        #expect(try subject(der, key: Self.p256PEM, algorithm: "ES256") == [nil, "invalid signature"])
    }

    // MARK: Algorithms

    @Test func algorithmOutsideTheAllowlistIsRefused() throws {
        let results = try verify(TestTokens.es256(Self.claims()), key: Self.rsaPEM, options: #"{key = key, algorithms = {"RS256"}}"#)
        #expect(results == [nil, "algorithm 'ES256' is not in options.algorithms"])
        let rs384 = TestTokens.hs256(Self.claims(), header: #"{"alg":"RS384"}"#)
        #expect(try verify(rs384, key: Self.rsaPEM, options: #"{key = key, algorithms = {"RS256"}}"#)
            == [nil, "algorithm 'RS384' is not in options.algorithms"])
    }

    @Test(arguments: ["none", "None", "NONE", "nOnE"])
    func unsignedTokensAreAlwaysRefused(_ alg: String) throws {
        let unsigned = TestTokens.signingInput(header: #"{"alg":"\#(alg)","typ":"JWT"}"#, payload: Self.claims()) + "."
        #expect(try verify(unsigned, key: Self.secret) == [nil, "unsigned tokens (alg 'none') are never accepted"])
        // Even with a signature part made with the secret.
        let signed = TestTokens.hs256(Self.claims(), header: #"{"alg":"\#(alg)"}"#)
        #expect(try verify(signed, key: Self.secret) == [nil, "unsigned tokens (alg 'none') are never accepted"])
    }

    @Test func hs256TokenKeyedWithTheRSAPublicKeyIsRefused() throws {
        // The classic confusion attack: HMAC the token with the public key's PEM text as the secret.
        let pem = TestTokens.rsaKey.publicKey.pemRepresentation
        let forged = TestTokens.hs256(Self.claims(#""admin":true"#), secret: Array(pem.utf8))
        #expect(try verify(forged, key: Self.rsaPEM, options: #"{key = key, algorithms = {"RS256"}}"#)
            == [nil, "algorithm 'HS256' is not in options.algorithms"])
        // Allowing HS256 next to a PEM key is refused outright: a PEM key is never an HMAC secret.
        let error = LuaHarness.errorMessage {
            try verify(forged, key: Self.rsaPEM, options: #"{key = key, algorithms = {"RS256", "HS256"}}"#)
        }
        #expect(error?.contains("options.algorithms lists HS256, but options.key is an RSA public key (RS256 only)") == true, "\(error ?? "")")
    }

    // MARK: Time

    @Test func expiryAllowsSixtySecondsOfSkew() throws {
        let justExpired = TestTokens.hs256(#"{"sub":"alice","exp":\#(Self.now - 59)}"#)
        let expired = TestTokens.hs256(#"{"sub":"alice","exp":\#(Self.now - 61)}"#)
        let fractional = TestTokens.hs256(#"{"sub":"alice","exp":\#(Self.now - 61).5}"#)
        #expect(try subject(justExpired, key: Self.secret, algorithm: "HS256") == ["alice"])
        #expect(try subject(expired, key: Self.secret, algorithm: "HS256") == [nil, "token expired (exp)"])
        #expect(try subject(fractional, key: Self.secret, algorithm: "HS256") == [nil, "token expired (exp)"])
    }

    @Test func notBeforeAllowsSixtySecondsOfSkew() throws {
        let soon = TestTokens.hs256(#"{"sub":"alice","nbf":\#(Self.now + 59)}"#)
        let later = TestTokens.hs256(#"{"sub":"alice","nbf":\#(Self.now + 120)}"#)
        #expect(try subject(soon, key: Self.secret, algorithm: "HS256") == ["alice"])
        #expect(try subject(later, key: Self.secret, algorithm: "HS256") == [nil, "token not valid yet (nbf)"])
    }

    @Test func theClockIsTheOneTheHostGave() throws {
        let token = TestTokens.hs256(#"{"sub":"alice","exp":2000000000}"#)
        #expect(try subject(token, key: Self.secret, algorithm: "HS256", now: 1_999_999_000) == ["alice"])
        #expect(try subject(token, key: Self.secret, algorithm: "HS256", now: 2_000_000_100) == [nil, "token expired (exp)"])
    }

    @Test func timeClaimsMustBeNumbers() throws {
        let token = TestTokens.hs256(#"{"sub":"alice","exp":"tomorrow"}"#)
        #expect(try subject(token, key: Self.secret, algorithm: "HS256") == [nil, "malformed claims: 'exp' is not a number"])
    }

    // MARK: Issuer and audience

    @Test func issuerMustMatchWhenGiven() throws {
        let options = #"{key = key, algorithms = {"HS256"}, issuer = "https://issuer.example"}"#
        let right = TestTokens.hs256(Self.claims(#""iss":"https://issuer.example""#))
        let wrong = TestTokens.hs256(Self.claims(#""iss":"https://evil.example""#))
        let missing = TestTokens.hs256(Self.claims())
        #expect(try verify(right, key: Self.secret, options: options).first?.tableValue?["sub"] == "alice")
        #expect(try verify(wrong, key: Self.secret, options: options) == [nil, "issuer (iss) does not match"])
        #expect(try verify(missing, key: Self.secret, options: options) == [nil, "token has no issuer (iss)"])
        #expect(try verify(wrong, key: Self.secret).first?.tableValue?["iss"] == "https://evil.example")
    }

    @Test func audienceMustMatchOrBeListedWhenGiven() throws {
        let options = #"{key = key, algorithms = {"HS256"}, audience = "chat"}"#
        func check(_ aud: String) throws -> [LuaValue] {
            let token = TestTokens.hs256(Self.claims(aud.isEmpty ? "" : #""aud":\#(aud)"#))
            let results = try verify(token, key: Self.secret, options: options)
            return results.count == 1 ? [results[0].tableValue?["sub"] ?? "no sub"] : results
        }
        #expect(try check(#""chat""#) == ["alice"])
        #expect(try check(#"["mail","chat"]"#) == ["alice"])
        #expect(try check(#""mail""#) == [nil, "audience (aud) does not match"])
        #expect(try check(#"["mail","calendar"]"#) == [nil, "audience (aud) does not match"])
        #expect(try check(#"[]"#) == [nil, "audience (aud) does not match"])
        #expect(try check("") == [nil, "token has no audience (aud)"])
    }

    // MARK: Malformed tokens

    @Test(arguments: [
        ("abc", "expected 3 dot-separated parts, found 1"),
        ("a.b", "expected 3 dot-separated parts, found 2"),
        ("a.b.c.d", "expected 3 dot-separated parts, found 4"),
        (".eyJzdWIiOiJhbGljZSJ9.c2ln", "the header is empty"),
        ("eyJhbGciOiJIUzI1NiJ9..c2ln", "the payload is empty"),
        ("eyJhbGciOiJIUzI1NiJ9=.eyJzdWIiOiJhbGljZSJ9.c2ln", "the header is not valid base64url"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2l+", "the signature is not valid base64url"),
        ("bm90IGpzb24.eyJzdWIiOiJhbGljZSJ9.c2ln", "the header is not valid JSON"),
        ("WyJIUzI1NiJd.eyJzdWIiOiJhbGljZSJ9.c2ln", "the header is not a JSON object"),
        ("e30.eyJzdWIiOiJhbGljZSJ9.c2ln", "the header has no 'alg' string"),
        ("eyJhbGciOiJIUzI1NiJ9.WzFd.c2ln", "the payload is not a JSON object"),
        ("eyJhbGciOiJIUzI1NiIsInR5cCI6MX0.eyJzdWIiOiJhbGljZSJ9.c2ln", "the header's 'typ' is not a string"),
        ("eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl19.eyJzdWIiOiJhbGljZSJ9.c2ln", "critical extensions"),
    ])
    func malformedTokensGiveNilAndAMessage(_ token: String, _ problem: String) throws {
        let results = try verify(token, key: Self.secret)
        #expect(results.count == 2)
        #expect(results.first == .nil)
        let message = try #require(results.last?.stringValue)
        #expect(message.hasPrefix("malformed token: "), "\(message)")
        #expect(message.contains(problem), "\(message)")
    }

    @Test func aTokenThatIsNotAStringGivesNilAndAMessage() throws {
        let results = try LuaHarness().run(#"return jwt.verify(nil, {key = "k", algorithms = {"HS256"}})"#)
        #expect(results == [nil, "token must be a string, got nil"])
    }

    /// A token signed with `algorithm` and the key that verifies it.
    static func signed(_ algorithm: String, _ payload: String) -> (String, LuaValue) {
        switch algorithm {
        case "RS256": return (TestTokens.rs256(payload), rsaPEM)
        case "ES256": return (TestTokens.es256(payload), p256PEM)
        default: return (TestTokens.hs256(payload), secret)
        }
    }
}
