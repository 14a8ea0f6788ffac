import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import NIOSSL
import StrictJSON
import Testing

/// A WebSocket client for the end-to-end tests: sends raw frames or JSON requests and reads
/// the server's messages in order, each with a timeout.
final class WebSocketTestClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private enum Command: Sendable {
        case write(WebSocketOutboundWriter.OutboundFrame)
        case close
    }

    private let inbox: Inbox<WebSocketMessage>
    private let commands: AsyncStream<Command>.Continuation
    private let connection: Task<WebSocketCloseFrame?, any Error>

    private init(
        inbox: Inbox<WebSocketMessage>,
        commands: AsyncStream<Command>.Continuation,
        connection: Task<WebSocketCloseFrame?, any Error>
    ) {
        self.inbox = inbox
        self.commands = commands
        self.connection = connection
    }

    /// Connects to `url` and returns once the upgrade is done.
    static func connect(to url: String, headers: HTTPFields = [:], tls: TLSConfiguration? = nil) async throws -> WebSocketTestClient {
        let (commandStream, commands) = AsyncStream.makeStream(of: Command.self)
        let (readyStream, ready) = AsyncStream.makeStream(of: Void.self)
        let inbox = Inbox<WebSocketMessage>()
        var logger = Logger(label: "test-client")
        logger.logLevel = .warning
        let connection = Task {
            defer { ready.finish() }
            return try await WebSocketClient.connect(
                url: url,
                configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers),
                tlsConfiguration: tls,
                logger: logger
            ) { inbound, outbound, _ in
                ready.yield()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            await inbox.push(message)
                        }
                    }
                    group.addTask {
                        for await command in commandStream {
                            switch command {
                            case .write(let frame):
                                try await outbound.write(frame)
                            case .close:
                                try await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                        }
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
                await inbox.finish()
            }
        }
        for await _ in readyStream {
            return WebSocketTestClient(inbox: inbox, commands: commands, connection: connection)
        }
        _ = try await connection.value
        throw Failure(description: "the connection closed before the upgrade")
    }

    // MARK: Sending

    func send(text: String) {
        commands.yield(.write(.text(text)))
    }

    func send(_ request: JSONObject) {
        send(text: JSONValue.object(request).encoded())
    }

    func send(binary bytes: [UInt8]) {
        commands.yield(.write(.binary(ByteBuffer(bytes: bytes))))
    }

    /// A text message split over several frames.
    func send(fragments: [String]) {
        for (index, fragment) in fragments.enumerated() {
            let isLast = index == fragments.count - 1
            commands.yield(.write(.custom(.init(
                fin: isLast,
                opcode: index == 0 ? .text : .continuation,
                data: ByteBuffer(string: fragment)
            ))))
        }
    }

    /// A text frame holding `bytes` as they are, valid UTF-8 or not.
    func send(textFrameBytes bytes: [UInt8]) {
        commands.yield(.write(.custom(.init(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes)))))
    }

    // MARK: Receiving

    /// The next message's text.
    func receiveText(timeout: Duration = .seconds(5)) async throws -> String {
        guard let message = await inbox.next(timeout: timeout) else {
            throw Failure(description: "no message within \(timeout)")
        }
        guard case .text(let text) = message else {
            throw Failure(description: "expected a text message, got \(message)")
        }
        return text
    }

    /// The next message as a JSON object.
    func receive(timeout: Duration = .seconds(5)) async throws -> JSONObject {
        let text = try await receiveText(timeout: timeout)
        guard case .object(let object) = try JSONParser.parse(text) else {
            throw Failure(description: "not a JSON object: \(text)")
        }
        return object
    }

    /// Sends `request` and returns the reply.
    func request(_ request: JSONObject) async throws -> JSONObject {
        send(request)
        return try await receive()
    }

    // MARK: Closing

    /// Closes from the client side and waits for the connection to end: at most `timeout`, after
    /// which the connection is dropped, so that a lost close handshake cannot hang a test.
    func close(timeout: Duration = .seconds(10)) async {
        commands.yield(.close)
        commands.finish()
        let connection = self.connection
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await connection.value }
            group.addTask {
                // Cancelled (and so returning early) once the connection has ended.
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                connection.cancel()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Waits until the server closes the connection; returns its close frame, if it sent one.
    func closedByServer(timeout: Duration = .seconds(5)) async throws -> WebSocketCloseFrame? {
        let result = try await withThrowingTaskGroup(of: WebSocketCloseFrame??.self) { group in
            group.addTask { try await .some(self.connection.value) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .none
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        guard let closeFrame = result else {
            throw Failure(description: "the server did not close the connection within \(timeout)")
        }
        commands.finish()
        return closeFrame
    }
}
