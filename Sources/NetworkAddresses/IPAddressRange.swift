/// An address or a CIDR block (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`), as the edge options
/// `--trusted-proxies` take them.
public struct IPAddressRange: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    /// Leading bits that must match, counted on the 128-bit form.
    public let prefixLength: Int
    public let description: String

    /// Parses `ADDRESS` or `ADDRESS/BITS`; `nil` when either part is not valid.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var bits = maximum
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...maximum).contains(given), !parts[1].hasPrefix("+") else { return nil }
            bits = given
        }
        network = address
        prefixLength = bits + (address.isIPv4 ? 96 : 0)
        description = trimmed
    }

    public func contains(_ address: IPAddress) -> Bool {
        var remaining = prefixLength
        for index in 0..<16 where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address.bytes[index] & mask != network.bytes[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// A comma-separated list; throws the first entry that does not parse.
    public static func list(_ text: String) throws(InvalidEntry) -> [IPAddressRange] {
        try text.split(separator: ",").map { entry throws(InvalidEntry) in
            guard let range = IPAddressRange(entry) else { throw InvalidEntry(text: entry.trimmingWhitespace()) }
            return range
        }
    }

    public struct InvalidEntry: Error, Equatable {
        public var text: String
        public init(text: String) { self.text = text }
    }
}

extension StringProtocol {
    package func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
