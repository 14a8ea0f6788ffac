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

    /// Who gets the answer. An authentication's caller is kept as it is, with what the duration
    /// metric needs beside it, rather than wrapped in a closure that records the duration: the
    /// wrapper was an allocation on every start.
    private enum Recipient: Sendable {
        case result(@Sendable (Result) -> Void)
        case verdict(@Sendable (Verdict) -> Void, started: ContinuousClock.Instant, metrics: PoolMetrics)
    }

    private let answered = Atomic<Bool>(false)
    private let recipient: Recipient

    init(_ completion: @escaping @Sendable (Result) -> Void) {
        recipient = .result(completion)
    }

    /// An authentication's answer: `completion` gets the verdict after `metrics` has the run's
    /// duration since `started`.
    init(verdictTo completion: @escaping @Sendable (Verdict) -> Void, started: ContinuousClock.Instant, metrics: PoolMetrics) {
        recipient = .verdict(completion, started: started, metrics: metrics)
    }

    var isAnswered: Bool { answered.load(ordering: .acquiring) }

    /// False when the run was already answered.
    @discardableResult
    func callAsFunction(_ result: Result) -> Bool {
        guard !answered.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        switch recipient {
        case .result(let completion):
            completion(result)
        case .verdict(let completion, let started, let metrics):
            metrics.recordDuration(ContinuousClock.now - started, file: result.decidingFile)
            completion(result.verdict)
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
