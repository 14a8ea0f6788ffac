import Foundation

/// The report as JUnit XML (`--junit FILE`), the dialect CI servers read: a `testsuite` per
/// test file, a `testcase` per test with a `failure` element when it failed. A file that did
/// not load is one failed `testcase` named after the file; a folder that does not compile is
/// a `testsuite` named after the folder with one failed `testcase`. What a test printed is its
/// `testcase`'s `system-out`; what the file's top-level code printed, its `testsuite`'s.
extension TestReport {
    public func junitXML() -> String {
        var suites: [String] = []
        var total = 0
        if !folderProblems.isEmpty {
            total += 1
            let failure = XMLText.element(
                "failure", ["message": "the functions do not compile", "type": "compile"],
                text: folderProblems.joined(separator: "\n"))
            suites.append(
                XMLText.element(
                    "testsuite",
                    ["name": directory, "tests": "1", "failures": "1", "errors": "0", "skipped": "0", "time": "0.000"],
                    children: [XMLText.element("testcase", ["name": "compile", "classname": directory, "time": "0.000"],
                                               children: [failure])]))
        }
        for file in files where file.loadFailure != nil || !file.cases.isEmpty {
            var cases: [String] = []
            if let loadFailure = file.loadFailure {
                cases.append(Self.testcase(name: file.file, file: file.file, line: loadFailure.line,
                                           duration: .zero, failure: loadFailure, output: []))
            }
            for test in file.cases {
                cases.append(Self.testcase(name: test.name, file: test.file, line: test.line, duration: test.duration,
                                           failure: test.failure, output: test.output + (test.passed ? [] : test.log)))
            }
            if !file.output.isEmpty {
                cases.append(XMLText.element("system-out", [:], text: file.output.joined(separator: "\n")))
            }
            let count = file.cases.count + (file.loadFailure == nil ? 0 : 1)
            total += count
            suites.append(
                XMLText.element(
                    "testsuite",
                    ["name": file.file, "tests": "\(count)", "failures": "\(file.failed)", "errors": "0",
                     "skipped": "0", "time": Self.seconds(file.duration)],
                    children: cases))
        }
        let root = XMLText.element(
            "testsuites",
            ["name": "sessiongate test \(directory)", "tests": "\(total)", "failures": "\(failed)", "errors": "0",
             "time": Self.seconds(duration)],
            children: suites)
        return #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + root + "\n"
    }

    private static func testcase(
        name: String, file: String, line: Int?, duration: Duration, failure: TestFailure?, output: [String]
    ) -> String {
        var attributes = ["name": name, "classname": file, "file": file, "time": seconds(duration)]
        if let line { attributes["line"] = "\(line)" }
        var children: [String] = []
        if let failure {
            let summary = failure.message.split(separator: "\n").first.map(String.init) ?? ""
            children.append(XMLText.element("failure", ["message": summary, "type": "failure"],
                                            text: "\(failure.location): \(failure.message)"))
        }
        if !output.isEmpty {
            children.append(XMLText.element("system-out", [:], text: output.joined(separator: "\n")))
        }
        return XMLText.element("testcase", attributes, children: children)
    }

    private static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        return String(format: "%.3f", Double(whole) + Double(attoseconds) / 1e18)
    }
}
