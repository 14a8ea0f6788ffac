import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NetworkAddresses

/// Scripts' requests to the network, on async-http-client (SPEC §3 `http`).
///
/// Egress is decided on the resolved address, and the connection goes to that very address:
/// the host is resolved here, the policy picks an address, and the request runs on a client
/// whose `dnsOverride` pins the host to it, so TLS still verifies the host's name and no
/// second lookup can answer differently (no DNS rebinding). Clients are kept per (host,
/// address), at most `maxClients`, each with its own connection pool. Redirects are returned,
/// not followed; certificates are always verified against the system's trust store.
public final class LiveHTTPTransport: HTTPTransport {
    private let policy: EgressPolicy
    private let resolver: any HostResolver
    private let clients: PinnedClients

    /// - Parameter extraTrustRoots: certificates trusted besides the system's; for tests that
    ///   run a TLS server with a certificate they made.
    public init(policy: EgressPolicy, resolver: any HostResolver = SystemResolver(),
                extraTrustRoots: [NIOSSLCertificate] = [], maxClients: Int = 64) {
        self.policy = policy
        self.resolver = resolver
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if !extraTrustRoots.isEmpty { tls.additionalTrustRoots = [.certificates(extraTrustRoots)] }
        clients = PinnedClients(tls: tls, limit: maxClients)
    }

    public func send(_ request: ScriptHTTPRequest, completion: @escaping @Sendable (ScriptHTTPResult) -> Void) {
        Task { completion(await perform(request)) }
    }

    public func shutdown() async {
        await clients.shutdown()
    }

    func perform(_ request: ScriptHTTPRequest) async -> ScriptHTTPResult {
        guard let components = URLComponents(string: request.url), let rawHost = components.host, !rawHost.isEmpty,
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return .failure("invalid url")
        }
        let host = EgressPolicy.normalizedHost(rawHost)
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(max(0, request.timeout.nanoseconds))
        let literal = IPAddress(host)
        let addresses: [IPAddress]
        if let literal {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolver.addresses(of: host, port: port)
            } catch {
                return .failure("dns: cannot resolve \(host)")
            }
            if NIODeadline.now() >= deadline { return .failure(ScriptHTTPResult.timeoutMessage) }
        }
        guard case .connect(let address) = policy.decide(host: host, port: port, addresses: addresses) else {
            return .failure("host not allowed: \(host)")
        }
        let client = await clients.client(for: literal == nil ? host : nil, pinnedTo: address)
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            let body = try await response.body.collect(upTo: HTTPLimits.maxBodyBytes)
            var headers: [String: String] = [:]
            for (name, value) in response.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { $0 + ", " + value } ?? value
            }
            return .response(ScriptHTTPResponse(status: Int(response.status.code), headers: headers,
                                                body: Array(body.readableBytesView)))
        } catch {
            return .failure(Self.describe(error))
        }
    }

    /// A failure's kind and a short reason; never the request's headers or body.
    static func describe(_ error: any Error) -> String {
        switch error {
        case is NIOTooManyBytesError:
            return "response too large"
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .cancelled: return ScriptHTTPResult.timeoutMessage
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout: return ScriptHTTPResult.timeoutMessage
            case .remoteConnectionClosed, .uncleanShutdown: return "reset: the connection was closed before the response"
            case .invalidURL, .emptyHost, .emptyScheme: return "invalid url"
            default: return "http: \(error)"
            }
        case let error as NIOSSLError:
            return "tls: \(error)"
        case is BoringSSLError:
            return "tls: certificate verification failed"
        case let error as NIOConnectionError:
            return "connect: " + (error.connectionErrors.first.map { Self.reason(of: $0.error) } ?? "cannot connect")
        case let error as IOError:
            return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE ? "reset: connection reset" : "connect: \(Self.reason(of: error))"
        case let error as ChannelError:
            return error == .connectTimeout(.zero) ? ScriptHTTPResult.timeoutMessage : "connect: \(error)"
        default:
            return "connect: \(Self.reason(of: error))"
        }
    }

    private static func reason(of error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case ENETUNREACH, EHOSTUNREACH: return "unreachable"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        if case ChannelError.connectTimeout = error { return "timed out" }
        return "\(error)"
    }
}

/// One client per host and pinned address, least recently used first out (and shut down:
/// async-http-client requires it).
actor PinnedClients {
    static let connectionsPerHost = 512
    private let tls: TLSConfiguration
    private let limit: Int
    private var clients: [String: HTTPClient] = [:]
    private var order: [String] = []

    init(tls: TLSConfiguration, limit: Int) {
        self.tls = tls
        self.limit = max(1, limit)
    }

    /// The client for `host` (nil: the URL names the address itself) connecting to `address`.
    func client(for host: String?, pinnedTo address: IPAddress) -> HTTPClient {
        let text = address.text
        let key = (host ?? "") + "\u{0}" + text
        if let client = clients[key] {
            if let index = order.firstIndex(of: key) { order.remove(at: index) }
            order.append(key)
            return client
        }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // A refused connection is the script's answer at once, not a retry until the budget ends.
        configuration.connectionPool.retryConnectionEstablishment = false
        // async-http-client's default of 8 connections per host would queue the 9th waiting
        // authentication behind the first eight; waiting authentications are meant to overlap.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = PinnedClients.connectionsPerHost
        if let host { configuration.dnsOverride = [host: text] }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        clients[key] = client
        order.append(key)
        if order.count > limit {
            let evicted = order.removeFirst()
            if let old = clients.removeValue(forKey: evicted) {
                Task { try? await old.shutdown() }
            }
        }
        return client
    }

    func shutdown() async {
        let all = Array(clients.values)
        clients = [:]
        order = []
        for client in all { try? await client.shutdown() }
    }
}

extension IPAddress {
    /// The address as text (`192.0.2.1`, `2001:db8::1`), IPv4 in its dotted form.
    var text: String {
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
}
