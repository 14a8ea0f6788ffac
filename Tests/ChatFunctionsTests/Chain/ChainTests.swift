import ChatFunctions
import Foundation
import Logging
import LuaRuntime
import StrictJSON
import Testing

@Suite struct ChainTests {
    func verdict(_ files: [String: String], _ e: AuthenticationEvent = event(), fixtures: FunctionFixtures = FunctionFixtures(),
                 logger: Logger = Logger(label: "test")) throws -> Verdict {
        let fixture = try FolderFixture(files)
        let runner = try FunctionRunner(folder: try FunctionFolder.read(fixture.path),
                                        settings: RunnerSettings(timeout: .milliseconds(500), logger: logger), fixtures: fixtures)
        return runner.authenticate(e, deadline: .after(.milliseconds(500)))
    }

    @Test func trueAllowsWithAnEmptyProfile() throws {
        #expect(try verdict(["10-a.lua": fn("return true")]) == .allowed(Profile()))
    }

    @Test func aTableAllowsAndCarriesTheProfile() throws {
        let v = try verdict(["10-a.lua": fn("""
            return {displayName = "Jane", displayPictureUrl = "https://x.test/j.png", properties = {plan = "pro", seats = 3}}
            """)])
        #expect(v == .allowed(Profile(displayName: "Jane", displayPictureUrl: "https://x.test/j.png",
                                      properties: ["plan": .string("pro"), "seats": .integer(3)])))
    }

    @Test(arguments: [
        ("return {allow = false}", "unknown field 'allow'"),
        ("return {displayName = 42}", "'displayName' is not a string"),
        ("return {displayName = string.rep('x', 257)}", "over 256 bytes"),
        ("return {displayPictureUrl = true}", "'displayPictureUrl' is not a string"),
        ("return {properties = {1, 2, x = 3}}", "'properties'"),
        ("return {properties = 'x'}", "'properties'"),
        ("return 42", "not a verdict"),
        ("return 'yes'", "not a verdict"),
        ("return false, 42", "expected a message string"),
        ("return false, {message = 'x', code = 1}", "unknown field 'code'"),
    ])
    func anythingElseIsAFunctionErrorNamingTheProblem(body: String, expected: String) throws {
        guard case .functionError(let failure) = try verdict(["10-a.lua": fn(body)]) else {
            Issue.record("expected a function error for \(body)")
            return
        }
        #expect(failure.message.contains(expected), "\(failure.message)")
        #expect(failure.file.hasSuffix("10-a.lua"))
    }

    @Test func falseDeniesWithMessageAndReason() throws {
        #expect(try verdict(["10-a.lua": fn("return false")]) == .denied(message: "Access denied", reason: nil))
        #expect(try verdict(["10-a.lua": fn("return false, 'Wrong password'")]) == .denied(message: "Wrong password", reason: nil))
        #expect(try verdict(["10-a.lua": fn("return false, {message = 'Locked', reason = 'account_locked'}")])
                == .denied(message: "Locked", reason: "account_locked"))
    }

    @Test func raisedErrorsAreFunctionErrorsWithLocationAndTraceback() throws {
        guard case .functionError(let failure) = try verdict(["20-password.lua": fn("local x = nil\nreturn x.y")]) else {
            Issue.record("expected a function error")
            return
        }
        #expect(failure.message.hasSuffix("20-password.lua:3: attempt to index a nil value (local 'x')"))
        #expect(failure.traceback.contains("stack traceback"))
    }

    @Test func theChainRunsInFileNameOrderAndTheFirstVerdictWins() throws {
        let files = [
            "10-first.lua": fn("if event.authParams.who == 'first' then return {displayName = 'first'} end"),
            "20-second.lua": fn("return {displayName = 'second'}"),
            "30-never.lua": fn("error('must not run')"),
        ]
        #expect(try verdict(files, event("u", ["who": .string("first")])) == .allowed(Profile(displayName: "first")))
        #expect(try verdict(files) == .allowed(Profile(displayName: "second")))
    }

    @Test func whenEveryFunctionAbstainsTheStartIsDenied() throws {
        #expect(try verdict(["10-a.lua": fn("return nil"), "20-b.lua": fn("")])
                == .denied(message: Verdict.noFunctionAllowed, reason: nil))
        #expect(try verdict([:]) == .denied(message: Verdict.noFunctionAllowed, reason: nil))
    }

    @Test func testFilesAndLibModulesAreNotFunctions() throws {
        let fixture = try FolderFixture([
            "10-a.lua": fn("return nil"), "a_test.lua": "error('not a function')", "lib/helper.lua": "return {}",
        ])
        #expect(try FunctionFolder.read(fixture.path).functions.map(\.chunkName).map { ($0 as NSString).lastPathComponent } == ["10-a.lua"])
    }

    @Test func aFileMustReturnAFunctionOrATableWithAuthenticate() throws {
        #expect(try verdict(["10-a.lua": "return {authenticate = function() return true end}"]) == .allowed(Profile()))
        for body in ["return 42", "return {}", "local x = 1"] {
            #expect(throws: FunctionLoadError.self) { try verdict(["10-bad.lua": body]) }
        }
    }

    @Test func loadProblemsNameFileAndLine() throws {
        do {
            _ = try verdict(["10-ok.lua": fn("return true"), "20-broken.lua": "return function(event)\n  local a = 1\n  local = 2\nend\n"])
            Issue.record("expected a load error")
        } catch let error as FunctionLoadError {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].contains("20-broken.lua:3: "))
        }
    }

    /// SPEC §1: the problem names the function file's line, not the sandbox's.
    @Test func aMissingModuleAtTheTopLevelNamesTheFilesLine() throws {
        do {
            _ = try verdict(["10-x.lua": "require(\"missing\")\nreturn function() return true end\n"])
            Issue.record("expected a load error")
        } catch let error as FunctionLoadError {
            #expect(error.problems.count == 1)
            let problem = error.problems.first ?? ""
            #expect(problem.hasSuffix("10-x.lua:1: module 'missing' not found: require loads only functions/lib/NAME.lua (dotted names for subfolders)"),
                    "\(problem)")
            #expect(!problem.contains("[sandbox]"))
        }
    }

    @Test func aModulesOwnMissingRequireNamesTheModulesLine() throws {
        do {
            _ = try verdict(["lib/a.lua": "-- first\nlocal b = require('b')\nreturn b\n", "10-x.lua": "local a = require('a')\nreturn function() return true end\n"])
            Issue.record("expected a load error")
        } catch let error as FunctionLoadError {
            let problem = error.problems.first ?? ""
            #expect(problem.contains("lib/a.lua:2: module 'b' not found"), "\(problem)")
            #expect(!problem.contains("[sandbox]"))
        }
    }

    @Test func requireLoadsModulesFromLibOnly() throws {
        let files = [
            "lib/accounts.lua": "local M = {} function M.name() return 'from lib' end return M",
            "lib/nested/deep.lua": "return {value = 7}",
            "10-a.lua": """
                local accounts = require("accounts")
                local deep = require("nested.deep")
                return function(event)
                  local results = {}
                  for _, name in ipairs({"../secret", "/etc/passwd", "os", "missing", "nested/deep"}) do
                    local ok = pcall(require, name)
                    results[#results + 1] = ok and "loaded" or "refused"
                  end
                  return false, accounts.name() .. " " .. deep.value .. " " .. table.concat(results, ",")
                end
                """,
        ]
        #expect(try verdict(files) == .denied(message: "from lib 7 refused,refused,refused,refused,refused", reason: nil))
    }

    @Test func eventCarriesTheRequestFields() throws {
        let body = """
            return false, table.concat({event.username, event.remoteAddress, event.userAgent, event.origin,
              math.type(event.authParams.n), tostring(event.authParams.z == json.null)}, "|")
            """
        let v = try verdict(["10-a.lua": fn(body)], event("neo", ["n": .integer(1), "z": .null]))
        #expect(v == .denied(message: "neo|203.0.113.7|tests/1|https://app.example|integer|true", reason: nil))
    }

    @Test func contextCarriesSecretsUserLogAndNow() throws {
        let user = UserSnapshot(id: 42, name: "neo", displayName: "Neo", isGuest: true, createdTime: Date(timeIntervalSince1970: 0))
        let body = """
            local ok = pcall(function() context.secrets.KEY = "changed" end)
            context.log.info("checked", {user = event.username})
            return false, table.concat({context.secrets.KEY, tostring(ok), context.user.name, tostring(context.user.id),
              tostring(context.user.isGuest), tostring(context.now()), tostring(os.time())}, "|")
            """
        let log = CapturedLog()
        let v = try verdict(["10-a.lua": fn(body)], event("neo", user: user),
                            fixtures: FunctionFixtures(secrets: ["KEY": "s3cret"], frozenTime: 1_700_000_000.5), logger: log.logger)
        #expect(v == .denied(message: "s3cret|false|neo|42|true|1700000000.5|1700000000", reason: nil))
        #expect(log.text.contains("checked"))
        #expect(log.text.contains("10-a.lua"))
    }

    /// `context.user` is pushed field by field; it must hold what its wire form (`jsonValue`) says.
    @Test func contextUserIsTheTableOfItsWireForm() throws {
        let user = UserSnapshot(
            id: 7, name: "trin", displayName: "Trinity", displayPictureUrl: nil, isGuest: false,
            properties: ["plan": .string("pro"), "seats": .integer(3), "tags": .array([.string("a"), .bool(true)])],
            createdTime: Date(timeIntervalSince1970: 1_790_000_000), online: true
        )
        let body = "return false, json.encode(context.user) .. '|' .. tostring(context.user.displayPictureUrl == json.null)"
        guard case .denied(let message, _) = try verdict(["10-a.lua": fn(body)], event("trin", user: user)) else {
            Issue.record("expected a denial carrying the encoded user")
            return
        }
        let parts = message.split(separator: "|", omittingEmptySubsequences: false)
        #expect(parts.last == "true")
        // Objects compare member by member, whatever the order json.encode wrote them in.
        #expect(try JSONParser.parse(String(parts[0])) == user.jsonValue)
    }

    @Test func secretsAndAuthParamsNeverReachTheLog() throws {
        let log = CapturedLog()
        let body = "print('hello from the script') error('boom')"
        _ = try verdict(["10-a.lua": fn(body)], event("neo", ["password": .string("hunter2-pw")]),
                        fixtures: FunctionFixtures(secrets: ["KEY": "s3cret-value"]), logger: log.logger)
        #expect(log.text.contains("hello from the script"))
        #expect(!log.text.contains("hunter2-pw"))
        #expect(!log.text.contains("s3cret-value"))
    }

    @Test func limitsBecomeTheirVerdicts() throws {
        #expect(try verdict(["10-a.lua": fn("while true do end")]) == .timedOut)
        #expect(try verdict(["10-a.lua": fn("pcall(string.rep, 'x', 1e9) return true")]) == .outOfMemory)
    }
}
