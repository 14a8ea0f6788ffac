import ArgumentParser
import Foundation
import Logging
import SessionGateClient

/// `sessiongate connect URL --username U [--auth-params JSON]` (SPEC §1): a client that
/// starts a session, prints the reply as one JSON line, and holds the session until
/// Ctrl-C or the end of standard input.
struct Connect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Start a session on a gateway and hold it until Ctrl-C or the end of standard input.",
        discussion: """
            Prints the gateway's reply as one JSON line: {"succeeded":true,"session":{…}} or \
            {"succeeded":false,"error":{…}}. If the gateway ends the session, prints its \
            sessionEnded event as a JSON line and exits. Exit status: 0 when the session was \
            held and ended, 1 when it could not start (or the connection was lost), 2 for bad usage.
            """
    )

    @Argument(help: "The gateway: ws://HOST:PORT/v1/session, or http://HOST:PORT.")
    var url: String

    @Option(help: "The username to start the session for.")
    var username: String

    @Option(help: "Auth params as a JSON object, for example '{\"password\":\"…\"}'. Without it the start is a guest start.")
    var authParams: String?

    func validate() throws {
        guard SessionGateClient.webSocketURL(for: url) != nil else {
            throw ValidationError("'\(url)' is not a ws://, wss://, http:// or https:// URL with a host")
        }
        _ = try parsedAuthParams()
    }

    func run() async throws {
        let stopSignals = StopSignals()
        var logger = Logger(label: "sessiongate.connect")
        logger.logLevel = .warning
        let client = SessionGateClient(url: url, configuration: .init(logger: logger))
        stopSignals.watch(client.sessionEndedEvents())

        let result = await client.startSession(username: username, authParams: try parsedAuthParams())
        Self.printLine(result.jsonText)
        guard result.session != nil else {
            if let error = result.error, error.code.isTransport {
                Self.printError("sessiongate connect: \(error.message)")
            }
            await client.close()
            throw ExitCode(ExitStatus.failure)
        }

        switch await stopSignals.first() {
        case .interrupted, .inputClosed:
            do {
                try await client.endSession()
            } catch {
                // The session may have ended on the gateway's side a moment ago; nothing to undo.
                Self.printError("sessiongate connect: ending the session: \(error.message)")
            }
            await client.close()
        case .sessionEnded(let event):
            Self.printLine(event.jsonText)
            await client.close()
            if event.reason == .connectionLost {
                throw ExitCode(ExitStatus.failure)
            }
        }
    }

    /// The `--auth-params` object, `nil` for a guest start; a usage error when it is not a JSON object.
    private func parsedAuthParams() throws -> JSONObject? {
        guard let authParams else { return nil }
        return try CLISupport.authParams(authParams)
    }

    private static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
