@testable import NetworkAddresses
import Testing

@Suite struct IPAddressTests {
    @Test func ipv4IsStoredInItsMappedForm() {
        let plain = IPAddress("127.0.0.1")
        #expect(plain?.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1])
        #expect(plain?.isIPv4 == true)
        // Both IPv4-mapped spellings are the same address as the IPv4 one.
        #expect(IPAddress("::ffff:127.0.0.1") == plain)
        #expect(IPAddress("::ffff:7f00:1") == plain)
        #expect(IPAddress("::FFFF:7F00:0001") == plain)
        #expect(IPAddress("::1")?.isIPv4 == false)
        #expect(IPAddress("::1")?.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    }

    @Test(arguments: ["", "example.com", "[::1]", "::1/128", "fe80::1%eth0", "1.2.3", "1.2.3.4.5", "256.0.0.1", "10.0.0.1:80", " 10.0.0.1"])
    func nonLiteralsAreNotAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ipv4OctetsBuildTheMappedAddress() {
        #expect(IPAddress(ipv4: [8, 8, 4, 4][...]) == IPAddress("8.8.4.4"))
        #expect(IPAddress(ipv4: [0, 0, 0xFF, 0xFF, 1, 2, 3, 4][4...]) == IPAddress("1.2.3.4"))
    }

    @Test func rangesMatchTheirAddressesOnly() throws {
        let ranges = try IPAddressRange.list("10.0.0.0/8, 192.168.1.7, fd00::/8, 100.64.0.0/10")
        func matches(_ text: String) -> Bool { ranges.contains { $0.contains(IPAddress(text)!) } }
        #expect(matches("10.255.0.1"))
        #expect(!matches("11.0.0.1"))
        #expect(matches("192.168.1.7"))
        #expect(!matches("192.168.1.8"))
        #expect(matches("fd12::1"))
        #expect(!matches("fe80::1"))
        #expect(matches("100.127.255.255"))
        #expect(!matches("100.128.0.0"))
        #expect(matches("::ffff:10.1.1.1"))
        // An IPv4 block counts its bits on the 128-bit mapped form, so it holds no IPv6 address.
        #expect(IPAddressRange("0.0.0.0/0")?.prefixLength == 96)
        #expect(IPAddressRange("0.0.0.0/0")!.contains(IPAddress("::1")!) == false)
        #expect(IPAddressRange("::/0")!.contains(IPAddress("1.2.3.4")!))
    }

    @Test func badRangesAreRefused() {
        for bad in ["10.0.0.0/33", "10.0.0/8", "example.com", "::1/129", "10.0.0.0/-1", "10.0.0.0/+8", "", "1.2.3.4/"] {
            #expect(IPAddressRange(bad) == nil, "\(bad)")
        }
        #expect(throws: IPAddressRange.InvalidEntry(text: "nope")) { try IPAddressRange.list("10.0.0.0/8, nope") }
    }

    @Test func trimmingWhitespaceKeepsInnerSpaces() {
        #expect(" \t a b \t".trimmingWhitespace() == "a b")
        #expect("".trimmingWhitespace() == "")
    }
}
