import Foundation

/// Blocking calls made by tests (a socket read, a shell script) run on a thread of their own.
///
/// Not on `DispatchQueue.global()`: on Linux Swift concurrency's threads come from the same
/// libdispatch pool, which adds a thread for a blocked one only on its periodic check, so a few
/// blocked reads stalled other tests' tasks for seconds and failed their timing checks.
enum BlockingThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
