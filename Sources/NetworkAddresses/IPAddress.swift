#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as 16 bytes, IPv4 addresses in their IPv4-mapped IPv6 form, so that
/// `192.0.2.1` and `::ffff:192.0.2.1` are one address whichever way a socket reports it.
public struct IPAddress: Hashable, Sendable {
    public let bytes: [UInt8]

    /// Parses an IPv4 or IPv6 literal (no brackets, no port, no zone); `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let literal = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            let octets = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            bytes = Self.mappedPrefix + octets
            return
        }
        var v6 = in6_addr()
        guard literal.contains(":"), inet_pton(AF_INET6, literal, &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: v6) { Array($0) }
    }

    /// Whether the address is an IPv4 one (or IPv4-mapped IPv6, which is judged as IPv4).
    public var isIPv4: Bool { bytes.starts(with: Self.mappedPrefix) }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
}
