/// The report as `sessiongate test` prints it:
///
/// ```
/// functions/demo_test.lua
///   ✓ demo accounts lets demo in with its password
///   ✗ demo accounts refuses a wrong password
///     functions/demo_test.lua:14: expected "Wrong password", got "Bad password"
/// 1 passed, 1 failed
/// ```
///
/// Under a failure come what the test printed (`| …`) and what the functions and the pipeline
/// logged during it (`log: …`); under a passing test only what it printed. What the file's
/// top-level code printed comes right under the file's name.
extension TestReport {
    /// Everything on standard output, the closing line included (nothing when the folder
    /// could not be read: that goes to standard error).
    public var text: String {
        guard unreadable == nil else { return "" }
        var blocks: [String] = []
        if !folderProblems.isEmpty {
            blocks.append(folderProblemsText)
        } else if files.isEmpty {
            blocks.append(noTestsText)
        }
        blocks += files.compactMap(\.text)
        return (blocks + [summaryLine]).joined(separator: "\n") + "\n"
    }

    var folderProblemsText: String {
        (["✗ the functions in \(directory) do not compile"] + folderProblems).joined(separator: "\n")
    }

    var noTestsText: String {
        "no tests: no *_test.lua file in \(directory) or its tests/ folder"
    }
}

extension TestFileResult {
    /// The file's block; `nil` when the filter selected none of its tests and it loaded.
    var text: String? {
        guard loadFailure != nil || !cases.isEmpty else { return nil }
        var lines = [file]
        lines += output.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }.map { "  | \($0)" }
        if let loadFailure {
            lines.append("  ✗ \(file) did not load")
            lines += Self.failureLines(loadFailure)
        }
        for test in cases {
            lines.append("  \(test.passed ? "✓" : "✗") \(Self.oneLine(test.name))")
            if let failure = test.failure { lines += Self.failureLines(failure) }
            lines += test.output.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }.map { "    | \($0)" }
            if !test.passed { lines += test.log.map { "    log: \(Self.oneLine($0))" } }
        }
        return lines.joined(separator: "\n")
    }

    private static func failureLines(_ failure: TestFailure) -> [String] {
        let message = failure.message.split(separator: "\n", omittingEmptySubsequences: false)
        var lines = ["    \(failure.location): \(message.first ?? "")"]
        lines += message.dropFirst().map { "      \($0)" }
        return lines
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) ? " " : $0 })
    }
}
