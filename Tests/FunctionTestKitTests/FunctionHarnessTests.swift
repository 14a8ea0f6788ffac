import ChatFunctions
import Foundation
import FunctionTestKit
import SessionCore
import StrictJSON
import Testing

/// The Swift helper: the same pipeline and fixtures as the Lua `authenticate`.
@Suite struct FunctionHarnessTests {
    static let function = """
        return function(event, context)
          local password = event.authParams.password
          if password == nil then return nil end
          if password ~= context.secrets.PASSWORD then
            return false, {message = "Wrong password", reason = "bad_password"}
          end
          return {displayName = "Jane", properties = {now = context.now(), known = context.user ~= nil}}
        end
        """

    /// The pool reads the whole folder when it starts, so the temporary folder may go right after.
    func harness() throws -> FunctionHarness {
        let folder = try TestFolder(["10-password.lua": Self.function])
        return try FunctionHarness(folder: folder.path)
    }

    @Test func allowsWithTheSecretAndDeniesWithoutIt() async throws {
        let harness = try harness()
        harness.givenSecret("PASSWORD", "s3cret")
        let allowed = await harness.authenticate(username: "jane", authParams: ["password": "s3cret"])
        #expect(allowed.isAllowed)
        #expect(allowed.user?.displayName == "Jane")
        #expect(allowed.user?.online == true)

        let denied = await harness.authenticate(username: "jane", authParams: ["password": "guess"])
        #expect(denied == .denied(code: .accessDenied, message: "Wrong password", reason: "bad_password"))
        #expect(denied.jsonValue == [
            "allowed": false,
            "error": ["code": "access_denied", "message": "Wrong password", "reason": "bad_password"],
        ])

        let abstained = await harness.authenticate(username: "jane", authParams: [:])
        #expect(abstained.code == .accessDenied)
        await harness.shutdown()
    }

    @Test func nilAuthParamsIsAGuestStart() async throws {
        let harness = try harness()
        let outcome = await harness.authenticate(username: "visitor", authParams: nil)
        #expect(outcome.user?.isGuest == true)
        await harness.shutdown()
    }

    @Test func givenUserAndGivenNowReachTheFunctions() async throws {
        let harness = try harness()
        harness.givenSecret("PASSWORD", "pw")
        try await harness.givenUser(name: "jane", displayName: "Old")
        harness.givenNow(1234.5)
        let outcome = await harness.authenticate(username: "jane", authParams: ["password": "pw"])
        #expect(outcome.user?.properties == ["now": 1234.5, "known": true])
        #expect(outcome.user?.id == 1)
        await #expect(throws: UserStoreError.self) { try await harness.givenUser(name: "jane") }
        await harness.shutdown()
    }

    @Test func resetEmptiesTheStoreAndForgetsSecretsAndClock() async throws {
        let harness = try harness()
        harness.givenSecret("PASSWORD", "pw")
        harness.givenNow(10)
        try await harness.givenUser(name: "jane")
        harness.reset()
        #expect(harness.frozenTime == nil)
        let denied = await harness.authenticate(username: "jane", authParams: ["password": "pw"])
        #expect(denied.code == .accessDenied, "the secret is gone")
        harness.givenSecret("PASSWORD", "pw")
        let allowed = await harness.authenticate(username: "jane", authParams: ["password": "pw"])
        #expect(allowed.user?.properties["known"] == false, "the store is empty")
        #expect((allowed.user?.properties["now"]?.numberValue ?? 0) > 1_700_000_000, "the clock is real")
        await harness.shutdown()
    }

    @Test func startTakesWireValuesAsTheyCame() async throws {
        let harness = try harness()
        let outcome = await harness.start(StartRequest(username: .integer(1), authParams: [:], remoteAddress: "::1"))
        #expect(outcome.code == .invalidUsername)
        await harness.shutdown()
    }

    @Test func aFolderThatDoesNotCompileThrowsItsProblems() throws {
        let folder = try TestFolder(["10-broken.lua": "return function(\n"])
        #expect(throws: FunctionLoadError.self) { try FunctionHarness(folder: folder.path) }
    }
}
