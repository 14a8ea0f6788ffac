/// Everything a run of `sessiongate test` found: per file and per test, or why nothing ran.
public struct TestReport: Sendable {
    /// The functions folder, as given.
    public var directory: String
    /// The test files, in the order they ran.
    public var files: [TestFileResult] = []
    /// `FILE:LINE: message` for each function that does not compile; no test ran.
    public var folderProblems: [String] = []
    /// Why the folder could not be read at all; no test ran.
    public var unreadable: String?
    public var duration: Duration = .zero

    public init(directory: String) {
        self.directory = directory
    }

    public var passed: Int { files.reduce(0) { $0 + $1.passed } }
    /// Failed tests, files that did not load, and a folder that does not compile (one each).
    public var failed: Int { files.reduce(0) { $0 + $1.failed } + (folderProblems.isEmpty ? 0 : 1) }

    /// 0 when every test passed, 1 when anything failed, 2 when the folder could not be read (SPEC §1).
    public var exitStatus: Int32 {
        if unreadable != nil { return 2 }
        return failed > 0 ? 1 : 0
    }

    /// The closing line: `N passed, N failed`.
    public var summaryLine: String { "\(passed) passed, \(failed) failed" }
}
