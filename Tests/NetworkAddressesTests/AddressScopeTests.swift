@testable import NetworkAddresses
import Testing

/// Every refused block, with its first and last address (and the notable ones inside), and the
/// addresses just outside each IPv4 block, which must stay public.
@Suite struct AddressScopeTests {
    @Test(arguments: [
        "0.0.0.0", "0.255.255.255",                                  // "this network"
        "10.0.0.0", "10.1.2.3", "10.255.255.255",                    // RFC 1918
        "172.16.0.0", "172.20.1.1", "172.31.255.255",                // RFC 1918
        "192.168.0.0", "192.168.1.1", "192.168.255.255",             // RFC 1918
        "127.0.0.0", "127.0.0.1", "127.255.255.255",                 // loopback
        "169.254.0.0", "169.254.169.254", "169.254.255.255",         // link-local, cloud metadata
        "100.64.0.0", "100.100.100.100", "100.127.255.255",          // CGNAT
        "192.0.0.0", "192.0.0.255",                                  // IETF protocol assignments
        "192.0.2.0", "192.0.2.255",                                  // TEST-NET-1
        "198.51.100.0", "198.51.100.255",                            // TEST-NET-2
        "203.0.113.0", "203.0.113.255",                              // TEST-NET-3
        "198.18.0.0", "198.19.255.255",                              // benchmarking
        "224.0.0.0", "224.0.0.251", "239.255.255.255",               // multicast
        "240.0.0.0", "250.1.2.3", "255.255.255.255",                 // reserved, broadcast
    ])
    func refusedIPv4(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic == false)
    }

    @Test(arguments: [
        "1.0.0.0",                                   // after 0/8
        "9.255.255.255", "11.0.0.0",                 // around 10/8
        "172.15.255.255", "172.32.0.0",              // around 172.16/12
        "192.167.255.255", "192.169.0.0",            // around 192.168/16
        "126.255.255.255", "128.0.0.0",              // around 127/8
        "169.253.255.255", "169.255.0.0",            // around 169.254/16
        "100.63.255.255", "100.128.0.0",             // around 100.64/10
        "191.255.255.255", "192.0.1.0",              // around 192.0.0/24
        "192.0.1.255", "192.0.3.0",                  // around 192.0.2/24
        "198.51.99.255", "198.51.101.0",             // around 198.51.100/24
        "203.0.112.255", "203.0.114.0",              // around 203.0.113/24
        "198.17.255.255", "198.20.0.0",              // around 198.18/15
        "223.255.255.255",                           // before 224/4
        "1.1.1.1", "8.8.8.8", "93.184.216.34",
    ])
    func publicIPv4(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic)
    }

    @Test(arguments: [
        "::", "::1",                                                      // unspecified, loopback
        "::2", "::127.0.0.1", "::8.8.8.8", "::ffff",                      // IPv4-compatible ::/96
        "fc00::", "fd12:3456::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // unique-local
        "fe80::", "fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",   // link-local
        "fec0::", "fec0::1", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",   // site-local
        "ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",   // multicast
        "2001:db8::", "2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", // documentation
        "100::", "100::ffff:ffff:ffff:ffff",                              // discard
        "64:ff9b:1::", "64:ff9b:1::808:808", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", // local-use NAT64
    ])
    func refusedIPv6(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic == false)
    }

    @Test(arguments: [
        "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e",
        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",   // before fc00::/7
        "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",    // before 2001:db8::/32
        "2001:db9::",                                // after it
        "100:0:0:1::",                               // after 100::/64
        "::1:0:0:0",                                 // after ::/96 (and not IPv4-mapped)
        "64:ff9b:2::1",                              // after 64:ff9b:1::/48
    ])
    func publicIPv6(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic)
    }

    /// IPv4-mapped IPv6 is the IPv4 address it holds, in either spelling.
    @Test(arguments: [
        ("::ffff:127.0.0.1", false), ("::ffff:7f00:1", false),
        ("::ffff:169.254.169.254", false), ("::ffff:a9fe:a9fe", false),
        ("::ffff:10.0.0.1", false), ("::ffff:0.0.0.0", false), ("::ffff:100.64.0.1", false),
        ("::ffff:8.8.8.8", true), ("::ffff:808:808", true), ("::ffff:172.32.0.0", true),
    ])
    func mappedIPv4IsJudgedAsIPv4(text: String, isPublic: Bool) throws {
        let address = try #require(IPAddress(text))
        #expect(address.isIPv4)
        #expect(address.isPublic == isPublic)
    }

    /// NAT64 (last 4 bytes) and 6to4 (bytes 2 to 5) reach the IPv4 address they carry.
    @Test(arguments: [
        ("64:ff9b::127.0.0.1", false), ("64:ff9b::7f00:1", false), ("64:ff9b::a9fe:a9fe", false),
        ("64:ff9b::c0a8:101", false), ("64:ff9b::", false),
        ("64:ff9b::8.8.8.8", true), ("64:ff9b::808:808", true),
        ("2002:7f00:1::", false), ("2002:a9fe:a9fe::1", false), ("2002:c0a8:101::1", false),
        ("2002::1", false), ("2002:a00:1:1234::5", false), ("2002:ac10::", false),
        ("2002:808:808::1", true), ("2002:ac20::1", true),
    ])
    func embeddedIPv4IsJudgedAsIPv4(text: String, isPublic: Bool) throws {
        #expect(try #require(IPAddress(text)).isPublic == isPublic)
    }

    @Test func embeddedIPv4IsReadFromTheRightBytes() {
        #expect(IPAddress("64:ff9b::c0a8:101")?.embeddedIPv4 == IPAddress("192.168.1.1"))
        #expect(IPAddress("2002:c0a8:101:ab::cd")?.embeddedIPv4 == IPAddress("192.168.1.1"))
        #expect(IPAddress("2606:4700::1")?.embeddedIPv4 == nil)
        #expect(IPAddress("8.8.8.8")?.embeddedIPv4 == nil)
        // Only the /96 is the well-known NAT64 prefix; local-use NAT64 is refused outright.
        #expect(IPAddress("64:ff9b:1::808:808")?.embeddedIPv4 == nil)
    }
}
