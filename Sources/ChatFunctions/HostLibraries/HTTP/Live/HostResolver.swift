import Foundation
import NIOPosix
import NetworkAddresses

/// Resolves a host name to its addresses for the egress decision. Tests give their own, so
/// that a name resolving to a refused address can be checked without any lookup.
public protocol HostResolver: Sendable {
    /// Calls `completion` once, on any thread.
    func resolve(_ host: String, port: Int, completion: @escaping @Sendable (Result<[IPAddress], any Error>) -> Void)
}

/// The system's resolver (`getaddrinfo`), run on NIO's blocking-work thread pool so that a
/// slow lookup holds neither an event loop nor a Lua worker.
public struct SystemResolver: HostResolver {
    public struct Failure: Error {
        public init() {}
    }

    public init() {}

    public func resolve(_ host: String, port: Int, completion: @escaping @Sendable (Result<[IPAddress], any Error>) -> Void) {
        NIOThreadPool.singleton.submit { state in
            guard case .active = state else { return completion(.failure(Failure())) }
            completion(Result { try Self.lookUp(host, port: port) })
        }
    }

    private static func lookUp(_ host: String, port: Int) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw Failure() }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = Self.address(current.pointee), !addresses.contains(address) { addresses.append(address) }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    private static func address(_ info: addrinfo) -> IPAddress? {
        switch info.ai_family {
        case AF_INET:
            let v4 = info.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            return withUnsafeBytes(of: v4) { IPAddress(bytes: $0) }
        case AF_INET6:
            let v6 = info.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            return withUnsafeBytes(of: v6) { IPAddress(bytes: $0) }
        default:
            return nil
        }
    }
}
