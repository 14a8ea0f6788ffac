import Hummingbird
import Logging
import NIOCore

/// The gateway's HTTP endpoints (SPEC §5), Hummingbird's router behind the NIO edge. They are
/// cold: each request runs in a task of its own and its whole response is collected before the
/// edge writes it.
struct HTTPRoutes: Sendable {
    struct CollectedResponse: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
    }

    let responder: RouterResponder<BasicRequestContext>
    let logger: Logger

    init(router: Router<BasicRequestContext>, logger: Logger) {
        responder = router.buildResponder()
        self.logger = logger
    }

    func respond(to head: HTTPRequest, body: ByteBuffer, channel: any Channel) async -> CollectedResponse {
        let request = Request(head: head, body: RequestBody(buffer: body))
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        do {
            let response = try await responder.respond(to: request, context: context)
            let collector = BodyCollector()
            try await response.body.write(collector)
            return CollectedResponse(status: response.status, headers: response.headers, body: collector.bytes.buffer)
        } catch {
            logger.debug("HTTP route failed", metadata: ["error": "\(error)"])
            return CollectedResponse(status: .internalServerError, headers: [:], body: ByteBuffer())
        }
    }
}

/// Gathers a response body in memory (the routes' bodies are small and already in memory).
private struct BodyCollector: ResponseBodyWriter {
    final class Bytes {
        var buffer = ByteBuffer()
    }

    let bytes = Bytes()

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        bytes.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
