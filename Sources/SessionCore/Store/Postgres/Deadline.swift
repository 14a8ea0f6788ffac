import NIOCore
import PostgresNIO
import Synchronization

/// The database did not answer in time.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var description: String { "the database did not answer in time" }
}

/// A bound on how long a client waits for the database.
///
/// PostgresClient has no per-query timeout and a lease request waits for a connection as long as
/// the pool keeps trying to make one. A task group would wait for its child anyway, so the body
/// runs in a task of its own and the caller is let go when the deadline passes; the body finishes
/// (or fails) in the background.
enum Deadline {
    static func run<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = ResumeOnce<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.set(continuation)
            let work = Task {
                do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
            }
            // A timer on an event loop: much cheaper than a second task, and every query has one.
            let (seconds, attoseconds) = limit.components
            let timer = PostgresClient.defaultEventLoopGroup.any().scheduleTask(
                in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            ) {
                if once.resume(.failure(DeadlineExceeded())) { work.cancel() }
            }
            once.onResume { timer.cancel() }
        }
    }
}

private final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var done = false
        var onResume: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func onResume(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.done { return true }
            state.onResume = action
            return false
        }
        if runNow { action() }
    }

    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let taken = state.withLock { state -> (CheckedContinuation<T, any Error>, (@Sendable () -> Void)?)? in
            guard !state.done, let continuation = state.continuation else { return nil }
            state.done = true
            state.continuation = nil
            return (continuation, state.onResume)
        }
        guard let (continuation, action) = taken else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}
