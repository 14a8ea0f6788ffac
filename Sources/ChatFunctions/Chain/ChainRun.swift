import LuaRuntime
import StrictJSON

/// One run of a function set in flight on a runner: an authentication (the chain until a
/// function allows or denies) or a trigger (every file's trigger, in file-name order).
///
/// A run lives on the worker thread that started it, in one task of that worker's state,
/// and may wait there on `http` any number of times; the runner it started on stays its
/// runner even when the pool replaces the worker's state for new runs.
public final class ChainRun {
    public enum Kind: Sendable {
        /// Boxed: a job's kind is copied into the queue, out of it and into its run, and each
        /// copy of the event inline retained every reference it holds.
        indirect case authentication(AuthenticationEvent)
        case trigger(TriggerName, event: JSONObject)
    }

    public let id: UInt64
    public let kind: Kind
    /// The budget in force: the whole chain's for an authentication, the current file's for a trigger.
    public private(set) var deadline: LuaDeadline
    /// Told each time the budget starts: the pool's worker, whose watchdog follows it, set only
    /// while the worker is inside the run (so the reference cycle lasts no longer).
    var deadlineObserver: (any ChainRunDeadlineObserver)?
    let budget: Duration
    /// Which link of the chain runs (-1 before the first).
    var link = -1
    var task: LuaTask?
    var currentFile = ""
    var runner: FunctionRunner?

    // `http` bookkeeping (HTTPCallContext).
    var requestsMade = 0
    /// The request the run waits on, set by `http` just before the task yields.
    public internal(set) var outgoing: ScriptHTTPRequest?
    /// Whether that request's timeout is the end of the budget.
    public internal(set) var outgoingEndsWithBudget = false
    var delivered: ScriptHTTPResult?

    /// A trigger's outcome per file (authentications stop at the first failure instead).
    public internal(set) var triggerOutcomes: [TriggerOutcome] = []

    /// An authentication's budget starts now: make the run just before it begins.
    public init(id: UInt64, kind: Kind, budget: Duration) {
        self.id = id
        self.kind = kind
        self.budget = budget
        deadline = .after(budget)
    }

    func setDeadline(_ deadline: LuaDeadline) {
        self.deadline = deadline
        deadlineObserver?.budgetStarted(self, deadline: deadline)
    }
}

/// Follows a run's budget as it starts (the whole chain's, or each trigger file's).
protocol ChainRunDeadlineObserver: AnyObject {
    func budgetStarted(_ run: ChainRun, deadline: LuaDeadline)
}
