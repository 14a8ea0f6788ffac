@testable import NetworkAddresses
import Testing

@Suite struct HTTPAllowListTests {
    typealias Entry = HTTPAllowList.Entry

    private func range(_ text: String) -> IPAddressRange { IPAddressRange(text)! }

    @Test(arguments: [
        ("api.example.com", Entry.host("api.example.com", port: nil)),
        ("API.Example.COM.", .host("api.example.com", port: nil)),
        ("localhost", .host("localhost", port: nil)),
        ("_service.example.com", .host("_service.example.com", port: nil)),
        ("xn--bcher-kva.example", .host("xn--bcher-kva.example", port: nil)),
        ("api.example.com:8443", .host("api.example.com", port: 8443)),
        ("api.example.com.:1", .host("api.example.com", port: 1)),
        ("api.example.com:65535", .host("api.example.com", port: 65535)),
        ("*.example.com", .subdomains(of: "example.com", port: nil)),
        ("*.Example.com.", .subdomains(of: "example.com", port: nil)),
        ("*.example.com:8443", .subdomains(of: "example.com", port: 8443)),
        ("*.com", .subdomains(of: "com", port: nil)),
    ])
    func namesParse(text: String, expected: Entry) throws {
        #expect(try HTTPAllowList(text).entries == [expected])
    }

    @Test func addressesAndBlocksParse() throws {
        #expect(try HTTPAllowList("192.0.2.7").entries == [.addresses(range("192.0.2.7"), port: nil)])
        #expect(try HTTPAllowList("192.0.2.7:8080").entries == [.addresses(range("192.0.2.7"), port: 8080)])
        #expect(try HTTPAllowList("2001:db8::7").entries == [.addresses(range("2001:db8::7"), port: nil)])
        #expect(try HTTPAllowList("[2001:db8::7]").entries == [.addresses(range("2001:db8::7"), port: nil)])
        #expect(try HTTPAllowList("[2001:db8::7]:8443").entries == [.addresses(range("2001:db8::7"), port: 8443)])
        #expect(try HTTPAllowList("[::ffff:10.0.0.1]:80").entries == [.addresses(range("::ffff:10.0.0.1"), port: 80)])
        #expect(try HTTPAllowList("10.0.0.0/8").entries == [.addresses(range("10.0.0.0/8"), port: nil)])
        #expect(try HTTPAllowList("fd00::/8").entries == [.addresses(range("fd00::/8"), port: nil)])
        // Bare, an IPv6 address with what looks like a port is all address: ports need brackets.
        #expect(try HTTPAllowList("::1:8080").entries == [.addresses(range("::1:8080"), port: nil)])
    }

    @Test func entriesAreCommaSeparatedAndTrimmed() throws {
        let list = try HTTPAllowList(" api.example.com,*.example.org ,\t10.0.0.0/8, [::1]:8080 ")
        #expect(list.entries == [
            .host("api.example.com", port: nil),
            .subdomains(of: "example.org", port: nil),
            .addresses(range("10.0.0.0/8"), port: nil),
            .addresses(range("::1"), port: 8080),
        ])
    }

    @Test func longestValidNamesParse() throws {
        let label63 = String(repeating: "a", count: 63)
        #expect(try HTTPAllowList("\(label63).example").entries == [.host("\(label63).example", port: nil)])
        let name253 = [String](repeating: label63, count: 3).joined(separator: ".") + "." + String(repeating: "b", count: 61)
        #expect(name253.utf8.count == 253)
        #expect(try HTTPAllowList(name253).entries.count == 1)
    }

    @Test(arguments: [
        // Names with characters or shapes a host cannot have.
        "exa mple.com", "ex@mple.com", "exämple.com", "example..com", ".example.com", "example.com..",
        "-example.com", "example-.com", "http://example.com", "example.com/path", "user@example.com",
        "a" + String(repeating: "b", count: 63) + ".com",
        [String](repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."),
        // A last label of digits is an IPv4 number to URL parsers, not a name.
        "1.2.3", "256.1.1.1", "10.0.0.1.2", "example.123",
        // Wildcards: only a leading `*.` before a valid name.
        "*", "*.", "*.*", "**.example.com", "*example.com", "*.*.example.com", "a.*.example.com", "*.example.com..",
        // Ports: 1 to 65535, plain digits, only on names, IPv4 and bracketed IPv6.
        "api.example.com:0", "api.example.com:65536", "api.example.com:-1", "api.example.com:+80",
        "api.example.com:", "api.example.com:http", "api.example.com:80:80", "api.example.com:123456",
        ":80", "10.0.0.1:", "10.0.0.1:0", "api.example.com :443",
        // CIDR blocks.
        "10.0.0.0/33", "10.0.0/8", "fd00::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/8:80", "example.com/8",
        // Brackets hold one IPv6 address.
        "[::1", "[::1]80", "[::1]:", "[::1]:0", "[10.0.0.1]", "[fd00::/8]", "[example.com]", "[]", "[fe80::1%eth0]",
    ])
    func badEntriesThrowTheirText(text: String) {
        #expect(throws: HTTPAllowList.InvalidEntry(text: text)) { try HTTPAllowList(text) }
    }

    @Test func emptyEntriesAreErrors() {
        #expect(throws: HTTPAllowList.InvalidEntry(text: "")) { try HTTPAllowList("") }
        #expect(throws: HTTPAllowList.InvalidEntry(text: "")) { try HTTPAllowList("a.com,,b.com") }
        #expect(throws: HTTPAllowList.InvalidEntry(text: "")) { try HTTPAllowList("a.com, ") }
        #expect(throws: HTTPAllowList.InvalidEntry(text: "")) { try HTTPAllowList(",a.com") }
    }

    @Test func theErrorNamesTheFirstBadEntryTrimmed() {
        #expect(throws: HTTPAllowList.InvalidEntry(text: "nope!")) {
            try HTTPAllowList("api.example.com,  nope! , *")
        }
        #expect(HTTPAllowList.InvalidEntry(text: "X").description == "not a host, address or CIDR: 'X'")
    }

    @Test func hostNameValidityIsExact() {
        #expect(HTTPAllowList.isHostName("a.b-c.d_e"))
        #expect(HTTPAllowList.isHostName("1.2.3.com"))
        #expect(HTTPAllowList.isHostName("123abc"))
        #expect(!HTTPAllowList.isHostName("123"))
        #expect(!HTTPAllowList.isHostName("API.example.com"), "names are compared lowercase")
        #expect(!HTTPAllowList.isHostName(""))
        #expect(!HTTPAllowList.isHostName("a..b"))
        // IP literals are never names, so a name entry can never match one.
        #expect(!HTTPAllowList.isHostName("192.0.2.7"))
        #expect(!HTTPAllowList.isHostName("::1"))
        #expect(!HTTPAllowList.isHostName("[::1]"))
    }
}
