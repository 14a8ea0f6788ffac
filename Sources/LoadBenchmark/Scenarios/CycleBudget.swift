import Synchronization

/// When the cycle loops stop: at the deadline, or once the total number of cycles has been
/// handed out, whichever comes first. Shared by every client of a run.
final class CycleBudget: Sendable {
    let deadline: ContinuousClock.Instant
    private let remaining: Atomic<Int>

    init(duration: Duration, cycles: Int?) {
        deadline = .now + duration
        remaining = Atomic(cycles ?? Int.max)
    }

    /// Claims one cycle; false once the run is over.
    func take() -> Bool {
        guard ContinuousClock.now < deadline else { return false }
        return remaining.wrappingSubtract(1, ordering: .relaxed).newValue >= 0
    }

    /// Whether no cycle is left, without claiming one.
    var isSpent: Bool {
        ContinuousClock.now >= deadline || remaining.load(ordering: .relaxed) <= 0
    }
}
