import FunctionTestKit
import Testing

/// The busted-style API: what passes, what fails and with which message, hooks and nesting.
@Suite struct AssertionTests {
    /// Runs one Lua test per entry; returns the failure message of each (nil: it passed).
    func outcomes(_ bodies: [(String, String)]) async throws -> [String: String?] {
        let source = bodies.map { name, body in "it(\"\(name)\", function()\n\(body)\nend)" }.joined(separator: "\n")
        let folder = try TestFolder(["a_test.lua": source])
        let report = await folder.run()
        #expect(report.files.first?.loadFailure == nil)
        return report.cases.mapValues { $0.failure?.message }
    }

    @Test func assertionsThatHoldPass() async throws {
        let results = try await outcomes([
            ("equals", #"assert.equals(1, 1) assert.equals("a", "a") assert.equals(nil, nil) assert.equals(1, 1.0)"#),
            ("same", #"assert.same({a = {1, 2, {b = "c"}}}, {a = {1, 2, {b = "c"}}}) assert.same({}, {})"#),
            ("booleans", "assert.is_true(true) assert.is_false(false) assert.is_nil(nil)"),
            ("has_error", #"assert.has_error(function() error("x") end)"#),
            ("has_error message", #"assert.has_error(function() error("bad input") end, "bad input")"#),
            ("has_error table", #"assert.has_error(function() error({code = 7}) end, {code = 7})"#),
            ("callable assert", #"assert(1 == 1, "never") assert.equals(5, (assert(5)))"#),
            ("extras", #"assert.not_equals(1, 2) assert.truthy(0) assert.falsy(nil) assert.matches("^ab", "abc") assert.is_not_nil(false) assert.has_no_error(function() end)"#),
        ])
        for (name, failure) in results {
            #expect(failure == nil, "\(name): \(failure ?? "")")
        }
    }

    @Test func assertionsThatDoNotHoldFailWithAMessage() async throws {
        let results = try await outcomes([
            ("equals", #"assert.equals("Jane", "Jim")"#),
            ("equals tables", "assert.equals({}, {})"),
            ("same", #"assert.same({user = {name = "a"}}, {user = {name = "b"}})"#),
            ("same extra key", "assert.same({a = 1}, {a = 1, b = 2})"),
            ("is_true", "assert.is_true(1)"),
            ("is_false", "assert.is_false(nil)"),
            ("is_nil", "assert.is_nil(false)"),
            ("has_error", "assert.has_error(function() end)"),
            ("has_error message", #"assert.has_error(function() error("one") end, "two")"#),
            ("callable assert", #"assert(false, "custom message")"#),
            ("custom message", #"assert.equals(1, 2, "the count")"#),
        ])
        #expect(results["equals"] == #"expected "Jane", got "Jim""#)
        #expect(results["equals tables"] == "expected {}, got {}")
        #expect(results["same"]??.hasPrefix(#"not the same at user.name: expected "a", got "b""#) == true)
        #expect(results["same extra key"]??.hasPrefix("not the same at b: expected nil, got 2") == true)
        #expect(results["is_true"] == "expected true, got 1")
        #expect(results["is_false"] == "expected false, got nil")
        #expect(results["is_nil"] == "expected nil, got false")
        #expect(results["has_error"] == "expected an error, but the function returned normally")
        #expect(results["has_error message"]??.hasPrefix(#"expected the error "two", got ""#) == true)
        #expect(results["callable assert"] == "custom message")
        #expect(results["custom message"] == "the count: expected 1, got 2")
    }

    @Test func failuresPointAtTheAssertionsLine() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                local function helper()
                  assert.is_true(false)
                end

                describe("lines", function()
                  it("direct", function()
                    local x = 1
                    assert.equals(2, x)
                  end)
                  it("through a helper", function()
                    helper()
                  end)
                  it("plain assert", function()
                    assert(nil)
                  end)
                end)
                """,
        ])
        let report = await folder.run()
        #expect(report.cases["lines direct"]?.failure?.line == 8)
        #expect(report.cases["lines through a helper"]?.failure?.line == 2)
        #expect(report.cases["lines plain assert"]?.failure?.line == 14)
        #expect(report.cases["lines plain assert"]?.failure?.message == "assertion failed!")
    }

    @Test func hooksRunAroundEachTestOuterFirst() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                local log = {}
                before_each(function() log[#log + 1] = "top before" end)
                describe("outer", function()
                  before_each(function() log[#log + 1] = "outer before" end)
                  after_each(function() log[#log + 1] = "outer after" end)
                  describe("inner", function()
                    it("first", function()
                      assert.same({"top before", "outer before", "inner before"}, log)
                    end)
                    -- declared after the test, and still applied to it
                    before_each(function() log[#log + 1] = "inner before" end)
                    after_each(function() log[#log + 1] = "inner after" end)
                  end)
                  it("second", function()
                    assert.same({"top before", "outer before", "inner before", "inner after", "outer after",
                                 "top before", "outer before"}, log)
                  end)
                end)
                """,
        ])
        let report = await folder.run()
        #expect(report.failed == 0, "\(report.failureSummary)")
        #expect(report.files.first?.cases.map(\.name) == ["outer inner first", "outer second"])
    }

    @Test func aFailingBeforeEachFailsTheTestAndAfterEachStillRuns() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                local ran = {}
                describe("setup", function()
                  before_each(function() error("setup broke") end)
                  after_each(function() ran[#ran + 1] = "after" end)
                  it("never runs its body", function() ran[#ran + 1] = "body" end)
                end)
                describe("afterwards", function()
                  after_each(function() error("teardown broke") end)
                  it("sees what ran", function() assert.same({"after"}, ran) end)
                end)
                """,
        ])
        let report = await folder.run()
        #expect(report.cases["setup never runs its body"]?.failure?.message == "setup broke")
        #expect(report.cases["setup never runs its body"]?.failure?.line == 3)
        #expect(report.cases["afterwards sees what ran"]?.failure?.message == "teardown broke")
    }

    @Test func registeringInsideATestIsAnError() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                it("nests", function()
                  it("inner", function() end)
                end)
                """,
        ])
        let report = await folder.run()
        let failure = report.cases["nests"]?.failure
        #expect(failure?.line == 2)
        #expect(failure?.message.contains("cannot be called inside a test") == true)
    }

    @Test func testFilesRunInTheSandboxButTheirGlobalsStayAssignable() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                counter = 0
                it("assigns a global", function()
                  counter = counter + 1
                  assert.equals(1, counter)
                end)
                it("has no io, no debug, no dofile", function()
                  assert.is_nil(io)
                  assert.is_nil(debug)
                  assert.is_nil(dofile)
                  assert.has_error(function() string.upper = nil end)
                end)
                it("has the host libraries", function()
                  assert.equals("aGk=", base64.encode("hi"))
                  assert.equals(64, #crypto.hex(crypto.sha256("x")))
                  assert.same({a = 1}, json.decode('{"a":1}'))
                end)
                """,
        ])
        let report = await folder.run()
        #expect(report.failed == 0, "\(report.failureSummary)")
        #expect(report.passed == 3)
    }
}
