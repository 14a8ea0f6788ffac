import ChatFunctions
import FunctionTestKit
import SessionCore
import StrictJSON
import Testing

/// `given.http`, `http_requests()`, `end_session` and triggers in Lua tests, and the Swift
/// harness's stubs (SPEC §4). No test here opens a socket: every call is answered by a stub.
@Suite struct GivenHTTPTests {
    static let caller = """
        return {
          authenticate = function(event, context)
            local p = event.authParams
            local r, err
            if p.post then r, err = http.post(p.url, {name = event.username}, {headers = {authorization = "Bearer t"}})
            else r, err = http.request{method = p.method or "GET", url = p.url} end
            if not r then return false, {message = err, reason = "failed"} end
            return {properties = {status = r.status, body = r.body, kind = r.headers["x-kind"] or "none"}}
          end,
          session_started = function(event)
            http.post("https://hooks.test/started", {id = event.sessionId, guest = event.guest})
          end,
          session_ended = function(event)
            http.post("https://hooks.test/ended", {id = event.sessionId, reason = event.reason})
          end,
        }
        """

    func expectAllPass(_ tests: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let folder = try TestFolder(["10-caller.lua": Self.caller, "a_test.lua": tests])
        let report = await folder.run()
        #expect(report.failed == 0, "\(report.failureSummary)", sourceLocation: sourceLocation)
        #expect(report.passed > 0, sourceLocation: sourceLocation)
    }

    @Test func stubsAnswerExactlyByPatternComputedOrAsAFailure() async throws {
        try await expectAllPass("""
            describe("given.http", function()
              it("answers an exact URL with status, headers and a JSON body", function()
                given.http{method = "GET", url = "https://api.test/a", status = 201, headers = {["X-Kind"] = "exact"}, json = {ok = true}}
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/a"}}
                assert.same({status = 201, body = '{"ok":true}', kind = "exact"}, r.user.properties)
              end)
              it("matches a Lua pattern when match = true, and the latest stub wins", function()
                given.http{url = "^https://api%.test/users/%d+$", match = true, body = "first"}
                given.http{url = "^https://api%.test/users/", match = true, body = "second"}
                assert.equals("second", authenticate{username = "jane", authParams = {url = "https://api.test/users/42"}}.user.properties.body)
              end)
              it("computes a response from the request", function()
                given.http{url = "https://api.test/p", respond = function(request)
                  local sent = json.decode(request.body)
                  return {status = 200, body = request.method .. " " .. sent.name .. " " .. request.headers.authorization
                    .. (request.headers.Authorization == request.headers.authorization and "" or " (case matters)")}
                end}
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/p", post = true}}
                assert.equals("POST jane Bearer t", r.user.properties.body)
              end)
              it("makes a call fail with the given message", function()
                given.http{url = "https://api.test/down", error = "connection refused"}
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/down"}}
                assert.same({code = "access_denied", message = "connection refused", reason = "failed"}, r.error)
              end)
              it("a method that does not match is no match", function()
                given.http{method = "POST", url = "https://api.test/m", body = "x"}
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/m"}}
                assert.equals("no given.http for GET https://api.test/m", r.error.message)
              end)
              it("an unmatched call names what is missing, and stubs of one test are gone in the next", function()
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/a"}}
                assert.equals("no given.http for GET https://api.test/a", r.error.message)
              end)
              it("refuses a stub it cannot use", function()
                assert.has_error(function() given.http{url = "x", bogus = 1} end)
                assert.has_error(function() given.http{status = 200} end)
                assert.has_error(function() given.http{url = "[", match = true} end)
              end)
            end)
            """)
    }

    @Test func requestsAndTriggersAreVisibleToTheTest() async throws {
        try await expectAllPass("""
            describe("http_requests and triggers", function()
              it("records every call, oldest first, triggers included", function()
                given.http{url = "https://api.test/a", body = "ok"}
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/a"}}
                assert.is_true(r.allowed)
                assert.is_true(type(r.sessionId) == "string" and #r.sessionId == 36)
                local calls = http_requests()
                assert.equals(2, #calls)
                assert.same({method = "GET", url = "https://api.test/a", headers = {}}, calls[1])
                assert.equals("https://hooks.test/started", calls[2].url)
                assert.same({id = r.sessionId, guest = false}, json.decode(calls[2].body))
                assert.equals("application/json", calls[2].headers["content-type"])
                assert.equals("application/json", calls[2].headers["Content-Type"])
              end)
              it("end_session runs session_ended with the reason", function()
                local r = authenticate{username = "guest-1"}
                assert.is_true(r.allowed)
                end_session(r.sessionId, "revoked")
                local calls = http_requests()
                assert.equals("https://hooks.test/ended", calls[#calls].url)
                assert.same({id = r.sessionId, reason = "revoked"}, json.decode(calls[#calls].body))
                assert.has_error(function() end_session(r.sessionId) end)
                assert.has_error(function() end_session("nope") end)
              end)
              it("a denied start runs no trigger and has no sessionId", function()
                local r = authenticate{username = "jane", authParams = {url = "https://api.test/none"}}
                assert.is_false(r.allowed)
                assert.is_nil(r.sessionId)
                assert.equals(1, #http_requests())
              end)
            end)
            """)
    }

    @Test func theSwiftHarnessStubsCallsToo() async throws {
        let folder = try TestFolder(["10-caller.lua": Self.caller])
        let harness = try FunctionHarness(folder: folder.path)
        harness.givenHTTP(HTTPStub(url: "https://api.test/a", result: .response(ScriptHTTPResponse(status: 200, body: Array("hi".utf8)))))
        let (allowed, sessionID) = await harness.startSession(
            StartRequest(username: .string("jane"), authParams: .object(["url": .string("https://api.test/a")]), remoteAddress: "127.0.0.1"))
        #expect(allowed.user?.properties["body"] == .string("hi"))
        harness.givenHTTP(HTTPStub(matching: { $0.hasPrefix("https://api.test/users/") }, respond: { request in
            .response(ScriptHTTPResponse(status: 200, body: Array(request.url.utf8.suffix(2))))
        }))
        let computed = await harness.authenticate(username: "jane", authParams: ["url": .string("https://api.test/users/42")])
        #expect(computed.user?.properties["body"] == .string("42"))
        let missing = await harness.authenticate(username: "jane", authParams: ["url": .string("https://api.test/b")])
        #expect(missing == .denied(code: .accessDenied, message: "no given.http for GET https://api.test/b", reason: "failed"))
        #expect(await harness.endSession(try #require(sessionID), reason: .revoked))
        #expect(harness.httpRequests.map(\.url) == [
            "https://api.test/a", "https://hooks.test/started", "https://api.test/users/42", "https://hooks.test/started",
            "https://api.test/b", "https://hooks.test/ended",
        ])
        await harness.shutdown()
    }
}
