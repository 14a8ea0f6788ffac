import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A real HTTP server on 127.0.0.1 for the `http` library's tests: every connection the tests
/// make stays on loopback. Routes: `/echo` (the request as JSON), `/slow?ms=N`, `/big?bytes=N`,
/// `/redirect` (302), `/status/N`, `/reset` (closes the connection without answering).
final class TestBackend: Sendable {
    let port: Int
    private let channel: any Channel
    let requestCount = Atomic<Int>(0)

    static func start(tls: NIOSSLContext? = nil) async throws -> TestBackend {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(BackendHandler(counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestBackend(channel: channel, counter: counter)
    }

    private let counter: Counter

    private init(channel: any Channel, counter: Counter) {
        self.channel = channel
        self.counter = counter
        port = channel.localAddress!.port!
    }

    var requestsServed: Int { counter.value.load(ordering: .relaxed) }

    func url(_ path: String, scheme: String = "http", host: String = "127.0.0.1") -> String {
        "\(scheme)://\(host):\(port)\(path)"
    }

    func stop() async { try? await channel.close() }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}

private final class BackendHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let counter: TestBackend.Counter
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(counter: TestBackend.Counter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            counter.value.add(1, ordering: .relaxed)
            guard let head else { return }
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let components = URLComponents(string: head.uri)
        let path = components?.path ?? head.uri
        let query = Dictionary(uniqueKeysWithValues: (components?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        switch path {
        case "/echo":
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let object: [String: Any] = [
                "method": "\(head.method.rawValue)", "uri": head.uri, "headers": headers,
                "body": String(decoding: body, as: UTF8.self),
            ]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            send(.ok, Array(data), context: context, extra: [("content-type", "application/json"), ("x-test", "a"), ("X-Test", "b")])
        case "/slow":
            let ms = Int64(query["ms"] ?? "100") ?? 100
            let loop = context.eventLoop
            let boxed = NIOLoopBound(context, eventLoop: loop)
            loop.scheduleTask(in: .milliseconds(ms)) { self.send(.ok, Array("slow".utf8), context: boxed.value) }
        case "/big":
            send(.ok, [UInt8](repeating: 0x78, count: Int(query["bytes"] ?? "0") ?? 0), context: context)
        case "/redirect":
            send(.found, [], context: context, extra: [("location", "/echo")])
        case "/reset":
            context.close(promise: nil)
        default:
            if path.hasPrefix("/status/"), let code = Int(path.dropFirst(8)) {
                // 204 and 304 carry no body; a body there would be read as the next response.
                let body = code == 204 || code == 304 ? [] : Array("status \(code)".utf8)
                send(HTTPResponseStatus(statusCode: code), body, context: context)
            } else {
                send(.notFound, [], context: context)
            }
        }
    }

    private func send(_ status: HTTPResponseStatus, _ bytes: [UInt8], context: ChannelHandlerContext,
                      extra: [(String, String)] = []) {
        var headers = HTTPHeaders(extra)
        headers.add(name: "content-length", value: String(bytes.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// A TCP port on 127.0.0.1 bound by a socket that never listens: connecting to it is refused.
struct RefusingPort {
    struct Failure: Error {}

    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw Failure()
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(descriptor) }
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command (the
/// test trusts it through `LiveHTTPTransport`'s extra trust roots).
enum BackendCertificate {
    static func make() throws -> (context: NIOSSLContext, certificate: NIOSSLCertificate) {
        let folder = NSTemporaryDirectory() + "sessiongate-backend-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let certificate = try NIOSSLCertificate(file: folder + "/cert.pem", format: .pem)
        let key = try NIOSSLPrivateKey(file: folder + "/key.pem", format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        return (try NIOSSLContext(configuration: configuration), certificate)
    }
}
