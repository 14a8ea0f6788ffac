import ArgumentParser
import Foundation
import FunctionTestKit

/// `sessiongate test [DIR]` (SPEC §4): runs the Lua tests of a functions folder. The work is
/// `FunctionTestRunner`'s; this prints its report as it comes and maps it to an exit status.
struct TestFunctions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Runs the Lua tests (*_test.lua) of the functions in DIR and DIR/tests.",
        discussion: """
            Each test file runs in a sandboxed Lua state of its own with a busted-style API \
            (describe, it, before_each, after_each, assert.*); authenticate{…} runs the whole \
            chain of DIR against an empty store, and given.secret, given.user and given.now set \
            the fixtures of one test. Exit status: 0 all passed, 1 a test failed or a function \
            does not compile, 2 bad usage or an unreadable DIR.
            """
    )

    @Argument(help: "The functions folder.")
    var directory: String = "./functions"

    @Option(name: .long, help: ArgumentHelp("Also write the results as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp("Run only the tests whose full name contains this text.", valueName: "pattern"))
    var filter: String?

    func run() async throws {
        let report = await FunctionTestRunner.run(directory: directory, filter: filter) { block in
            print(block)
        }
        if let problem = report.unreadable {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            throw ExitCode(ExitStatus.usage)
        }
        print(report.summaryLine)
        if let junit {
            do {
                try Data(report.junitXML().utf8).write(to: URL(fileURLWithPath: junit))
            } catch {
                FileHandle.standardError.write(Data("\(junit): cannot write the JUnit report: \(error.localizedDescription)\n".utf8))
                throw ExitCode(ExitStatus.usage)
            }
        }
        if report.exitStatus != ExitStatus.success { throw ExitCode(report.exitStatus) }
    }
}
