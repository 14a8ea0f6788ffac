import Dispatch
import Foundation
import Synchronization

/// A thread that owns one `FunctionRunner` and runs jobs on it, one at a time.
///
/// The runner never leaves this thread: jobs come in as closures and receive
/// it there. A worker whose job ran past the pool's watchdog is abandoned (its
/// thread keeps the stuck state until the job returns, then exits) and the pool
/// starts a replacement, so capacity never shrinks.
final class Worker: Sendable {
    typealias Job = @Sendable (WorkerSlot) -> Void

    let id: Int
    private let mailbox = Mailbox()

    init(id: Int) {
        self.id = id
        let mailbox = self.mailbox
        let thread = Thread {
            let slot = WorkerSlot()
            while true {
                switch mailbox.next() {
                case .run(let job): job(slot)
                case .stop: return
                }
            }
        }
        thread.name = "sessiongate-lua-\(id)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    func submit(_ job: @escaping Job) { mailbox.post(.run(job)) }

    /// Ends the thread after the jobs already submitted.
    func stop() { mailbox.post(.stop) }
}

/// A queue of messages for one thread, which sleeps while it is empty.
final class Mailbox: Sendable {
    enum Message: Sendable {
        case run(Worker.Job)
        case stop
    }

    private let messages = Mutex<[Message]>([])
    private let wakeup = DispatchSemaphore(value: 0)

    func post(_ message: Message) {
        messages.withLock { $0.append(message) }
        wakeup.signal()
    }

    func next() -> Message {
        while true {
            wakeup.wait()
            if let message = messages.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return message }
        }
    }
}

/// What a job gets on its worker's thread: the runner and which set and
/// fixtures it was built with, so the pool can tell when to rebuild it.
final class WorkerSlot {
    var runner: FunctionRunner?
    var setGeneration = -1
    var fixturesGeneration = -1
}
