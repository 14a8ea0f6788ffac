import ArgumentParser
import ChatFunctions
import Foundation
import Logging

/// `sessiongate check [DIR]`: compiles every function; prints `FILE:LINE: message` per problem.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compiles every function in DIR and reports each problem as FILE:LINE: message."
    )

    @Argument(help: "The functions folder.")
    var directory: String = "./functions"

    func run() async throws {
        CLISupport.bootstrapQuietLogging()
        do {
            let folder = try FunctionFolder.read(directory)
            _ = try FunctionRunner(folder: folder, settings: RunnerSettings(logger: Logger(label: "sessiongate.check")))
            print("ok: \(folder.functions.count) function(s), \(folder.modules.count) module(s), version \(folder.version)")
        } catch {
            throw CLISupport.fail(loading: error, folder: directory, toStandardOutput: true)
        }
    }
}
