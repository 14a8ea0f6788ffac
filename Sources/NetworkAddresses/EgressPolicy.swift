/// Where a Lua script's `http` call may connect, per `--http-allow` (SPEC §1, §3).
///
/// The decision is made on the resolved addresses and names the one address to connect to,
/// so the connection goes to the address that was checked: resolving the name again could
/// answer differently (DNS rebinding).
public struct EgressPolicy: Sendable {
    /// `nil` when `--http-allow` is unset.
    public let allowList: HTTPAllowList?

    public init(allowList: HTTPAllowList?) {
        self.allowList = allowList
    }

    /// Decides a call to `host` (the URL's host as given: a name, an IPv4 literal or a bracketed
    /// IPv6 literal) on `port`, whose name resolved to `addresses`, in resolution order (for a
    /// literal, that address alone).
    ///
    /// Without an allow list, every address must be public: one private address among public
    /// ones refuses the call, since the caller cannot tell which one a retry would get.
    /// With one, only the listed hosts, whatever their addresses: a name or wildcard entry
    /// allows the first address; an address or CIDR entry allows the first address inside it.
    public func decide(host: String, port: Int, addresses: [IPAddress]) -> EgressDecision {
        guard let first = addresses.first else { return .refuse }
        guard let allowList else {
            return addresses.allSatisfy(\.isPublic) ? .connect(first) : .refuse
        }
        let name = Self.normalizedHost(host)
        // An IP literal is never a host name, so it can only match an address or CIDR entry.
        if allowList.allowsName(name, port: port) {
            return .connect(first)
        }
        if let allowed = addresses.first(where: { allowList.allowsAddress($0, port: port) }) {
            return .connect(allowed)
        }
        return .refuse
    }

    /// A host as allow-list entries are matched against it: lowercase, without the brackets
    /// of an IPv6 literal and without one trailing dot (`API.Example.com.` is `api.example.com`).
    public static func normalizedHost(_ host: some StringProtocol) -> String {
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = String(text.dropFirst().dropLast())
        }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// The outcome of `EgressPolicy.decide`.
public enum EgressDecision: Equatable, Sendable {
    /// Connect to this address, the one that was checked.
    case connect(IPAddress)
    /// `"host not allowed: HOST"`.
    case refuse
}
