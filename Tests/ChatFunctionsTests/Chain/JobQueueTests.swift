@testable import ChatFunctions
import Dispatch
import Testing

/// Who the queue wakes for a job: with short runs, one waiting job is left to a worker that is
/// awake; a second one, long runs, or the watchdog's tick wake a sleeper.
@Suite struct JobQueueTests {
    private func job() -> PoolJob {
        PoolJob(kind: .authentication(AuthenticationEvent(username: "jane", authParams: [:], remoteAddress: "10.0.0.1")),
                answer: RunAnswer { _ in })
    }

    /// Two workers: 1 takes a job and stays in its run, 2 finds nothing and sleeps.
    private func oneAwakeOneAsleep() -> JobQueue {
        var queue = JobQueue()
        queue.addWorker(1)
        queue.addWorker(2)
        _ = queue.add(job(), isTrigger: false, shortRuns: false)
        guard case .start = queue.next(for: 1, hasRoom: true) else {
            Issue.record("worker 1 should take the job")
            return queue
        }
        guard case .sleep = queue.next(for: 2, hasRoom: true) else {
            Issue.record("worker 2 should sleep")
            return queue
        }
        return queue
    }

    @Test func withShortRunsOneWaitingJobIsLeftToTheAwakeWorker() {
        var queue = oneAwakeOneAsleep()
        #expect(queue.add(job(), isTrigger: false, shortRuns: true) == nil)
        // A second waiting job wakes the sleeper.
        #expect(queue.add(job(), isTrigger: false, shortRuns: true) != nil)
        guard case .start = queue.next(for: 2, hasRoom: true) else {
            Issue.record("the woken worker should take a job")
            return
        }
        guard case .start = queue.next(for: 1, hasRoom: true) else {
            Issue.record("the awake worker should take the job left to it")
            return
        }
    }

    @Test func withLongRunsEveryJobWakesASleeper() {
        var queue = oneAwakeOneAsleep()
        #expect(queue.add(job(), isTrigger: false, shortRuns: false) != nil)
    }

    @Test func withNoWorkerAwakeAJobWakesASleeper() {
        var queue = JobQueue()
        queue.addWorker(1)
        guard case .sleep = queue.next(for: 1, hasRoom: true) else {
            Issue.record("worker 1 should sleep")
            return
        }
        #expect(queue.add(job(), isTrigger: false, shortRuns: true) != nil)
    }

    /// The watchdog's backstop: a job left to an awake worker whose run turned out long.
    @Test func theTickWakesASleeperForAJobStillWaiting() {
        var queue = oneAwakeOneAsleep()
        #expect(queue.wakeIdleWorkerIfJobsWait() == nil)
        #expect(queue.add(job(), isTrigger: false, shortRuns: true) == nil)
        #expect(queue.wakeIdleWorkerIfJobsWait() != nil)
        // The woken worker is on its way: the job is not counted as waiting twice.
        #expect(queue.wakeIdleWorkerIfJobsWait() == nil)
    }
}
