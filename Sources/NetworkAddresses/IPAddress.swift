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

    /// An address from its raw bytes in network order: 4 for IPv4, 16 for IPv6; `nil` for any
    /// other count (as a socket address or a resolver gives them, without a trip through text).
    public init?(bytes raw: some Collection<UInt8>) {
        switch raw.count {
        case 4: bytes = Self.mappedPrefix + raw
        case 16: bytes = Array(raw)
        default: return nil
        }
    }

    /// The address as text (`192.0.2.1`, `2001:db8::1`), IPv4 in its dotted form.
    public var text: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if isIPv4 {
            var v4 = in_addr()
            withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: bytes[12..<16]) }
            inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count))
        } else {
            var v6 = in6_addr()
            withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
        }
        return String(cString: buffer)
    }

    /// Whether the address is an IPv4 one (or IPv4-mapped IPv6, which is judged as IPv4).
    public var isIPv4: Bool { bytes.starts(with: Self.mappedPrefix) }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
}
