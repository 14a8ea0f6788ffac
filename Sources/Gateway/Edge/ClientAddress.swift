import NetworkAddresses
import NIOHTTP1

/// The client's address as SPEC §1 `--trusted-proxies` defines it: the peer's, unless the peer
/// is a trusted proxy, in which case the right-most `X-Forwarded-For` entry that is not itself
/// trusted. Behind a proxy every peer is the proxy, and the address failure limit would
/// otherwise lock every client out at once.
struct ClientAddress: Sendable {
    let trustedProxies: [IPAddressRange]

    /// - Parameter peer: the socket's IP address (no port), as NIO reports it.
    func resolve(peer: String?, headers: HTTPHeaders) -> String {
        let peerAddress = PeerInfo.displayAddress(peer)
        guard !trustedProxies.isEmpty, let peerIP = IPAddress(peerAddress), isTrusted(peerIP) else {
            return peerAddress
        }
        let hops = headers[canonicalForm: "x-forwarded-for"]
        // Walk from the nearest hop outwards; each trusted hop vouches for the one before it.
        var nearestVouchedFor = peerAddress
        for hop in hops.reversed() {
            let text = hop.trimmingWhitespace()
            guard let address = IPAddress(text) else { return nearestVouchedFor }
            let display = PeerInfo.displayAddress(text)
            if !isTrusted(address) { return display }
            nearestVouchedFor = display
        }
        return nearestVouchedFor
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
