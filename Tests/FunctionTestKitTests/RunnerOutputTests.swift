import Foundation
import FunctionTestKit
import Testing

/// What `sessiongate test` prints and how it exits (SPEC §4, §1 exit codes).
@Suite struct RunnerOutputTests {
    static let mixedTests = """
        describe("password", function()
          it("allows the right password", function()
            local r = authenticate{username = "jane", authParams = {password = "open sesame"}}
            assert.is_true(r.allowed)
          end)

          it("fails on purpose", function()
            local r = authenticate{username = "jane", authParams = {password = "nope"}}
            assert.equals("Wrong passwort", r.error.message)
          end)

          it("errors", function()
            local missing = nil
            return missing.field
          end)
        end)
        """

    @Test func passingFailingAndErroringTestsAreNamedWithTheirMarks() async throws {
        let folder = try TestFolder(["10-password.lua": passwordFunction, "password_test.lua": Self.mixedTests])
        let report = await folder.run()
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("  ✓ password allows the right password"))
        #expect(lines.contains("  ✗ password fails on purpose"))
        #expect(lines.contains("  ✗ password errors"))
        #expect(lines.last == "1 passed, 2 failed")
        #expect(report.summaryLine == "1 passed, 2 failed")
        #expect(report.exitStatus == 1)
    }

    @Test func aFailedAssertionIsReportedAtItsLineOfTheTestFile() async throws {
        let folder = try TestFolder(["10-password.lua": passwordFunction, "password_test.lua": Self.mixedTests])
        let report = await folder.run()
        let failure = try #require(report.cases["password fails on purpose"]?.failure)
        #expect(failure.file == folder.name("password_test.lua"))
        #expect(failure.line == 9)
        #expect(failure.message == #"expected "Wrong passwort", got "Wrong password""#)
        #expect(report.text.contains(#"    \#(folder.name("password_test.lua")):9: expected "Wrong passwort", got "Wrong password""#))
    }

    @Test func aRuntimeErrorIsReportedWhereLuaRaisedIt() async throws {
        let folder = try TestFolder(["10-password.lua": passwordFunction, "password_test.lua": Self.mixedTests])
        let report = await folder.run()
        let failure = try #require(report.cases["password errors"]?.failure)
        #expect(failure.location == folder.name("password_test.lua") + ":14")
        #expect(failure.message.contains("attempt to index a nil value"))
    }

    @Test func allPassingExitsZero() async throws {
        let folder = try TestFolder([
            "10-password.lua": passwordFunction,
            "a_test.lua": #"it("passes", function() assert.is_true(authenticate{username = "j", authParams = {password = "open sesame"}}.allowed) end)"#,
        ])
        let report = await folder.run()
        #expect(report.exitStatus == 0)
        #expect(report.text.hasSuffix("  ✓ passes\n1 passed, 0 failed\n"))
    }

    @Test func aTestFileThatDoesNotCompileIsAFailureOfThatFile() async throws {
        let folder = try TestFolder([
            "a_test.lua": #"it("runs", function() end)"#,
            "b_test.lua": "it(\"never registered\", function() end)\nlocal x = = 1\n",
        ])
        let report = await folder.run()
        let broken = try #require(report.files.first { $0.file == folder.name("b_test.lua") })
        #expect(broken.cases.isEmpty)
        #expect(broken.loadFailure?.line == 2)
        #expect(broken.loadFailure?.message.contains("unexpected symbol") == true)
        #expect(report.text.contains("  ✗ \(folder.name("b_test.lua")) did not load"))
        #expect(report.summaryLine == "1 passed, 1 failed")
        #expect(report.exitStatus == 1)
    }

    @Test func anErrorOutsideAnyTestFailsTheFile() async throws {
        let folder = try TestFolder([
            "a_test.lua": "describe(\"block\", function()\n  it(\"ok\", function() end)\n  local t = nil\n  t.x = 1\nend)\n",
        ])
        let report = await folder.run()
        #expect(report.files.first?.loadFailure?.location == folder.name("a_test.lua") + ":4")
        #expect(report.files.first?.cases.isEmpty == true)
        #expect(report.summaryLine == "0 passed, 1 failed")
    }

    @Test func testsInTheTestsFolderRunToo() async throws {
        let folder = try TestFolder([
            "a_test.lua": #"it("top", function() end)"#,
            "tests/b_test.lua": #"it("nested", function() end)"#,
            "tests/helper.lua": "error('not a test file')",
            "tests/deeper/c_test.lua": #"it("too deep", function() end)"#,
        ])
        let report = await folder.run()
        #expect(report.files.map(\.file) == [folder.name("a_test.lua"), folder.name("tests/b_test.lua")])
        #expect(report.summaryLine == "2 passed, 0 failed")
    }

    @Test func aFunctionsFolderThatDoesNotCompileReportsItsProblems() async throws {
        let folder = try TestFolder([
            "10-broken.lua": "return function(event)\n  local = 2\nend\n",
            "a_test.lua": #"it("never runs", function() end)"#,
        ])
        let report = await folder.run()
        #expect(report.folderProblems.count == 1)
        #expect(report.folderProblems.first?.hasPrefix(folder.name("10-broken.lua") + ":2: ") == true)
        #expect(report.text.contains(folder.name("10-broken.lua") + ":2: "))
        #expect(report.files.isEmpty)
        #expect(report.exitStatus == 1)
        #expect(report.text.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func aMissingFolderIsUnreadable() async {
        let report = await FunctionTestRunner.run(directory: "/nonexistent/functions-\(UUID().uuidString)")
        #expect(report.unreadable != nil)
        #expect(report.exitStatus == 2)
    }

    @Test func aFolderWithoutTestsPassesAndSaysSo() async throws {
        let folder = try TestFolder(["10-password.lua": passwordFunction])
        let report = await folder.run()
        #expect(report.exitStatus == 0)
        #expect(report.text.contains("no tests"))
        #expect(report.text.hasSuffix("0 passed, 0 failed\n"))
    }

    @Test func printsOfATestAndLogsOfTheFunctionsAreShownUnderItsFailure() async throws {
        let folder = try TestFolder([
            "10-boom.lua": #"return function(event) print("function says hi") error("kaboom") end"#,
            "a_test.lua": """
                it("fails", function()
                  print("test says hi")
                  assert.equals("allowed", authenticate{username = "j", authParams = {}}.error.code)
                end)
                """,
        ])
        let report = await folder.run()
        let test = try #require(report.cases["fails"])
        #expect(test.output == ["test says hi"])
        #expect(test.log.contains { $0.contains("function says hi") })
        #expect(test.log.contains { $0.contains("kaboom") })
        #expect(report.text.contains("    | test says hi"))
        #expect(report.text.contains("    log: "))
    }

    @Test func printsOfTheFilesTopLevelCodeAreShownUnderTheFileOnce() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                print("loading the fixtures")
                it("loops", function() while true do end end)
                it("passes", function() print("inside") end)
                """,
            "b_test.lua": """
                print("before the mistake")
                error("broken file")
                """,
        ])
        // The first test's time limit rebuilds the state, which runs the top level again.
        let report = await folder.run(options: TestRunOptions(testTimeout: .milliseconds(200)))
        let a = try #require(report.files.first { $0.file == folder.name("a_test.lua") })
        #expect(a.output == ["loading the fixtures"])
        #expect(report.cases["passes"]?.output == ["inside"])
        #expect(report.text.contains(folder.name("a_test.lua") + "\n  | loading the fixtures\n  ✗ loops"))
        let b = try #require(report.files.first { $0.file == folder.name("b_test.lua") })
        #expect(b.output == ["before the mistake"])
        #expect(b.loadFailure?.message.contains("broken file") == true)
        #expect(report.text.contains(folder.name("b_test.lua") + "\n  | before the mistake\n  ✗ "))
    }

    @Test func aTestPastItsTimeLimitFailsAndTheNextOneStillRuns() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                it("loops", function() while true do end end)
                it("runs afterwards", function() assert.equals(2, 1 + 1) end)
                """,
        ])
        let report = await folder.run(options: TestRunOptions(testTimeout: .milliseconds(200)))
        #expect(report.cases["loops"]?.failure?.message.contains("time limit") == true)
        #expect(report.cases["loops"]?.failure?.line == 1)
        #expect(report.cases["runs afterwards"]?.passed == true)
    }

    @Test func aTestPastTheMemoryLimitFailsAndTheNextOneStillRuns() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                it("hogs", function()
                  local t = {}
                  for i = 1, 1e8 do t[i] = ("x"):rep(100) .. i end
                end)
                it("runs afterwards", function() assert.equals(2, 1 + 1) end)
                """,
        ])
        let report = await folder.run(options: TestRunOptions(testMemoryLimit: 16 << 20))
        #expect(report.cases["hogs"]?.failure?.message.contains("memory limit") == true)
        #expect(report.cases["runs afterwards"]?.passed == true)
    }

    @Test func aFileThatLoopsWhileLoadingFailsAsAFile() async throws {
        let folder = try TestFolder(["a_test.lua": "while true do end", "b_test.lua": #"it("ok", function() end)"#])
        let report = await folder.run(options: TestRunOptions(testTimeout: .milliseconds(200)))
        #expect(report.files.first?.loadFailure?.message.contains("loading the file ran past its time limit") == true)
        #expect(report.summaryLine == "1 passed, 1 failed")
    }

    @Test func theFilterRunsOnlyTestsWhoseFullNameContainsIt() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                describe("tokens", function()
                  it("expire", function() end)
                  it("refuse bad signatures", function() error("should not run") end)
                end)
                it("expire alone", function() end)
                """,
            "b_test.lua": #"it("other", function() error("should not run") end)"#,
        ])
        let report = await folder.run(filter: "s expire")
        #expect(report.files.flatMap(\.cases).map(\.name) == ["tokens expire"])
        #expect(report.summaryLine == "1 passed, 0 failed")
        #expect(!report.text.contains("b_test.lua"))
    }

    @Test func theFilterIsPlainTextNotAPattern() async throws {
        let folder = try TestFolder(["a_test.lua": #"it("a.b", function() end) it("axb", function() end)"#])
        let report = await folder.run(filter: "a.b")
        #expect(report.files.flatMap(\.cases).map(\.name) == ["a.b"])
    }
}
