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
    private let completion: @Sendable (Result) -> Void

    init(_ completion: @escaping @Sendable (Result) -> Void) {
        self.completion = completion
    }

    var isAnswered: Bool { answered.load(ordering: .acquiring) }

    /// False when the run was already answered.
    @discardableResult
    func callAsFunction(_ result: Result) -> Bool {
        guard !answered.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        completion(result)
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
