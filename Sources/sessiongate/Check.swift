import ArgumentParser

// Placeholder until the subcommand is built; replaced by its real implementation.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check")
    func run() async throws { throw ExitCode(ExitStatus.usage) }
}
