import ChatFunctions
import StrictJSON
import Synchronization

/// An `Authenticator` test double that decides from the auth params, so each test states the
/// verdict it wants in the request itself:
///
/// - `"action": "allow"` → allowed, with a profile from the optional `displayName`,
///   `displayPictureUrl` and `properties` fields;
/// - `"action": "deny"` → denied with `message` (default "Wrong password") and optional `reason`;
/// - `"error"`, `"timeout"`, `"memory"`, `"overload"` → the matching verdict;
/// - anything else → every function abstained.
///
/// `delayMilliseconds` makes the call take that long, to overlap concurrent starts.
final class ScriptedAuthenticator: Authenticator {
    static let failure = FunctionFailure(
        file: "functions/20-password.lua", message: "functions/20-password.lua:7: attempt to index a nil value",
        traceback: "stack traceback:\n\tfunctions/20-password.lua:7: in function 'authenticate'"
    )

    private let seen = Mutex<[AuthenticationEvent]>([])

    let functionCount = 1
    let version = "test-functions-v1"

    /// Every event passed in, in call order.
    var events: [AuthenticationEvent] { seen.withLock { $0 } }

    func authenticate(_ event: AuthenticationEvent) async -> Verdict {
        seen.withLock { $0.append(event) }
        if case .integer(let delay)? = event.authParams["delayMilliseconds"] {
            try? await Task.sleep(for: .milliseconds(delay))
        }
        switch event.authParams["action"]?.stringValue {
        case "allow":
            return .allowed(
                Profile(
                    displayName: event.authParams["displayName"]?.stringValue,
                    displayPictureUrl: event.authParams["displayPictureUrl"]?.stringValue,
                    properties: event.authParams["properties"]?.objectValue
                )
            )
        case "deny":
            return .denied(
                message: event.authParams["message"]?.stringValue ?? "Wrong password",
                reason: event.authParams["reason"]?.stringValue
            )
        case "error": return .functionError(Self.failure)
        case "timeout": return .timedOut
        case "memory": return .outOfMemory
        case "overload": return .overloaded
        default: return .denied(message: Verdict.noFunctionAllowed, reason: nil)
        }
    }
}
