import FunctionTestKit
import Testing

/// `authenticate{…}` and the `given` fixtures inside Lua tests (SPEC §4).
@Suite struct AuthenticateTests {
    /// Runs Lua tests against `functions` and expects every one of them to pass.
    func expectAllPass(_ functions: [String: String], tests: String, options: TestRunOptions = TestRunOptions(),
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var files = functions
        files["a_test.lua"] = tests
        let folder = try TestFolder(files)
        let report = await folder.run(options: options)
        #expect(report.failed == 0, "\(report.failureSummary)", sourceLocation: sourceLocation)
        #expect(report.passed > 0, sourceLocation: sourceLocation)
    }

    static let verdicts = """
        return function(event, context)
          local kind = event.authParams.kind
          if kind == "true" then return true end
          if kind == "profile" then
            return {displayName = "Jane Doe", displayPictureUrl = "https://example.test/j.png", properties = {plan = "pro"}}
          end
          if kind == "deny" then return false end
          if kind == "deny-message" then return false, "Go away" end
          if kind == "deny-reason" then return false, {message = "Locked", reason = "account_locked"} end
          if kind == "error" then error("kaboom") end
          if kind == "bad-verdict" then return 42 end
          if kind == "loop" then while true do end end
          if kind == "echo" then
            return {properties = {remoteAddress = event.remoteAddress, userAgent = event.userAgent, origin = event.origin}}
          end
          return nil
        end
        """

    @Test func eachVerdictComesBackAsTheWireWouldCarryIt() async throws {
        try await expectAllPass(["10-verdicts.lua": Self.verdicts], tests: """
            local function start(kind) return authenticate{username = "jane", authParams = {kind = kind}} end

            it("true allows with the username as display name", function()
              local r = start("true")
              assert.is_true(r.allowed)
              assert.is_nil(r.error)
              assert.equals("jane", r.user.name)
              assert.equals("jane", r.user.displayName)
              assert.equals("PERSON", r.user.type)
              assert.is_false(r.user.isGuest)
              assert.equals(json.null, r.user.displayPictureUrl)
              assert.same({status = "AVAILABLE", online = true}, r.user.presence)
              assert.equals("number", type(r.user.id))
              assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", r.user.createdTime)
            end)

            it("a table allows with its profile", function()
              local r = start("profile")
              assert.equals("Jane Doe", r.user.displayName)
              assert.equals("https://example.test/j.png", r.user.displayPictureUrl)
              assert.same({plan = "pro"}, r.user.properties)
            end)

            it("false denies with the default message", function()
              assert.same({allowed = false, error = {code = "access_denied", message = "Access denied"}}, start("deny"))
            end)

            it("false and a message denies with it", function()
              assert.same({code = "access_denied", message = "Go away"}, start("deny-message").error)
            end)

            it("false and a table denies with message and reason", function()
              assert.same({code = "access_denied", message = "Locked", reason = "account_locked"}, start("deny-reason").error)
            end)

            it("every function abstaining denies", function()
              assert.equals("access_denied", start("abstain").error.code)
            end)

            it("an error is a function_error", function()
              assert.equals("function_error", start("error").error.code)
            end)

            it("a value that is no verdict is a function_error", function()
              assert.equals("function_error", start("bad-verdict").error.code)
            end)

            it("running past the budget is a function_timeout", function()
              assert.equals("function_timeout", start("loop").error.code)
            end)

            it("remoteAddress, userAgent and origin reach the event", function()
              local r = authenticate{username = "jane", authParams = {kind = "echo"}, remoteAddress = "10.1.2.3",
                                     userAgent = "tests/1.0", origin = "https://app.example"}
              assert.same({remoteAddress = "10.1.2.3", userAgent = "tests/1.0", origin = "https://app.example"}, r.user.properties)
            end)

            it("remoteAddress defaults to loopback", function()
              assert.equals("127.0.0.1", start("echo").user.properties.remoteAddress)
            end)
            """, options: TestRunOptions(functionTimeout: .milliseconds(200)))
    }

    @Test func noAuthParamsIsAGuestStartThatRunsNoFunction() async throws {
        try await expectAllPass(["10-boom.lua": #"return function() error("must not run") end"#], tests: """
            it("creates a guest", function()
              local r = authenticate{username = "visitor"}
              assert.is_true(r.allowed)
              assert.is_true(r.user.isGuest)
              assert.equals("visitor", r.user.displayName)
            end)

            it("json.null authParams count as absent", function()
              assert.is_true(authenticate{username = "visitor", authParams = json.null}.user.isGuest)
            end)

            it("empty authParams run the functions", function()
              assert.equals("function_error", authenticate{username = "visitor", authParams = {}}.error.code)
            end)

            it("a guest start for a registered user needs authentication", function()
              given.user{name = "jane"}
              assert.equals("authentication_required", authenticate{username = "jane"}.error.code)
            end)

            it("a guest start reuses a stored guest", function()
              local stored = given.user{name = "visitor", isGuest = true, displayName = "Visitor"}
              local r = authenticate{username = "visitor"}
              assert.equals(stored.id, r.user.id)
              assert.equals("Visitor", r.user.displayName)
            end)
            """)
    }

    @Test func wireValidationStillApplies() async throws {
        try await expectAllPass(["10-allow.lua": "return function() return true end"], tests: """
            it("an empty username", function()
              assert.equals("invalid_username", authenticate{username = "", authParams = {}}.error.code)
            end)
            it("a username that is not a string", function()
              assert.equals("invalid_username", authenticate{username = 42, authParams = {}}.error.code)
            end)
            it("no username", function()
              assert.equals("invalid_username", authenticate{authParams = {}}.error.code)
            end)
            it("authParams that are not an object", function()
              assert.equals("invalid_auth_params", authenticate{username = "j", authParams = {1, 2}}.error.code)
              assert.equals("invalid_auth_params", authenticate{username = "j", authParams = "x"}.error.code)
            end)
            """)
    }

    @Test func misuseOfTheTestAPIRaisesAtTheTestsLine() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                it("misspelt field", function()
                  authenticate{username = "j", authparams = {}}
                end)
                it("not a table", function()
                  authenticate("j")
                end)
                it("user without a name", function()
                  given.user{displayName = "x"}
                end)
                it("user twice", function()
                  given.user{name = "x"}
                  given.user{name = "x"}
                end)
                it("now not a number", function()
                  given.now("soon")
                end)
                it("secret not a string", function()
                  given.secret("K", 1)
                end)
                """,
        ])
        let report = await folder.run()
        let expected: [(String, Int, String)] = [
            ("misspelt field", 2, "unknown field 'authparams'"),
            ("not a table", 5, "table expected, got string"),
            ("user without a name", 8, "'name' is required"),
            ("user twice", 12, "already has a user named 'x'"),
            ("now not a number", 15, "number expected, got string"),
            ("secret not a string", 18, "string expected, got number"),
        ]
        for (name, line, text) in expected {
            let failure = report.cases[name]?.failure
            #expect(failure?.line == line, "\(name)")
            #expect(failure?.message.contains(text) == true, "\(name): \(failure?.message ?? "passed")")
        }
    }

    @Test func fixturesOfOneTestAreGoneInTheNext() async throws {
        let function = """
            return function(event, context)
              return {properties = {secret = context.secrets.K, now = context.now(), year = os.date("!%Y"),
                                    known = context.user ~= nil}}
            end
            """
        try await expectAllPass(["10-echo.lua": function], tests: """
            describe("fixtures", function()
              it("are set in one test", function()
                given.secret("K", "v")
                given.user{name = "jane", displayName = "Jane"}
                given.now(86400 * 365)
                assert.equals(86400 * 365, os.time())
                local r = authenticate{username = "jane", authParams = {}}
                assert.same({secret = "v", now = 86400 * 365, year = "1971", known = true}, r.user.properties)
                assert.equals("Jane", r.user.displayName)
              end)

              it("and gone in the next", function()
                assert.is_true(os.time() > 1700000000)
                local r = authenticate{username = "jane", authParams = {}}
                assert.is_nil(r.user.properties.secret)
                assert.is_true(r.user.properties.now > 1700000000)
                assert.is_false(r.user.properties.known)
                assert.equals("jane", r.user.displayName)
                assert.equals(1, r.user.id)
              end)

              it("the store starts empty even after an allow", function()
                assert.equals(1, authenticate{username = "bob", authParams = {}}.user.id)
              end)

              it("given.now(nil) is the real clock again", function()
                given.now(5)
                assert.equals(5, os.time())
                given.now(nil)
                assert.is_true(os.time() > 1700000000)
              end)

              it("given.secret(name, nil) removes it", function()
                given.secret("K", "v")
                given.secret("K", nil)
                assert.is_nil(authenticate{username = "jane", authParams = {}}.user.properties.secret)
              end)
            end)
            """)
    }

    @Test func aFrozenClockReachesJWTVerificationOfTheFunctions() async throws {
        let function = """
            return function(event, context)
              local claims, problem = jwt.verify(event.authParams.token, {key = "k", algorithms = {"HS256"}})
              if claims == nil then return false, problem end
              return true
            end
            """
        try await expectAllPass(["10-jwt.lua": function], tests: """
            local function mint(claims)
              local input = base64.urlencode(json.encode({alg = "HS256"})) .. "." .. base64.urlencode(json.encode(claims))
              return input .. "." .. base64.urlencode(crypto.hmac_sha256("k", input))
            end

            it("follows given.now", function()
              given.now(1000)
              local token = mint({exp = 1100})
              assert.is_true(authenticate{username = "j", authParams = {token = token}}.allowed)
              given.now(1200)
              assert.equals("token expired (exp)", authenticate{username = "j", authParams = {token = token}}.error.message)
            end)

            it("in the test file too", function()
              given.now(1000)
              local claims = jwt.verify(mint({exp = 1100}), {key = "k", algorithms = {"HS256"}})
              assert.equals(1100, claims.exp)
            end)
            """)
    }

    @Test func testFilesCanRequireTheFoldersModules() async throws {
        try await expectAllPass(["lib/util/math.lua": "return {double = function(x) return 2 * x end}"], tests: """
            it("requires", function()
              assert.equals(4, require("util.math").double(2))
              assert.has_error(function() require("missing") end)
            end)
            """)
    }
}
