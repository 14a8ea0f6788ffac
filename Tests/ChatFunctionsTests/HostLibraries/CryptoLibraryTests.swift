import LuaRuntime
import Testing

@testable import ChatFunctions

@Suite struct CryptoLibraryTests {
    /// FIPS 180-2 Appendix B and the NIST example values.
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesFIPS180Vectors(_ message: String, _ digest: String) throws {
        let results = try LuaHarness().run("local m = ... local d = crypto.sha256(m) return #d, crypto.hex(d), d", [.string(LuaString(message))])
        #expect(results == [32, .string(LuaString(digest)), .bytes(hexBytes(digest))])
    }

    @Test func sha256OfAMillionAs() throws {
        let results = try LuaHarness().run(#"return crypto.hex(crypto.sha256(string.rep("a", 1000000)))"#)
        #expect(results == ["cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"])
    }

    /// RFC 4231 §4.2–4.5, 4.7, 4.8 (test case 5 truncates the output, which `hmac_sha256` does not do).
    @Test(arguments: [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ((1...25).map { UInt8($0) }, [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func hmacSHA256MatchesRFC4231(_ key: [UInt8], _ data: [UInt8], _ mac: String) throws {
        let results = try LuaHarness().run("local k, d = ... local m = crypto.hmac_sha256(k, d) return crypto.hex(m), m", [.bytes(key), .bytes(data)])
        #expect(results == [.string(LuaString(mac)), .bytes(hexBytes(mac))])
    }

    /// PBKDF2-HMAC-SHA256 with the RFC 6070 inputs (the SHA-256 outputs published with RFC 7914 §11 and elsewhere).
    @Test(arguments: [
        ("password", "salt", 1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        ("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
         "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"),
    ])
    func pbkdf2SHA256MatchesPublishedVectors(_ password: String, _ salt: String, _ iterations: Int64, _ length: Int64, _ key: String) throws {
        let results = try LuaHarness().run(
            "local p, s, c, n = ... return crypto.hex(crypto.pbkdf2_sha256(p, s, c, n))",
            [.string(LuaString(password)), .string(LuaString(salt)), .integer(iterations), .integer(length)]
        )
        #expect(results == [.string(LuaString(key))])
    }

    @Test func pbkdf2KeepsNULBytesInPasswordAndSalt() throws {
        // RFC 6070's "pass\0word" / "sa\0lt" inputs, c = 4096, dkLen = 16, with SHA-256.
        let results = try LuaHarness().run(#"return crypto.hex(crypto.pbkdf2_sha256("pass\0word", "sa\0lt", 4096, 16))"#)
        #expect(results == ["89b69d0516f829893c696226650a8687"])
    }

    @Test(arguments: [
        ("crypto.pbkdf2_sha256('p', 's', 1000001, 32)", "bad argument #3 to 'crypto.pbkdf2_sha256' (iterations must be between 1 and 1000000, got 1000001)"),
        ("crypto.pbkdf2_sha256('p', 's', 0, 32)", "bad argument #3 to 'crypto.pbkdf2_sha256' (iterations must be between 1 and 1000000, got 0)"),
        ("crypto.pbkdf2_sha256('p', 's', 1, 1025)", "bad argument #4 to 'crypto.pbkdf2_sha256' (length must be between 1 and 1024, got 1025)"),
        ("crypto.pbkdf2_sha256('p', 's', 1, 0)", "bad argument #4 to 'crypto.pbkdf2_sha256' (length must be between 1 and 1024, got 0)"),
        ("crypto.pbkdf2_sha256('p', 's', 1000000, 33)", "crypto.pbkdf2_sha256: too much work: iterations × ⌈length / 32⌉ is 2000000, at most 1000000 allowed"),
        ("crypto.pbkdf2_sha256('p', 's', 1.5, 32)", "bad argument #3 to 'crypto.pbkdf2_sha256' (number has no integer representation)"),
        ("crypto.pbkdf2_sha256('p', nil, 1, 32)", "bad argument #2 to 'crypto.pbkdf2_sha256' (string expected, got nil)"),
    ])
    func pbkdf2RefusesWorkPastItsCaps(_ call: String, _ message: String) throws {
        let results = try LuaHarness().run("return select(2, pcall(function() return \(call) end))")
        #expect(results.first?.stringValue?.hasSuffix(message) == true, "\(results)")
    }

    @Test func hexWritesLowercasePairs() throws {
        let results = try LuaHarness().run(#"return crypto.hex("\0\1\15\16\127\128\171\255"), crypto.hex("")"#)
        #expect(results == ["00010f107f80abff", ""])
    }

    @Test func equalsComparesWholeStrings() throws {
        let results = try LuaHarness().run(#"""
            return crypto.equals("secret", "secret"), crypto.equals("secret", "secreT"), crypto.equals("Secret", "secret"),
                   crypto.equals("secret", "secret2"), crypto.equals("", ""), crypto.equals("a\0b", "a\0c"), crypto.equals("a\0b", "a\0b")
            """#)
        #expect(results == [true, false, false, false, true, false, true])
    }

    @Test func equalsRequiresTwoStrings() throws {
        let results = try LuaHarness().run("return select(2, pcall(crypto.equals, 'a'))")
        #expect(results == ["bad argument #2 to 'crypto.equals' (string expected, got no value)"])
    }

    @Test func constantTimeEqualsAgreesWithPlainEquality() {
        let samples: [[UInt8]] = [[], [0], [1], [0, 0], [0, 1], [1, 0], [255, 255, 255], Array("abc".utf8)]
        for a in samples {
            for b in samples {
                #expect(ConstantTime.equals(a, b) == (a == b), "\(a) vs \(b)")
            }
        }
    }

    @Test func randomReturnsFreshBytesOfTheAskedLength() throws {
        let results = try LuaHarness().run("""
            local a, b = crypto.random(32), crypto.random(32)
            local seen = {}
            for _ = 1, 16 do seen[crypto.random(16)] = true end
            local distinct = 0
            for _ in pairs(seen) do distinct = distinct + 1 end
            return #a, #b, a ~= b, #crypto.random(1), #crypto.random(4096), distinct
            """)
        #expect(results == [32, 32, true, 1, 4096, 16])
    }

    @Test func randomUsesEveryByteValue() throws {
        // 64 KiB of CSPRNG output misses one of the 256 byte values with probability ~ 256·e^-256.
        let results = try LuaHarness().run("""
            local seen, count = {}, 0
            for _ = 1, 16 do
              local s = crypto.random(4096)
              for i = 1, #s do
                local b = s:byte(i)
                if not seen[b] then seen[b] = true count = count + 1 end
              end
            end
            return count
            """)
        #expect(results == [256])
    }

    @Test(arguments: [
        ("crypto.random(0)", "bad argument #1 to 'crypto.random' (byte count must be between 1 and 4096, got 0)"),
        ("crypto.random(4097)", "bad argument #1 to 'crypto.random' (byte count must be between 1 and 4096, got 4097)"),
        ("crypto.random(-1)", "bad argument #1 to 'crypto.random' (byte count must be between 1 and 4096, got -1)"),
        ("crypto.random('8')", "bad argument #1 to 'crypto.random' (number expected, got string)"),
    ])
    func randomRefusesCountsOutOfRange(_ call: String, _ message: String) throws {
        let results = try LuaHarness().run("return select(2, pcall(function() return \(call) end))")
        #expect(results.first?.stringValue?.hasSuffix(message) == true, "\(results)")
    }
}
