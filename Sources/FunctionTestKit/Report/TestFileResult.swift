/// One `*_test.lua` file.
public struct TestFileResult: Sendable {
    /// The file as reports name it, e.g. `functions/demo_test.lua`.
    public var file: String
    /// The tests that ran (those the filter selected), in file order.
    public var cases: [TestCaseResult]
    /// The file did not compile, could not be read, or raised outside any `it`: one failure.
    public var loadFailure: TestFailure?
    public var duration: Duration
    /// What the file printed while it was loaded: its top-level code, outside any `it`.
    public var output: [String] = []

    public var passed: Int { cases.count { $0.passed } }
    public var failed: Int { cases.count { !$0.passed } + (loadFailure == nil ? 0 : 1) }
}
