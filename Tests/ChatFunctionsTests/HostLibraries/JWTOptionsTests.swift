import Crypto
import LuaRuntime
import Testing
import _CryptoExtras

/// A `jwt.verify` options table that cannot work raises, even when the token is bad.
@Suite struct JWTOptionsTests {
    static let rsaPEM = TestTokens.rsaKey.publicKey.pemRepresentation

    func raised(_ options: String, token: String = "not.a.token") -> String? {
        LuaHarness.errorMessage {
            try LuaHarness().run("local token, pem = ... return jwt.verify(token, \(options))", [
                .string(LuaString(token)), .string(LuaString(Self.rsaPEM)),
            ])
        }
    }

    @Test(arguments: [
        ("nil", "table expected, got nil"),
        (#"{algorithms = {"HS256"}}"#, "options.key must be a string, got nil"),
        (#"{key = 42, algorithms = {"HS256"}}"#, "options.key must be a string, got number"),
        (#"{key = "", algorithms = {"HS256"}}"#, "options.key is empty"),
        (#"{key = "secret"}"#, "options.algorithms must be a list such as {\"RS256\"}, got nil"),
        (#"{key = "secret", algorithms = "HS256"}"#, "options.algorithms must be a list such as {\"RS256\"}, got string"),
        (#"{key = "secret", algorithms = {}}"#, "options.algorithms must be a non-empty list"),
        (#"{key = "secret", algorithms = {"HS512"}}"#, "options.algorithms: unsupported algorithm 'HS512' (supported: HS256, RS256, ES256)"),
        (#"{key = "secret", algorithms = {"HS256", "none"}}"#, "options.algorithms cannot allow 'none'"),
        (#"{key = "secret", algorithms = {true}}"#, "options.algorithms must hold strings, got a boolean"),
        (#"{key = "secret", algorithms = {"HS256"}, audiance = "chat"}"#, "unknown option 'audiance'"),
        (#"{key = "secret", algorithms = {"HS256"}, [1] = "x"}"#, "unknown option [number key]"),
        (#"{key = "secret", algorithms = {"HS256"}, issuer = 7}"#, "options.issuer must be a string, got number"),
        (#"{key = "secret", algorithms = {"HS256"}, audience = {"a"}}"#, "options.audience must be a string, got table"),
        (#"{key = "secret", algorithms = {"RS256"}}"#, "options.algorithms lists RS256, but options.key is an HMAC secret (HS256 only)"),
        (#"{key = pem, algorithms = {"ES256"}}"#, "options.algorithms lists ES256, but options.key is an RSA public key (RS256 only)"),
        (#"{key = pem, algorithms = {"HS256", "RS256"}}"#, "options.algorithms lists HS256, but options.key is an RSA public key (RS256 only)"),
    ])
    func badOptionsRaise(_ options: String, _ problem: String) {
        let message = raised(options)
        #expect(message?.contains("bad argument #2 to 'jwt.verify' (") == true, "\(message ?? "no error")")
        #expect(message?.contains(problem) == true, "\(message ?? "no error")")
    }

    @Test func privateKeysAreRefusedWithoutEchoingThem() {
        let privatePEM = TestTokens.rsaKey.pemRepresentation
        let message = LuaHarness.errorMessage {
            try LuaHarness().run(#"return jwt.verify("a.b.c", {key = ..., algorithms = {"RS256"}})"#, [.string(LuaString(privatePEM))])
        }
        #expect(message?.contains("options.key is a private key; give jwt.verify the public key or a certificate") == true, "\(message ?? "")")
        let body = privatePEM.split(separator: "\n")[1]
        #expect(message?.contains(body) == false)
    }

    @Test(arguments: [
        ("-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n", "neither P-256 nor RSA of 2048 bits or more"),
        ("-----BEGIN RSA PUBLIC KEY-----\nbm90IGEga2V5\n-----END RSA PUBLIC KEY-----\n", "not a valid RSA public key"),
        ("-----BEGIN CERTIFICATE-----\nbm90IGEga2V5\n-----END CERTIFICATE-----\n", "PEM certificate whose key is neither"),
        ("-----BEGIN SSH2 PUBLIC KEY-----\nbm90IGEga2V5\n-----END SSH2 PUBLIC KEY-----\n", "PEM 'SSH2 PUBLIC KEY' block"),
        ("  \n-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n", "neither P-256 nor RSA"),
    ])
    func unusablePEMKeysRaise(_ pem: String, _ problem: String) {
        let message = LuaHarness.errorMessage {
            try LuaHarness().run(#"return jwt.verify("a.b.c", {key = ..., algorithms = {"RS256"}})"#, [.string(LuaString(pem))])
        }
        #expect(message?.contains(problem) == true, "\(message ?? "no error")")
    }

    @Test func rsaKeysShorterThan2048BitsAreRefused() throws {
        let short = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let message = LuaHarness.errorMessage {
            try LuaHarness().run(#"return jwt.verify("a.b.c", {key = ..., algorithms = {"RS256"}})"#, [
                .string(LuaString(short.publicKey.pemRepresentation))
            ])
        }
        #expect(message?.contains("neither P-256 nor RSA of 2048 bits or more") == true, "\(message ?? "no error")")
    }

    @Test func otherCurvesAreRefused() {
        let p384 = P384.Signing.PrivateKey().publicKey.pemRepresentation
        let message = LuaHarness.errorMessage {
            try LuaHarness().run(#"return jwt.verify("a.b.c", {key = ..., algorithms = {"ES256"}})"#, [.string(LuaString(p384))])
        }
        #expect(message?.contains("neither P-256 nor RSA") == true, "\(message ?? "no error")")
    }

    @Test func aBadTokenWithGoodOptionsDoesNotRaise() throws {
        let results = try LuaHarness().run(#"return pcall(jwt.verify, "not.a.token", {key = "secret", algorithms = {"HS256"}})"#)
        #expect(results.count == 3)
        #expect(results.first == true)
        #expect(results[1] == .nil)
        #expect(results[2].stringValue?.hasPrefix("malformed token: ") == true)
    }
}
