import Dispatch
import Synchronization

/// The one answer a run gives: a verdict for an authentication, the per-file outcomes for a
/// trigger. Whoever gets there first (the worker, the watchdog, a refusal) answers; later
/// attempts are ignored.
final class RunAnswer: Sendable {
    struct Result: Sendable {
        var verdict: Verdict
        var triggerOutcomes: [TriggerOutcome] = []
        /// The file whose function decided an authentication.
        var decidingFile: String? = nil
        /// The pool stopped before the run could finish.
        var dropped = false
    }

    private let answered = Atomic<Bool>(false)
    /// Who gets the answer: a trigger's caller gets the whole result; an authentication's the
    /// verdict, after `metrics` has the run's duration since `started`. Kept as they are rather
    /// than wrapped in a closure that records the duration (an allocation on every start) or in
    /// an enum (whose payload was copied out, and retained, at every answer).
    private let resultRecipient: (@Sendable (Result) -> Void)?
    private let verdictRecipient: (@Sendable (Verdict) -> Void)?
    private let started: ContinuousClock.Instant
    private let metrics: PoolMetrics?

    init(_ completion: @escaping @Sendable (Result) -> Void) {
        resultRecipient = completion
        verdictRecipient = nil
        started = .now
        metrics = nil
    }

    /// An authentication's answer: `completion` gets the verdict after `metrics` has the run's
    /// duration since `started`.
    init(verdictTo completion: @escaping @Sendable (Verdict) -> Void, started: ContinuousClock.Instant, metrics: PoolMetrics) {
        resultRecipient = nil
        verdictRecipient = completion
        self.started = started
        self.metrics = metrics
    }

    var isAnswered: Bool { answered.load(ordering: .acquiring) }

    /// False when the run was already answered.
    @discardableResult
    func callAsFunction(_ result: Result) -> Bool {
        guard !answered.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        if let verdictRecipient {
            metrics?.recordDuration(ContinuousClock.now - started, file: result.decidingFile)
            verdictRecipient(result.verdict)
        } else {
            resultRecipient?(result)
        }
        return true
    }
}

/// One queued run: what to run and whom to answer.
struct PoolJob: Sendable {
    var kind: ChainRun.Kind
    var answer: RunAnswer
}

/// A request's answer on its way back to the worker whose run waits on it.
struct Resumption: Sendable {
    var runID: UInt64
    var result: ScriptHTTPResult
}

/// What a worker does next.
enum WorkerAction {
    case resume([Resumption])
    case start(PoolJob)
    case sleep(DispatchSemaphore)
    case exit
}
