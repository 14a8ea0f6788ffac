@testable import Gateway
import NetworkAddresses
import NIOHTTP1
import Testing

@Suite struct ClientAddressTests {
    // Parsing and matching addresses and ranges: NetworkAddressesTests.

    @Test func rightMostUntrustedHopIsTheClient() throws {
        let resolver = ClientAddress(trustedProxies: try IPAddressRange.list("127.0.0.1,10.0.0.0/8"))
        func resolve(_ peer: String, _ forwarded: [String]) -> String {
            var headers = HTTPHeaders()
            for value in forwarded { headers.add(name: "X-Forwarded-For", value: value) }
            return resolver.resolve(peer: peer, headers: headers)
        }
        #expect(resolve("127.0.0.1", ["203.0.113.1"]) == "203.0.113.1")
        #expect(resolve("127.0.0.1", ["6.6.6.6, 203.0.113.1, 10.0.0.2"]) == "203.0.113.1")
        // Several header lines are one list, in order.
        #expect(resolve("127.0.0.1", ["6.6.6.6", "203.0.113.1", "10.0.0.2"]) == "203.0.113.1")
        // Every hop trusted: the farthest one.
        #expect(resolve("127.0.0.1", ["10.0.0.9, 10.0.0.2"]) == "10.0.0.9")
        // A hop that is not an address ends the walk at the last one vouched for.
        #expect(resolve("127.0.0.1", ["203.0.113.1, garbage, 10.0.0.2"]) == "10.0.0.2")
        #expect(resolve("127.0.0.1", []) == "127.0.0.1")
        // An untrusted peer's header counts for nothing.
        #expect(resolve("192.0.2.50", ["203.0.113.1"]) == "192.0.2.50")
        #expect(resolve("::ffff:127.0.0.1", ["203.0.113.1"]) == "203.0.113.1")
        #expect(ClientAddress(trustedProxies: []).resolve(peer: "127.0.0.1", headers: ["X-Forwarded-For": "1.2.3.4"]) == "127.0.0.1")
    }
}
