import Foundation
import NIOPosix
import NetworkAddresses

/// Resolves a host name to its addresses for the egress decision. Tests give their own, so
/// that a name resolving to a refused address can be checked without any lookup.
public protocol HostResolver: Sendable {
    func addresses(of host: String, port: Int) async throws -> [IPAddress]
}

/// The system's resolver (`getaddrinfo`), run on NIO's blocking-work thread pool so that a
/// slow lookup holds neither an event loop nor a Lua worker.
public struct SystemResolver: HostResolver {
    public struct Failure: Error {
        public init() {}
    }

    public init() {}

    public func addresses(of host: String, port: Int) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
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
    }

    private static func address(_ info: addrinfo) -> IPAddress? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch info.ai_family {
        case AF_INET:
            var v4 = info.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count))
        case AF_INET6:
            var v6 = info.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
        default:
            return nil
        }
        return IPAddress(String(cString: buffer))
    }
}
