import Synchronization

/// Runs concurrent requests for the same statement as one statement over all of them.
///
/// A request runs at once while fewer than `concurrency` batches are in flight; requests that
/// arrive while they are all busy wait and go together in the next one. Under load a start's read of its user and its session
/// row each cost one statement per batch instead of one per start, which on PostgreSQL is most
/// of both the server's and the gateway's work; an idle gateway adds no delay.
final class StatementBatcher<Request: Sendable, Answer: Sendable>: Sendable {
    /// Answers every request of a batch, in the order given.
    typealias Run = @Sendable ([Request]) async throws -> [Answer]

    /// Called once with the request's answer, on the thread that ran its batch.
    typealias Completion = @Sendable (Result<Answer, any Error>) -> Void

    private struct Waiting: Sendable {
        var request: Request
        var completion: Completion
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var running = 0
    }

    private let state = Mutex(State())
    /// The largest batch; more wait for the next one.
    private let limit: Int
    /// Batches in flight at once: a second one overlaps the first's round trip and commit.
    private let concurrency: Int

    init(limit: Int = 256, concurrency: Int = 2) {
        self.limit = limit
        self.concurrency = max(1, concurrency)
    }

    /// Answers `request` through `completion` with the batch it joins; `run` (the same for
    /// every request of this batcher) runs that batch. No task of the caller's waits: the start
    /// pipeline costs no task switch of its own (`Later.value` awaits it where one must).
    func submit(_ request: Request, run: @escaping Run, completion: @escaping Completion) {
        let start = state.withLock { state -> Bool in
            state.waiting.append(Waiting(request: request, completion: completion))
            guard state.running < concurrency else { return false }
            state.running += 1
            return true
        }
        if start { Task { await drain(run) } }
    }

    private func drain(_ run: Run) async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = Array(state.waiting.prefix(limit))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.running -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let answers = try await run(batch.map(\.request))
                guard answers.count == batch.count else {
                    throw UserStoreError.corruptData("a batch of \(batch.count) got \(answers.count) answers")
                }
                for (waiting, answer) in zip(batch, answers) { waiting.completion(.success(answer)) }
            } catch {
                for waiting in batch { waiting.completion(.failure(error)) }
            }
        }
    }
}
