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

/// Limits of a test run.
public struct TestRunOptions: Sendable {
    /// Wall-clock budget of one test, hooks included; a test past it fails.
    public var testTimeout: Duration
    /// Memory cap of a test file's own Lua state.
    public var testMemoryLimit: Int
    /// Budget of one authentication, as `--function-timeout` in the gateway.
    public var functionTimeout: Duration
    /// Memory cap of the functions' Lua state, as `--function-memory` in the gateway.
    public var functionMemoryLimit: Int

    public init(
        testTimeout: Duration = .seconds(10), testMemoryLimit: Int = 256 << 20,
        functionTimeout: Duration = .seconds(1), functionMemoryLimit: Int = 32 << 20
    ) {
        self.testTimeout = testTimeout
        self.testMemoryLimit = testMemoryLimit
        self.functionTimeout = functionTimeout
        self.functionMemoryLimit = functionMemoryLimit
    }
}

/// Finds `*_test.lua` files directly in a folder and in its `tests/` subfolder.
enum TestFileDiscovery {
    static func files(in directory: String) throws(FunctionLoadError) -> [TestFile] {
        let display = displayName(of: directory)
        var found = try testFiles(in: directory, display: display, prefix: "", required: true)
        found += try testFiles(
            in: (directory as NSString).appendingPathComponent("tests"), display: display, prefix: "tests/",
            required: false
        )
        return found
    }

    private static func testFiles(
        in path: String, display: String, prefix: String, required: Bool
    ) throws(FunctionLoadError) -> [TestFile] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            if required { throw FunctionLoadError("\(path): the folder does not exist") }
            return []
        }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: path)
        } catch {
            throw FunctionLoadError("\(path): cannot read the folder: \(error.localizedDescription)")
        }
        return names.sorted().compactMap { name in
            guard name.hasSuffix("_test.lua") else { return nil }
            let full = (path as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { return nil }
            let shortName = prefix + name
            return TestFile(path: full, name: display == "." ? shortName : display + "/" + shortName, shortName: shortName)
        }
    }

    /// The folder as reports name it: `./functions/` is `functions`, as the loader names function files.
    private static func displayName(of path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p.isEmpty ? "." : p
    }
}
