/// Which addresses a Lua script's `http` call may reach when `--http-allow` is unset: only
/// public ones, so that a script (or a name it resolves) cannot reach the gateway's own
/// host, its private network or the cloud metadata service.
public extension IPAddress {
    /// Whether the address is routable on the public internet. IPv4-mapped IPv6 is judged as
    /// the IPv4 address it holds (the stored form already is), and so are NAT64 (`64:ff9b::/96`)
    /// and 6to4 (`2002::/16`) addresses, because a relay delivers those to the IPv4 inside.
    var isPublic: Bool {
        if let inner = embeddedIPv4 { return inner.isPublic }
        return !NonPublicRanges.all.contains { $0.contains(self) }
    }

    /// The IPv4 address a NAT64 or 6to4 address carries; `nil` for any other address.
    internal var embeddedIPv4: IPAddress? {
        if NonPublicRanges.nat64.contains(self) { return IPAddress(ipv4: bytes[12..<16]) }
        if NonPublicRanges.sixToFour.contains(self) { return IPAddress(ipv4: bytes[2..<6]) }
        return nil
    }

    /// The IPv4 address with these four octets, in its IPv4-mapped form.
    internal init(ipv4 octets: ArraySlice<UInt8>) {
        precondition(octets.count == 4, "an IPv4 address is 4 bytes")
        self.init(bytes: octets)!
    }
}

/// The blocks refused without `--http-allow`, each with the reason it is not the public internet.
private enum NonPublicRanges {
    static let all: [IPAddressRange] = (ipv4 + ipv6).map { IPAddressRange($0)! }

    static let ipv4 = [
        "0.0.0.0/8",        // "this network"; 0.0.0.0 reaches the local host on Linux
        "10.0.0.0/8",       // RFC 1918 private
        "172.16.0.0/12",    // RFC 1918 private
        "192.168.0.0/16",   // RFC 1918 private
        "127.0.0.0/8",      // loopback
        "169.254.0.0/16",   // link-local, incl. the cloud metadata service 169.254.169.254
        "100.64.0.0/10",    // CGNAT shared space, the carrier's private network
        "192.0.0.0/24",     // IETF protocol assignments
        "192.0.2.0/24",     // TEST-NET-1 documentation
        "198.51.100.0/24",  // TEST-NET-2 documentation
        "203.0.113.0/24",   // TEST-NET-3 documentation
        "198.18.0.0/15",    // benchmarking
        "224.0.0.0/4",      // multicast
        "240.0.0.0/4",      // reserved, incl. broadcast 255.255.255.255
    ]

    static let ipv6 = [
        "::/128",           // unspecified
        "::1/128",          // loopback
        "::/96",            // IPv4-compatible (deprecated), which would smuggle ::127.0.0.1
        "fc00::/7",         // RFC 4193 unique-local
        "fe80::/10",        // link-local
        "fec0::/10",        // site-local (deprecated, still private)
        "ff00::/8",         // multicast
        "2001:db8::/32",    // documentation
        "100::/64",         // discard-only
        "64:ff9b:1::/48",   // local-use NAT64, translates into a private network
    ]

    /// Well-known NAT64 prefix; the IPv4 address is the last 4 bytes.
    static let nat64 = IPAddressRange("64:ff9b::/96")!
    /// 6to4; the IPv4 address is bytes 2 to 5.
    static let sixToFour = IPAddressRange("2002::/16")!
}
