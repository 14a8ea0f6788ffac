/// The triggers a function file may define besides `authenticate` (SPEC §3).
public enum TriggerName: String, Sendable, CaseIterable {
    case sessionStarted = "session_started"
    case sessionEnded = "session_ended"
}

/// How one file's trigger ended, for the log and `sessiongate_trigger_runs_total{trigger,result}`.
public struct TriggerOutcome: Sendable, Equatable {
    public enum Result: String, Sendable {
        case ok, error, timeout, memory
    }

    public var file: String
    public var result: Result
    /// The error, for `error`.
    public var message: String?
}
