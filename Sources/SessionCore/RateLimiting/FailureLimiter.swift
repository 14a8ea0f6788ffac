import Synchronization

/// Counts failed starts per key and refuses a key that reached its `FailureLimit`.
///
/// A **sliding window** log: each key keeps the instants of its last `limit.count` failures; a key is
/// refused while `limit.count` of them lie within the last `limit.window`, and `retryAfter` is the
/// time until the oldest of those leaves the window. Memory is bounded: keys whose failures all left
/// the window are dropped by a sweep that runs at most once per window, and beyond `maxKeys` keys the
/// ones with the oldest last failure are evicted first.
///
/// Checking and recording are separate steps (the verdict comes in between), so a burst of concurrent
/// starts for one key may each pass the check and overshoot the limit by the number in flight.
final class FailureLimiter: Sendable {
    typealias Instant = ContinuousClock.Instant

    private struct State {
        var failures: [String: [Instant]] = [:]
        var nextSweep: Instant
    }

    let limit: FailureLimit
    private let maxKeys: Int
    private let now: @Sendable () -> Instant
    private let state: Mutex<State>

    /// A limit below the minimum (a count under 1, a window under 1 ms) is raised to it.
    init(limit: FailureLimit, maxKeys: Int = 100_000, now: @escaping @Sendable () -> Instant = { .now }) {
        let limit = FailureLimit(count: max(1, limit.count), window: max(.milliseconds(1), limit.window))
        self.limit = limit
        self.maxKeys = max(1, maxKeys)
        self.now = now
        state = Mutex(State(nextSweep: now().advanced(by: limit.window)))
    }

    /// `nil` when `key` may try; otherwise the whole seconds until one of its failures leaves the
    /// window (at least 1, at most the window rounded up).
    func retryAfter(for key: String) -> Int? {
        let now = now()
        return state.withLock { state -> Int? in
            guard let recent = state.failures[key]?.drop(while: { $0 <= now - limit.window }),
                recent.count >= limit.count
            else { return nil }
            let freesAt = recent[recent.endIndex - limit.count] + limit.window
            return Self.wholeSeconds(freesAt - now, atMost: limit.window)
        }
    }

    /// Counts one failed start against `key`.
    func recordFailure(for key: String) {
        let now = now()
        state.withLock { state in
            if now >= state.nextSweep {
                sweep(&state, now: now)
            }
            if state.failures[key] == nil, state.failures.count >= maxKeys {
                sweep(&state, now: now)
                evictOldest(&state, keeping: maxKeys - max(1, maxKeys / 10), now: now)
            }
            var recent = state.failures[key, default: []].drop(while: { $0 <= now - limit.window })
            recent.append(now)
            state.failures[key] = Array(recent.suffix(limit.count))
        }
    }

    /// How many keys are tracked (for tests of the memory bound).
    var trackedKeyCount: Int {
        state.withLock { $0.failures.count }
    }

    private func sweep(_ state: inout State, now: Instant) {
        let cutoff = now - limit.window
        state.failures = state.failures.filter { _, instants in instants.last.map { $0 > cutoff } ?? false }
        state.nextSweep = now.advanced(by: limit.window)
    }

    /// Sorting is O(n log n) but runs once per `maxKeys / 10` new keys at most.
    private func evictOldest(_ state: inout State, keeping target: Int, now: Instant) {
        guard state.failures.count > target else { return }
        let oldestFirst = state.failures.sorted { ($0.value.last ?? now) < ($1.value.last ?? now) }
        for (key, _) in oldestFirst.prefix(state.failures.count - target) {
            state.failures[key] = nil
        }
    }

    private static func wholeSeconds(_ duration: Duration, atMost window: Duration) -> Int {
        func roundedUp(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return seconds + (attoseconds > 0 ? 1 : 0)
        }
        return Int(max(1, min(roundedUp(duration), roundedUp(window))))
    }
}
