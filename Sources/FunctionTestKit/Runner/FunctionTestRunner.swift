import ChatFunctions
import Foundation

/// `sessiongate test [DIR]` (SPEC §4) as a library: finds the `*_test.lua` files of a functions
/// folder and of its `tests/` subfolder, runs each in a sandboxed state of its own, and reports.
///
/// Every `authenticate` of every test goes through one ``FunctionHarness`` on the folder,
/// reset before each test. Files run one after the other, each on a thread of its own.
public enum FunctionTestRunner {
    /// Runs the tests of `directory`.
    /// - Parameters:
    ///   - filter: runs only the tests whose full name (describe names and `it` name, joined
    ///     with spaces) contains this text.
    ///   - progress: gets each piece of the report's text as soon as it is known (a file's
    ///     block, the folder's problems); the closing line is left to the caller.
    public static func run(
        directory: String, filter: String? = nil, options: TestRunOptions = TestRunOptions(),
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async -> TestReport {
        let started = ContinuousClock.now
        var report = await runFiles(directory: directory, filter: filter, options: options, progress: progress)
        report.duration = ContinuousClock.now - started
        return report
    }

    private static func runFiles(
        directory: String, filter: String?, options: TestRunOptions, progress: @escaping @Sendable (String) -> Void
    ) async -> TestReport {
        var report = TestReport(directory: directory)

        let folder: FunctionFolder
        let files: [TestFile]
        do {
            folder = try FunctionFolder.read(directory)
            files = try TestFileDiscovery.files(in: directory)
        } catch {
            report.unreadable = "\(error)"
            return report
        }

        let log = CapturedLog()
        let harness: FunctionHarness
        do {
            harness = try FunctionHarness(
                folder: directory,
                options: FunctionHarnessOptions(
                    timeout: options.functionTimeout, memoryLimit: options.functionMemoryLimit, logger: log.logger
                )
            )
        } catch {
            report.folderProblems = error.problems
            progress(report.folderProblemsText)
            return report
        }

        if files.isEmpty { progress(report.noTestsText) }
        for file in files {
            let modules = folder.modules
            let result = await ThreadBridge.onNewThread(named: "sessiongate-test") {
                TestFileSession(file: file, harness: harness, modules: modules, options: options, capturedLog: log)
                    .run(filter: filter)
            }
            report.files.append(result)
            if let text = result.text { progress(text) }
        }
        await harness.shutdown()
        return report
    }
}
