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

    /// Runs `work` as a task and blocks the calling thread until it finishes, meanwhile running
    /// what other threads post to `inbox` (a `given.http` answer computed by the test state,
    /// which only this thread may touch). Only for threads outside Swift concurrency.
    static func wait<T: Sendable>(inbox: TestThreadInbox? = nil, _ work: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let wakeup = inbox?.wakeup ?? DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            box.value.withLock { $0 = value }
            wakeup.signal()
        }
        while true {
            wakeup.wait()
            if let inbox, inbox.runPending() { continue }
            if let value = box.value.withLock({ $0 }) { return value }
        }
    }

    private final class ResultBox<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }
}

/// Work other threads hand to a test file's thread while it waits in `ThreadBridge.wait`.
final class TestThreadInbox: Sendable {
    let wakeup = DispatchSemaphore(value: 0)
    private let pending = Mutex<[@Sendable () -> Void]>([])

    /// Runs `work` on the test thread and blocks the caller until it has run.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) -> T {
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        pending.withLock { $0.append { box.withLock { $0 = work() }; done.signal() } }
        wakeup.signal()
        done.wait()
        return box.withLock { $0! }
    }

    /// Runs what was posted; false when nothing was.
    func runPending() -> Bool {
        let work = pending.withLock { list in defer { list = [] }; return list }
        for item in work { item() }
        return !work.isEmpty
    }
}
