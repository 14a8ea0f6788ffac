import Dispatch
import Foundation
import Synchronization

/// The two crossings between Swift concurrency and the plain threads Lua runs on.
///
/// Host functions are synchronous, so a test file's state runs on a thread of its own, and
/// `authenticate` blocks that thread while a task runs the async start. The pool's own worker
/// threads run the functions, so the blocked thread never waits on itself; no thread of the
/// Swift concurrency pool is ever blocked.
enum ThreadBridge {
    /// Runs `body` on a new thread and suspends until it returns.
    static func onNewThread<T: Sendable>(named name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.name = name
            // Lua's C recursion (nested pcall, deep tables) wants more than a secondary thread's default.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `work` as a task and blocks the calling thread until it finishes.
    /// Only for threads outside Swift concurrency (see `onNewThread`).
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            box.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        // The task stored the value before it signalled.
        return box.value.withLock { $0! }
    }

    private final class ResultBox<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }
}
