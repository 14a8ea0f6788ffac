import LuaRuntime
import Testing

@testable import ChatFunctions

@Suite struct Base64LibraryTests {
    /// RFC 4648 §10.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func encodeAndDecodeMatchRFC4648(_ plain: String, _ encoded: String) throws {
        let results = try LuaHarness().run("local plain, encoded = ... return base64.encode(plain), base64.decode(encoded)", [
            .string(LuaString(plain)), .string(LuaString(encoded)),
        ])
        #expect(results == [.string(LuaString(encoded)), .string(LuaString(plain))])
    }

    @Test(arguments: vectors)
    func urlVariantDropsPaddingAndAcceptsItEitherWay(_ plain: String, _ encoded: String) throws {
        let unpadded = String(encoded.filter { $0 != "=" })
        let results = try LuaHarness().run(
            "local plain, padded, unpadded = ... return base64.urlencode(plain), base64.urldecode(padded), base64.urldecode(unpadded)",
            [.string(LuaString(plain)), .string(LuaString(encoded)), .string(LuaString(unpadded))]
        )
        #expect(results == [.string(LuaString(unpadded)), .string(LuaString(plain)), .string(LuaString(plain))])
    }

    @Test func theTwoAlphabetsDifferInTheLastTwoCharacters() throws {
        let results = try LuaHarness().run(#"return base64.encode("\xfb\xff\xbf"), base64.urlencode("\xfb\xff\xbf"), base64.encode("\xff\xff"), base64.urlencode("\xff\xff")"#)
        #expect(results == ["+/+/", "-_-_", "//8=", "__8"])
    }

    @Test func everyByteValueRoundTrips() throws {
        let all = LuaValue.bytes((0...255).map { UInt8($0) } + [0, 0, 0x0A, 0])
        let results = try LuaHarness().run("""
            local s = ...
            return base64.decode(base64.encode(s)) == s, base64.urldecode(base64.urlencode(s)) == s, #base64.encode(s)
            """, [all])
        #expect(results == [true, true, 348])
    }

    @Test(arguments: [
        ("Zm9v!", "invalid character '!' at offset 4"),
        ("Zm9", "multiple of 4"),
        ("Zg=", "multiple of 4"),
        ("Zh==", "non-zero unused bits"),
        ("Zm9=", "non-zero unused bits"),
        ("Zm 9v", "invalid character byte 0x20 at offset 2"),
        ("Zm9v\n", "invalid character byte 0xA at offset 4"),
        ("Z===", "'=' is only allowed as padding at the end"),
        ("Zg==Zg==", "'=' is only allowed as padding at the end"),
        ("-_8=", "invalid character '-' at offset 0"),
    ])
    func decodeRaisesOnInvalidInput(_ input: String, _ problem: String) throws {
        let results = try LuaHarness().run("return pcall(base64.decode, ...)", [.string(LuaString(input))])
        #expect(results.first == false)
        let message = try #require(results.last?.stringValue)
        #expect(message.hasPrefix("base64.decode: "), "\(message)")
        #expect(message.contains(problem), "\(message)")
    }

    @Test(arguments: [
        ("+/8", "invalid character '+' at offset 0"),
        ("Zg=", "multiple of 4"),
        ("Z", "lone character"),
        ("Zh", "non-zero unused bits"),
    ])
    func urldecodeRaisesOnInvalidInput(_ input: String, _ problem: String) throws {
        let results = try LuaHarness().run("return pcall(base64.urldecode, ...)", [.string(LuaString(input))])
        #expect(results.first == false)
        let message = try #require(results.last?.stringValue)
        #expect(message.hasPrefix("base64.urldecode: "), "\(message)")
        #expect(message.contains(problem), "\(message)")
    }

    @Test func argumentsMustBeStrings() throws {
        let results = try LuaHarness().run("return select(2, pcall(base64.encode, 42)), select(2, pcall(base64.urldecode))")
        #expect(results == [
            "bad argument #1 to 'base64.encode' (string expected, got number)",
            "bad argument #1 to 'base64.urldecode' (string expected, got no value)",
        ])
    }

    @Test func jwsVariantRefusesPadding() throws {
        #expect(throws: Base64DecodingError.self) { try Base64Codec.urlUnpadded.decode(Array("Zg==".utf8)) }
        #expect(try Base64Codec.urlUnpadded.decode(Array("Zg".utf8)) == Array("f".utf8))
    }
}
