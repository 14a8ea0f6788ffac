/// Counts failed starts per key and says how long a key must wait (`FailureLimiter` in one
/// process, `SharedFailureLimiter` across the instances of a cluster).
public protocol FailureLimiting: Sendable {
    /// `nil` when `key` may try; otherwise the whole seconds to wait, at least 1.
    func retryAfter(for key: String) -> Int?

    /// Counts one failed start against `key`. Never waits: a shared count is written in the background.
    func recordFailure(for key: String)
}

extension FailureLimiter: FailureLimiting {}
