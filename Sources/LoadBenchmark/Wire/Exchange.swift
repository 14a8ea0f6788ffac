import HummingbirdWSClient

/// One open WebSocket connection as the tool drives it: send a request, then read messages
/// until the reply with the matching `ref` (server events in between are skipped). While it
/// waits, the client library answers the gateway's WebSocket pings.
struct Exchange {
    private var messages: WebSocketInboundMessageStream.AsyncIterator
    let outbound: WebSocketOutboundWriter

    init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
        self.messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
        self.outbound = outbound
    }

    /// Sends `text` and returns the reply that echoes `ref`.
    mutating func request(_ text: String, ref: String) async throws -> ScannedReply {
        try await outbound.write(.text(text))
        return try await reply(ref: ref)
    }

    /// Reads until the reply that echoes `ref`; throws when the connection ends first.
    mutating func reply(ref: String) async throws -> ScannedReply {
        while let message = try await messages.next() {
            guard case .text(let text) = message else { continue }
            let reply = ScannedReply(scanning: text)
            if reply.ref == ref { return reply }
        }
        throw TransportFailure.closedBeforeReply
    }
}
