import LuaRuntime
import Testing

/// RFC 7515 Appendix A.1: the HS256 example JWS and its JWK key.
@Suite struct JWTVectorTests {
    static let token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    /// The JWK's `k`: the HMAC key, base64url.
    static let k = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
    /// The example's `exp`: 2011-03-22T18:43:00Z.
    static let exp: Double = 1_300_819_380

    func verify(_ token: String, k: String = k, now: Double) throws -> [LuaValue] {
        try LuaHarness(now: now).run("""
            local token, k = ...
            local claims, err = jwt.verify(token, {key = base64.urldecode(k), algorithms = {"HS256"}, issuer = "joe"})
            if not claims then return nil, err end
            return claims.iss, claims.exp, math.type(claims.exp), claims["http://example.com/is_root"]
            """, [.string(LuaString(token)), .string(LuaString(k))])
    }

    @Test func theExampleVerifiesWhileItWasValid() throws {
        #expect(try verify(Self.token, now: Self.exp - 10) == ["joe", 1_300_819_380, "integer", true])
    }

    @Test func theExampleHasExpiredSince2011() throws {
        // The signature checks out (verify gets as far as the claims); only `exp` refuses it.
        #expect(try verify(Self.token, now: LuaHarness.defaultNow) == [nil, "token expired (exp)"])
        #expect(try verify(Self.token, now: Self.exp + 61) == [nil, "token expired (exp)"])
    }

    @Test func theExampleWithAnotherSignatureIsRefused() throws {
        let parts = Self.token.split(separator: ".")
        let forged = "\(parts[0]).\(parts[1]).e" + parts[2].dropFirst()
        #expect(try verify(forged, now: Self.exp - 10) == [nil, "invalid signature"])
    }

    @Test func theExampleUnderAnotherKeyIsRefused() throws {
        let otherKey = "B" + Self.k.dropFirst()
        #expect(try verify(Self.token, k: otherKey, now: Self.exp - 10) == [nil, "invalid signature"])
    }
}
