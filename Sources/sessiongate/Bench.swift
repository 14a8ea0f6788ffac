import ArgumentParser

// Placeholder until the subcommand is built; replaced by its real implementation.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench")
    func run() async throws { throw ExitCode(ExitStatus.usage) }
}
