import ChatFunctions
import StrictJSON

/// The authenticator of the end-to-end tests: its verdict is named by `authParams.action`,
/// standing in for the chat functions until the tests run real Lua files.
struct ScriptedAuthenticator: Authenticator {
    func authenticate(_ event: AuthenticationEvent) async -> Verdict {
        switch event.authParams["action"]?.stringValue {
        case "allow":
            return .allowed(Profile())
        case "profile":
            return .allowed(Profile(displayName: "Jane Doe", properties: ["plan": "pro"]))
        case "deny":
            return .denied(message: "Wrong password", reason: nil)
        case "locked":
            return .denied(message: "Account locked", reason: "account_locked")
        case "error":
            return .functionError(FunctionFailure(file: "functions/10-test.lua", message: "functions/10-test.lua:3: boom"))
        case "timeout":
            return .timedOut
        case "memory":
            return .outOfMemory
        case "overloaded":
            return .overloaded
        default:
            return .denied(message: Verdict.noFunctionAllowed, reason: nil)
        }
    }

    var functionCount: Int { 2 }
    var version: String { "scripted-test-authenticator" }
}

/// The one place that picks the authenticator of every end-to-end test.
enum TestAuthenticator {
    static func make() -> any Authenticator { ScriptedAuthenticator() }
}
