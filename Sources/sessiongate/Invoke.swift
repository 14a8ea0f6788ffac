import ArgumentParser
import ChatFunctions
import Foundation
import Logging
import NetworkAddresses
import SessionCore
import StrictJSON

/// `sessiongate invoke [DIR] --username U [--auth-params JSON]`: one authenticated start
/// against an empty store, printed as one JSON object.
struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Runs the authentication pipeline once against an empty store and prints the verdict as JSON."
    )

    @Argument(help: "The functions folder.")
    var directory: String = "./functions"

    @Option(help: "The username of the start.")
    var username: String

    @Option(help: "The auth params, a JSON object (default {}).")
    var authParams: String?

    @Option(help: ArgumentHelp(
        "Hosts functions may call with http, as serve takes them (default: any host whose every address is public).",
        valueName: "hosts"))
    var httpAllow: String?

    func run() async throws {
        let params = try CLISupport.authParams(authParams)
        let allowList = try httpAllow.map { text in try OptionValues.httpAllow(text, option: "--http-allow") }
        CLISupport.bootstrapQuietLogging()
        let logger = Logger(label: "sessiongate.invoke")
        let pool: FunctionPool
        do {
            pool = try FunctionPool(folder: directory, options: FunctionPoolOptions(
                workers: 1, secrets: CLISupport.environmentSecrets, logger: logger,
                http: LiveHTTPTransport(policy: EgressPolicy(allowList: allowList))))
        } catch {
            throw CLISupport.fail(loading: error, folder: directory, toStandardOutput: false)
        }
        let service = SessionService(
            store: MemoryUserStore(), authenticator: pool,
            options: SessionOptions(guestsAllowed: true, usernameFailureLimit: nil, addressFailureLimit: nil),
            logger: logger)
        let result = await service.start(
            StartRequest(username: .string(username), authParams: .object(params), remoteAddress: "127.0.0.1",
                         userAgent: "sessiongate-invoke", origin: nil),
            onServerEnd: { _, _ in })
        await service.shutdown()
        await pool.shutdown()
        var verdict = JSONObject()
        switch result {
        case .success(let session):
            verdict["allowed"] = .bool(true)
            verdict["user"] = session.user.jsonValue
            CLISupport.write(.object(verdict))
        case .failure(let error):
            verdict["allowed"] = .bool(false)
            verdict["error"] = error.jsonValue
            CLISupport.write(.object(verdict))
            throw ExitCode(ExitStatus.failure)
        }
    }
}
