/// One `it` of a test file.
public struct TestCaseResult: Sendable {
    /// The names of its `describe` blocks and its own, joined with spaces.
    public var name: String
    /// Where its `it` is.
    public var file: String
    public var line: Int?
    /// `nil` when it passed.
    public var failure: TestFailure?
    public var duration: Duration
    /// What the test printed.
    public var output: [String]
    /// What the functions and the pipeline logged during the test (shown when it fails).
    public var log: [String]

    public var passed: Bool { failure == nil }
}
