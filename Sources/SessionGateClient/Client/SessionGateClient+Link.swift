import HummingbirdWSClient
import Logging

/// The connection and the requests in flight: opening the WebSocket on demand,
/// matching replies to requests by `ref`, and cleaning up when the connection ends.
extension SessionGateClient {
    typealias LinkWaiter = CheckedContinuation<Result<WebSocketOutboundWriter, SessionGateError>, Never>
    typealias ReplyResult = Result<JSONObject, SessionGateError>

    enum LinkState {
        case idle
        case connecting(generation: UInt64, waiters: [LinkWaiter])
        case open(generation: UInt64, outbound: WebSocketOutboundWriter)
    }

    /// A request waiting for its reply.
    struct PendingReply {
        enum Stage {
            /// Being written; nobody waits on it yet.
            case writing
            /// The caller waits for the reply.
            case waiting(CheckedContinuation<ReplyResult, Never>)
            /// The reply came while the request was still being written.
            case arrived(ReplyResult)
        }

        let op: String
        var stage: Stage
    }

    /// Sends `request` with a fresh `ref` and waits for the reply with that `ref`.
    func send(_ request: JSONObject) async -> ReplyResult {
        let op = request["op"]?.stringValue ?? "?"
        lastRef += 1
        let ref = String(lastRef)
        var message = request
        message["ref"] = .string(ref)
        let text: String
        do {
            text = try JSONValue.object(message).encodedStrict()
        } catch {
            return .failure(SessionGateError(
                code: .invalidAuthParams,
                message: "authParams hold a number JSON cannot express (NaN or infinity)"
            ))
        }
        let outbound: WebSocketOutboundWriter
        switch await openLink() {
        case .success(let writer): outbound = writer
        case .failure(let error): return .failure(error)
        }

        pending[ref] = PendingReply(op: op, stage: .writing)
        let timeout = configuration.requestTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.resolve(ref, with: .failure(SessionGateError(
                code: .timeout,
                message: "No reply to \(op) within \(timeout)"
            )))
        }
        defer { timer.cancel() }

        logger.debug("sending request", metadata: ["op": "\(op)", "ref": "\(ref)"])
        do {
            try await outbound.write(.text(text))
        } catch {
            resolve(ref, with: .failure(.connectionLost("Could not send the request: \(error)")))
        }
        switch pending[ref]?.stage {
        case .arrived(let result)?:
            pending[ref] = nil
            return result
        case .writing?:
            return await withCheckedContinuation { continuation in
                pending[ref]?.stage = .waiting(continuation)
            }
        case .waiting?, nil:
            // Only this function waits on its own ref; a missing entry means it was settled.
            return .failure(.connectionLost())
        }
    }

    /// Settles the request `ref`, whatever stage it is in.
    func resolve(_ ref: String, with result: ReplyResult) {
        guard let entry = pending[ref] else { return }
        switch entry.stage {
        case .writing:
            pending[ref]?.stage = .arrived(result)
        case .waiting(let continuation):
            pending[ref] = nil
            continuation.resume(returning: result)
        case .arrived:
            break
        }
    }

    /// The open connection's writer, opening the connection when there is none.
    func openLink() async -> Result<WebSocketOutboundWriter, SessionGateError> {
        if isClosed {
            return .failure(SessionGateError(code: .connectionFailed, message: "The client is closed"))
        }
        switch link {
        case .open(_, let outbound):
            return .success(outbound)
        case .connecting:
            break
        case .idle:
            guard let webSocketURL else {
                return .failure(.connectionFailed("'\(url)' is not a ws://, wss://, http:// or https:// URL with a host"))
            }
            linkGeneration += 1
            link = .connecting(generation: linkGeneration, waiters: [])
            linkTask = startLink(to: webSocketURL, generation: linkGeneration)
        }
        return await withCheckedContinuation { continuation in
            guard case .connecting(let generation, var waiters) = link else {
                // Settled in the meantime; look again.
                continuation.resume(returning: linkResultNow())
                return
            }
            waiters.append(continuation)
            link = .connecting(generation: generation, waiters: waiters)
        }
    }

    private func linkResultNow() -> Result<WebSocketOutboundWriter, SessionGateError> {
        if case .open(_, let outbound) = link { return .success(outbound) }
        return .failure(.connectionFailed("the connection closed while opening"))
    }

    /// Runs one WebSocket connection to its end, feeding its messages to the actor.
    private func startLink(to webSocketURL: String, generation: UInt64) -> Task<Void, Never> {
        let configuration = self.configuration
        logger.debug("connecting", metadata: ["url": "\(webSocketURL)"])
        return Task { [weak self] in
            let detail: String
            do {
                let closeFrame = try await WebSocketClient.connect(
                    url: webSocketURL,
                    configuration: WebSocketClientConfiguration(maxFrameSize: configuration.maximumMessageSize),
                    logger: configuration.logger
                ) { [weak self] inbound, outbound, _ in
                    await self?.linkOpened(generation: generation, outbound: outbound)
                    for try await message in inbound.messages(maxSize: configuration.maximumMessageSize) {
                        // No strong reference across iterations: a client nobody holds goes away.
                        guard let client = self else { return }
                        switch message {
                        case .text(let text):
                            await client.received(text, generation: generation)
                        case .binary:
                            configuration.logger.warning("ignoring a binary message from the gateway")
                        }
                    }
                }
                detail = closeFrame.map { "closed by the gateway (\($0.closeCode))" } ?? "closed"
            } catch {
                detail = "\(error)"
            }
            await self?.linkEnded(generation: generation, detail: detail)
        }
    }

    private func linkOpened(generation: UInt64, outbound: WebSocketOutboundWriter) {
        guard generation == linkGeneration, case .connecting(_, let waiters) = link else { return }
        logger.debug("connected")
        link = .open(generation: generation, outbound: outbound)
        for waiter in waiters {
            waiter.resume(returning: .success(outbound))
        }
    }

    private func linkEnded(generation: UInt64, detail: String) {
        guard generation == linkGeneration else { return }
        logger.debug("connection ended", metadata: ["detail": "\(detail)"])
        if case .connecting(_, let waiters) = link {
            for waiter in waiters {
                waiter.resume(returning: .failure(.connectionFailed(detail)))
            }
        }
        link = .idle
        linkTask = nil
        for ref in pending.keys {
            resolve(ref, with: .failure(.connectionLost("The connection to the gateway closed before the reply (\(detail))")))
        }
        if let lost = session {
            session = nil
            if !isClosed {
                events.publish(SessionEndedEvent(sessionId: lost.id, reason: .connectionLost))
            }
        }
    }

    /// Handles one message from the gateway: an event, or the reply to a request.
    private func received(_ text: String, generation: UInt64) {
        guard generation == linkGeneration else { return }
        guard case .object(let object)? = try? JSONParser.parse(text) else {
            logger.warning("ignoring a message from the gateway that is not a JSON object")
            return
        }
        if let event = object["event"] {
            receivedEvent(event, object)
            return
        }
        guard let ref = object["ref"]?.stringValue, let entry = pending[ref] else {
            logger.warning("ignoring a reply that answers no request in flight")
            return
        }
        // Session state changes here, in message order, not when the caller resumes.
        if case .success = Self.outcome(of: object) {
            switch entry.op {
            case "startSession":
                session = try? Session(wire: object["session"] ?? .null)
            case "endSession":
                session = nil
            default:
                break
            }
        }
        resolve(ref, with: .success(object))
    }

    private func receivedEvent(_ event: JSONValue, _ object: JSONObject) {
        guard event == "sessionEnded",
              let sessionId = object["sessionId"]?.stringValue,
              let reason = object["reason"]?.stringValue
        else {
            logger.debug("ignoring an unknown event")
            return
        }
        if session?.id == sessionId {
            session = nil
        }
        events.publish(SessionEndedEvent(sessionId: sessionId, reason: .init(rawValue: reason)))
    }

    /// Closes the connection with a closing handshake, forcing it after the close timeout.
    func shutDownLink() async {
        guard let task = linkTask else { return }
        if case .open(_, let outbound) = link {
            try? await outbound.close(.normalClosure, reason: nil)
        } else {
            task.cancel()
        }
        let limit = configuration.closeTimeout
        let watchdog = Task {
            try? await Task.sleep(for: limit)
            if !Task.isCancelled { task.cancel() }
        }
        await task.value
        watchdog.cancel()
    }
}
