import ArgumentParser

// Placeholder until the subcommand is built; replaced by its real implementation.
struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "invoke")
    func run() async throws { throw ExitCode(ExitStatus.usage) }
}
