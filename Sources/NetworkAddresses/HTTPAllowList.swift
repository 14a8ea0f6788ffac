/// The hosts that Lua scripts may call with `http`, as `--http-allow` lists them
/// (`api.example.com, *.example.com, internal.example.com:8443, 10.0.0.0/8`).
public struct HTTPAllowList: Hashable, Sendable {
    /// One comma-separated entry of `--http-allow`.
    public enum Entry: Hashable, Sendable {
        /// `api.example.com`, stored lowercase and without a trailing dot; with `:PORT`, only that port.
        case host(String, port: Int?)
        /// `*.example.com`, stored as `example.com`: any name below it at any depth, not the name
        /// itself, because a wildcard that also allowed the apex would say more than it shows.
        case subdomains(of: String, port: Int?)
        /// An address (`192.0.2.7`, `2001:db8::7`, `[2001:db8::7]`) or a CIDR block (`10.0.0.0/8`,
        /// `fd00::/8`); a single address may carry a port (`192.0.2.7:8080`, `[2001:db8::7]:8443`).
        case addresses(IPAddressRange, port: Int?)
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses the `--http-allow` value; throws the first entry that does not parse, an empty
    /// one included (`a,,b`, a trailing comma), since that is more likely a typo than intent.
    public init(_ text: String) throws(InvalidEntry) {
        entries = try text.split(separator: ",", omittingEmptySubsequences: false).map { entry throws(InvalidEntry) in
            try Entry(entry)
        }
    }

    /// An entry that is not a host name, a wildcard, an address or a CIDR block; `text` is the
    /// entry as given (trimmed), so the command line can quote it.
    public struct InvalidEntry: Error, Equatable, CustomStringConvertible {
        public var text: String

        public var description: String { "not a host, address or CIDR: '\(text)'" }
    }

    /// Whether a name or wildcard entry allows this host, already normalised
    /// (`EgressPolicy.normalizedHost`) and not an IP literal.
    func allowsName(_ host: String, port: Int) -> Bool {
        guard Self.isHostName(host) else { return false }
        return entries.contains { entry in
            switch entry {
            case .host(let name, let entryPort):
                name == host && (entryPort ?? port) == port
            case .subdomains(let domain, let entryPort):
                host.hasSuffix("." + domain) && (entryPort ?? port) == port
            case .addresses:
                false
            }
        }
    }

    /// Whether an address or CIDR entry covers this address on this port.
    func allowsAddress(_ address: IPAddress, port: Int) -> Bool {
        entries.contains { entry in
            guard case .addresses(let range, let entryPort) = entry else { return false }
            return range.contains(address) && (entryPort ?? port) == port
        }
    }

    /// A DNS host name of letters, digits, `-` and `_` (already lowercase): labels of 1 to 63
    /// characters that neither start nor end with `-`, at most 253 in all. A name whose last
    /// label is all digits (`1.2.3`) is refused, because URL parsers read it as an IPv4 number.
    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let labelsValid = labels.allSatisfy { label in
            (1...63).contains(label.utf8.count)
                && label.utf8.allSatisfy { isLowercaseLetterOrDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                && label.first != "-" && label.last != "-"
        }
        guard labelsValid, let last = labels.last else { return false }
        return !last.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLowercaseLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

extension HTTPAllowList.Entry {
    /// Parses one entry; see the cases for the forms. An IPv6 address with a port needs
    /// brackets (`[::1]:8080`): bare, `::1:8080` is itself an IPv6 address.
    init(_ text: some StringProtocol) throws(HTTPAllowList.InvalidEntry) {
        let entry = text.trimmingWhitespace()
        let invalid = HTTPAllowList.InvalidEntry(text: entry)
        // Whitespace inside an entry (`api.example.com :443`) is a typo, not a separator.
        guard !entry.isEmpty, !entry.contains(where: \.isWhitespace) else { throw invalid }
        if entry.hasPrefix("[") {
            // `[v6]` or `[v6]:PORT`; brackets only ever hold a single IPv6 address.
            guard let close = entry.firstIndex(of: "]") else { throw invalid }
            let inner = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            guard inner.contains(":"), !inner.contains("/"), let range = IPAddressRange(inner) else { throw invalid }
            if rest.isEmpty {
                self = .addresses(range, port: nil)
                return
            }
            guard rest.hasPrefix(":"), let port = Self.port(rest.dropFirst()) else { throw invalid }
            self = .addresses(range, port: port)
            return
        }
        if entry.contains("/") {
            guard let range = IPAddressRange(entry) else { throw invalid }
            self = .addresses(range, port: nil)
            return
        }
        if let range = IPAddressRange(entry) {
            self = .addresses(range, port: nil)
            return
        }
        var hostPart = Substring(entry)
        var port: Int?
        if let colon = entry.lastIndex(of: ":") {
            guard let given = Self.port(entry[entry.index(after: colon)...]) else { throw invalid }
            hostPart = entry[..<colon]
            port = given
        }
        if !hostPart.contains(":"), let range = IPAddressRange(hostPart) {
            self = .addresses(range, port: port)
            return
        }
        let name = EgressPolicy.normalizedHost(hostPart)
        if name.hasPrefix("*.") {
            let domain = String(name.dropFirst(2))
            guard HTTPAllowList.isHostName(domain) else { throw invalid }
            self = .subdomains(of: domain, port: port)
            return
        }
        guard HTTPAllowList.isHostName(name) else { throw invalid }
        self = .host(name, port: port)
    }

    /// A port of 1 to 65535 in plain decimal digits (no sign, no spaces).
    private static func port(_ text: Substring) -> Int? {
        guard (1...5).contains(text.utf8.count),
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let port = Int(text), (1...65535).contains(port) else { return nil }
        return port
    }
}
