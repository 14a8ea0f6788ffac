import Foundation
import FunctionTestKit

/// A functions folder in a temporary directory, removed when the value goes away.
final class TestFolder {
    let path: String

    /// `files` maps a path inside the folder (`lib/x.lua`, `tests/a_test.lua`) to its text.
    init(_ files: [String: String]) throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ftk-\(UUID().uuidString)")
        for (name, text) in files {
            let full = (path as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The name reports give a file of this folder.
    func name(_ file: String) -> String { path + "/" + file }

    /// Runs `sessiongate test` on the folder.
    func run(filter: String? = nil, options: TestRunOptions = TestRunOptions()) async -> TestReport {
        await FunctionTestRunner.run(directory: path, filter: filter, options: options)
    }
}

extension TestReport {
    /// Every test of every file by name.
    var cases: [String: TestCaseResult] {
        Dictionary(files.flatMap(\.cases).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The names of the tests that failed, with their failures, for messages of `#expect`.
    var failureSummary: String {
        files.flatMap(\.cases).compactMap { test in
            test.failure.map { "\(test.name): \($0.location): \($0.message)" }
        }.joined(separator: "\n") + files.compactMap { $0.loadFailure.map { "\($0.location): \($0.message)" } }
            .joined(separator: "\n")
    }
}

/// A function file allowing "open sesame", denying other passwords, abstaining without one.
let passwordFunction = """
    return function(event, context)
      local password = event.authParams.password
      if password == nil then return nil end
      if password == "open sesame" then return {displayName = "Jane"} end
      return false, {message = "Wrong password", reason = "bad_password"}
    end
    """
