import ArgumentParser
import Foundation

/// The `sessiongate` executable (SPEC §1). Each subcommand lives in a file of its own.
@main
struct SessionGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessiongate",
        abstract: "A session gateway whose authentication is decided by Lua chat functions.",
        subcommands: [Serve.self, TestFunctions.self, Check.self, Invoke.self, Connect.self, Bench.self]
    )

    /// Runs the command line; usage errors exit 2, not swift-argument-parser's 64 (SPEC §1).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            finish(with: error)
        }
    }

    static func finish(with error: Error) -> Never {
        let code = exitCode(for: error)
        if code == .validationFailure {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.usage)
        }
        Self.exit(withError: error as Error?)
    }
}

/// Exit codes of every command (SPEC §1).
enum ExitStatus {
    static let success: Int32 = 0
    /// A test or check failed, a denial (`invoke`), or a session could not start (`connect`).
    static let failure: Int32 = 1
    /// Bad usage or a file that cannot be read.
    static let usage: Int32 = 2
}
