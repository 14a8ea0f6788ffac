import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NetworkAddresses
import Synchronization

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

    /// Runs on NIO's threads from start to end (resolution on its blocking pool, the request on
    /// an event loop): no step waits for a thread of Swift concurrency's pool, which the rest of
    /// the process shares.
    public func send(_ request: ScriptHTTPRequest, completion: @escaping @Sendable (ScriptHTTPResult) -> Void) {
        guard let components = URLComponents(string: request.url), let rawHost = components.host, !rawHost.isEmpty,
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return completion(.failure("invalid url"))
        }
        let host = EgressPolicy.normalizedHost(rawHost)
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(max(0, request.timeout.nanoseconds))
        if let literal = IPAddress(host) {
            return connect(request, host: host, port: port, addresses: [literal], named: false, deadline: deadline, completion)
        }
        resolver.resolve(host, port: port) { [self] resolved in
            guard case .success(let addresses) = resolved else { return completion(.failure("dns: cannot resolve \(host)")) }
            guard NIODeadline.now() < deadline else { return completion(.failure(ScriptHTTPResult.timeoutMessage)) }
            connect(request, host: host, port: port, addresses: addresses, named: true, deadline: deadline, completion)
        }
    }

    public func shutdown() async {
        await clients.shutdown()
    }

    private func connect(
        _ request: ScriptHTTPRequest, host: String, port: Int, addresses: [IPAddress], named: Bool, deadline: NIODeadline,
        _ completion: @escaping @Sendable (ScriptHTTPResult) -> Void
    ) {
        guard case .connect(let address) = policy.decide(host: host, port: port, addresses: addresses) else {
            return completion(.failure("host not allowed: \(host)"))
        }
        let client = clients.client(for: named ? host : nil, pinnedTo: address)
        let outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(
                url: request.url, method: HTTPMethod(rawValue: request.method),
                headers: HTTPHeaders(request.headers.map { ($0.name, $0.value) }),
                body: request.body.map { .bytes($0) })
        } catch {
            return completion(.failure("invalid url"))
        }
        let accumulator = ResponseAccumulator(request: outgoing, maxBodySize: HTTPLimits.maxBodyBytes)
        client.execute(request: outgoing, delegate: accumulator, deadline: deadline).futureResult.whenComplete { result in
            switch result {
            case .success(let response):
                var headers: [String: String] = [:]
                for (name, value) in response.headers {
                    let key = name.lowercased()
                    headers[key] = headers[key].map { $0 + ", " + value } ?? value
                }
                completion(.response(ScriptHTTPResponse(
                    status: Int(response.status.code), headers: headers,
                    body: response.body.map { Array($0.readableBytesView) } ?? [])))
            case .failure(let error):
                completion(.failure(Self.describe(error)))
            }
        }
    }

    /// A failure's kind and a short reason; never the request's headers or body.
    static func describe(_ error: any Error) -> String {
        switch error {
        case is NIOTooManyBytesError, is ResponseAccumulator.ResponseTooBigError:
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
            if case .connectTimeout = error { return ScriptHTTPResult.timeoutMessage }
            return "connect: \(error)"
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
final class PinnedClients: Sendable {
    static let connectionsPerHost = 512
    private struct Cache {
        var clients: [String: HTTPClient] = [:]
        var order: [String] = []
    }

    private let tls: TLSConfiguration
    private let limit: Int
    private let cache = Mutex(Cache())

    init(tls: TLSConfiguration, limit: Int) {
        self.tls = tls
        self.limit = max(1, limit)
    }

    /// The client for `host` (nil: the URL names the address itself) connecting to `address`.
    func client(for host: String?, pinnedTo address: IPAddress) -> HTTPClient {
        let text = address.text
        let key = (host ?? "") + "\u{0}" + text
        let (client, evicted) = cache.withLock { cache -> (HTTPClient, HTTPClient?) in
            if let client = cache.clients[key] {
                if let index = cache.order.firstIndex(of: key) { cache.order.remove(at: index) }
                cache.order.append(key)
                return (client, nil)
            }
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                                    configuration: configuration(host: host, address: text))
            cache.clients[key] = client
            cache.order.append(key)
            guard cache.order.count > limit else { return (client, nil) }
            return (client, cache.clients.removeValue(forKey: cache.order.removeFirst()))
        }
        evicted?.shutdown(queue: .global()) { _ in }
        return client
    }

    private func configuration(host: String?, address: String) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // A refused connection is the script's answer at once, not a retry until the budget ends.
        configuration.connectionPool.retryConnectionEstablishment = false
        // async-http-client's default of 8 connections per host would queue the 9th waiting
        // authentication behind the first eight; waiting authentications are meant to overlap.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.connectionsPerHost
        if let host { configuration.dnsOverride = [host: address] }
        return configuration
    }

    func shutdown() async {
        let all = cache.withLock { cache -> [HTTPClient] in
            defer { cache = Cache() }
            return Array(cache.clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}
