import ArgumentParser

// Placeholder until the subcommand is built; replaced by its real implementation.
struct TestFunctions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test")
    func run() async throws { throw ExitCode(ExitStatus.usage) }
}
