import NetworkAddresses
import Testing

/// Decisions are made on given addresses; nothing here resolves a name or opens a socket.
@Suite struct EgressPolicyTests {
    private func addresses(_ texts: String...) -> [IPAddress] { texts.map { IPAddress($0)! } }
    private func address(_ text: String) -> IPAddress { IPAddress(text)! }
    private func policy(_ allow: String) throws -> EgressPolicy { EgressPolicy(allowList: try HTTPAllowList(allow)) }
    private let unset = EgressPolicy(allowList: nil)

    // MARK: --http-allow unset: public addresses only

    @Test func unsetConnectsToTheFirstOfAllPublicAddresses() {
        #expect(unset.decide(host: "api.example.com", port: 443, addresses: addresses("93.184.216.34", "8.8.8.8"))
            == .connect(address("93.184.216.34")))
        #expect(unset.decide(host: "v6.example.com", port: 443, addresses: addresses("2606:4700::1111", "1.1.1.1"))
            == .connect(address("2606:4700::1111")))
    }

    @Test func unsetRefusesANameWithOnePrivateAddressAmongPublicOnes() {
        #expect(unset.decide(host: "mixed.example.com", port: 443, addresses: addresses("1.1.1.1", "10.0.0.1", "8.8.8.8"))
            == .refuse)
        #expect(unset.decide(host: "mixed.example.com", port: 443, addresses: addresses("2606:4700::1111", "fd00::1"))
            == .refuse)
        #expect(unset.decide(host: "mixed.example.com", port: 443, addresses: addresses("8.8.8.8", "::ffff:127.0.0.1"))
            == .refuse)
    }

    @Test func unsetRefusesTheMetadataAddressUnderAnyName() {
        #expect(unset.decide(host: "metadata.google.internal", port: 80, addresses: addresses("169.254.169.254")) == .refuse)
        #expect(unset.decide(host: "rebind.attacker.example", port: 80, addresses: addresses("169.254.169.254")) == .refuse)
        #expect(unset.decide(host: "169.254.169.254", port: 80, addresses: addresses("169.254.169.254")) == .refuse)
        #expect(unset.decide(host: "[::ffff:a9fe:a9fe]", port: 80, addresses: addresses("::ffff:a9fe:a9fe")) == .refuse)
        #expect(unset.decide(host: "[64:ff9b::a9fe:a9fe]", port: 80, addresses: addresses("64:ff9b::a9fe:a9fe")) == .refuse)
    }

    @Test func unsetRefusesLocalLiterals() {
        for literal in ["127.0.0.1", "0.0.0.0", "10.1.2.3", "100.64.0.1"] {
            #expect(unset.decide(host: literal, port: 80, addresses: addresses(literal)) == .refuse, "\(literal)")
        }
        for literal in ["::1", "::", "::ffff:127.0.0.1", "::ffff:7f00:1", "fe80::1", "fd00::1", "2002:7f00:1::"] {
            #expect(unset.decide(host: "[\(literal)]", port: 80, addresses: addresses(literal)) == .refuse, "\(literal)")
        }
    }

    @Test func anEmptyResolutionIsRefused() throws {
        #expect(unset.decide(host: "nothing.example.com", port: 443, addresses: []) == .refuse)
        #expect(try policy("nothing.example.com").decide(host: "nothing.example.com", port: 443, addresses: []) == .refuse)
        #expect(try policy("*.example.com").decide(host: "nothing.example.com", port: 443, addresses: []) == .refuse)
    }

    // MARK: --http-allow set: only the listed hosts, whatever their addresses

    @Test func aNameEntryAllowsItsHostEvenAtAPrivateAddress() throws {
        let allow = try policy("internal.example.com")
        #expect(allow.decide(host: "internal.example.com", port: 443, addresses: addresses("10.0.0.5", "10.0.0.6"))
            == .connect(address("10.0.0.5")))
        #expect(allow.decide(host: "INTERNAL.Example.COM.", port: 80, addresses: addresses("127.0.0.1"))
            == .connect(address("127.0.0.1")))
    }

    @Test func aNameEntryAllowsThatNameOnly() throws {
        let allow = try policy("example.com")
        #expect(allow.decide(host: "example.com", port: 443, addresses: addresses("93.184.216.34")) == .connect(address("93.184.216.34")))
        for other in ["api.example.com", "evil-example.com", "example.com.evil.net", "example.co", "xample.com"] {
            #expect(allow.decide(host: other, port: 443, addresses: addresses("93.184.216.34")) == .refuse, "\(other)")
        }
    }

    @Test func aListedNameDoesNotAllowUnlistedPublicHosts() throws {
        let allow = try policy("api.example.com")
        #expect(allow.decide(host: "api.other.com", port: 443, addresses: addresses("8.8.8.8")) == .refuse)
        #expect(allow.decide(host: "8.8.8.8", port: 443, addresses: addresses("8.8.8.8")) == .refuse)
    }

    @Test func aWildcardAllowsSubdomainsAtAnyDepthButNotTheApex() throws {
        let allow = try policy("*.example.com")
        let public1 = addresses("93.184.216.34")
        #expect(allow.decide(host: "a.example.com", port: 443, addresses: public1) == .connect(public1[0]))
        #expect(allow.decide(host: "a.b.c.example.com", port: 443, addresses: public1) == .connect(public1[0]))
        #expect(allow.decide(host: "A.Example.Com.", port: 443, addresses: public1) == .connect(public1[0]))
        #expect(allow.decide(host: "example.com", port: 443, addresses: public1) == .refuse)
        #expect(allow.decide(host: "badexample.com", port: 443, addresses: public1) == .refuse)
        #expect(allow.decide(host: "example.com.evil.net", port: 443, addresses: public1) == .refuse)
        // Not a name, so not a subdomain, even though the text ends in `.example.com`.
        #expect(allow.decide(host: ".example.com", port: 443, addresses: public1) == .refuse)
        #expect(allow.decide(host: "a..example.com", port: 443, addresses: public1) == .refuse)
    }

    @Test func aPortEntryAllowsThatPortOnly() throws {
        let allow = try policy("api.example.com:8443, *.example.org:8080, 192.0.2.7:9000, [2001:db8::7]:8443")
        let v4 = addresses("93.184.216.34")
        #expect(allow.decide(host: "api.example.com", port: 8443, addresses: v4) == .connect(v4[0]))
        #expect(allow.decide(host: "api.example.com", port: 443, addresses: v4) == .refuse)
        #expect(allow.decide(host: "x.example.org", port: 8080, addresses: v4) == .connect(v4[0]))
        #expect(allow.decide(host: "x.example.org", port: 80, addresses: v4) == .refuse)
        #expect(allow.decide(host: "192.0.2.7", port: 9000, addresses: addresses("192.0.2.7")) == .connect(address("192.0.2.7")))
        #expect(allow.decide(host: "192.0.2.7", port: 9001, addresses: addresses("192.0.2.7")) == .refuse)
        #expect(allow.decide(host: "[2001:db8::7]", port: 8443, addresses: addresses("2001:db8::7")) == .connect(address("2001:db8::7")))
        #expect(allow.decide(host: "[2001:db8::7]", port: 443, addresses: addresses("2001:db8::7")) == .refuse)
    }

    @Test func aCIDREntryConnectsToTheAddressInsideItNotTheFirst() throws {
        let allow = try policy("10.0.0.0/8")
        #expect(allow.decide(host: "svc.internal", port: 80, addresses: addresses("8.8.8.8", "10.1.2.3", "10.9.9.9"))
            == .connect(address("10.1.2.3")))
        #expect(allow.decide(host: "svc.internal", port: 80, addresses: addresses("8.8.8.8", "11.0.0.1")) == .refuse)
        // IPv4-mapped addresses are the IPv4 ones, so an IPv4 block holds them.
        #expect(allow.decide(host: "svc.internal", port: 80, addresses: addresses("2606:4700::1", "::ffff:10.0.0.1"))
            == .connect(address("10.0.0.1")))
        let v6 = try policy("fd00::/8")
        #expect(v6.decide(host: "svc.internal", port: 80, addresses: addresses("10.0.0.1", "fd12::1")) == .connect(address("fd12::1")))
        #expect(v6.decide(host: "svc.internal", port: 80, addresses: addresses("fe80::1")) == .refuse)
    }

    @Test func anAddressEntryAllowsThatAddressOnly() throws {
        let allow = try policy("192.0.2.7, [2001:db8::7]")
        #expect(allow.decide(host: "192.0.2.7", port: 80, addresses: addresses("192.0.2.7")) == .connect(address("192.0.2.7")))
        #expect(allow.decide(host: "192.0.2.8", port: 80, addresses: addresses("192.0.2.8")) == .refuse)
        #expect(allow.decide(host: "[2001:DB8::7]", port: 80, addresses: addresses("2001:db8::7")) == .connect(address("2001:db8::7")))
        #expect(allow.decide(host: "[2001:db8::8]", port: 80, addresses: addresses("2001:db8::8")) == .refuse)
        // A name that resolves to a listed address is allowed, to that address.
        #expect(allow.decide(host: "db.internal", port: 80, addresses: addresses("192.0.2.9", "192.0.2.7"))
            == .connect(address("192.0.2.7")))
    }

    @Test func aNameMatchConnectsToTheFirstAddressEvenWhenACIDRAlsoMatches() throws {
        let allow = try policy("10.0.0.0/8, api.example.com")
        #expect(allow.decide(host: "api.example.com", port: 443, addresses: addresses("8.8.8.8", "10.0.0.1"))
            == .connect(address("8.8.8.8")))
    }

    @Test func anEmptyAllowListRefusesEverything() {
        let none = EgressPolicy(allowList: HTTPAllowList(entries: []))
        #expect(none.decide(host: "api.example.com", port: 443, addresses: addresses("8.8.8.8")) == .refuse)
    }

    // MARK: host normalisation

    @Test(arguments: [
        ("API.Example.COM.", "api.example.com"), ("api.example.com", "api.example.com"),
        ("example.com..", "example.com."), ("[::1]", "::1"), ("[2001:DB8::1]", "2001:db8::1"),
        ("10.0.0.1", "10.0.0.1"), ("[", "["), ("", ""),
    ])
    func hostsAreNormalizedForMatching(host: String, normalized: String) {
        #expect(EgressPolicy.normalizedHost(host) == normalized)
    }
}
