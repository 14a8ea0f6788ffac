import Synchronization
import Testing
@testable import SessionCore

/// The batcher in front of the PostgreSQL store's two awaited statements, without a database.
@Suite struct StatementBatcherTests {
    /// Records each batch it runs; holds every batch until `release` lets it go.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let gate = Mutex<Bool>(false)

        func run(_ requests: [Int]) async throws -> [String] {
            batches.withLock { $0.append(requests) }
            while !gate.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
            if requests.contains(-1) { throw UserStoreError.unavailable }
            return requests.map { "answer \($0)" }
        }
    }

    static func waitFor(_ count: Int, batchesOf recorder: Recorder) async throws {
        for _ in 0..<2000 where recorder.batches.withLock({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func requestsThatArriveWhileABatchRunsGoTogetherInTheNextBatch() async throws {
        let batcher = StatementBatcher<Int, String>(limit: 256, concurrency: 1)
        let recorder = Recorder()
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            group.addTask { (0, try await batcher.submit(0, run: recorder.run)) }
            try await Self.waitFor(1, batchesOf: recorder)
            for i in 1...10 { group.addTask { (i, try await batcher.submit(i, run: recorder.run)) } }
            try await Task.sleep(for: .milliseconds(50))
            recorder.gate.withLock { $0 = true }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 11)
        #expect(answers.allSatisfy { $0.value == "answer \($0.key)" })
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.count == 2, "\(batches)")
        #expect(batches.first == [0])
        #expect(batches.last?.sorted() == Array(1...10))
    }

    @Test func aSecondBatchRunsWhileTheFirstIsInFlight() async throws {
        let batcher = StatementBatcher<Int, String>(limit: 256, concurrency: 2)
        let recorder = Recorder()
        async let first = batcher.submit(1, run: recorder.run)
        try await Self.waitFor(1, batchesOf: recorder)
        async let second = batcher.submit(2, run: recorder.run)
        try await Self.waitFor(2, batchesOf: recorder)
        // Both are in flight before either finished: the gate is still closed.
        #expect(recorder.batches.withLock { $0 } == [[1], [2]])
        recorder.gate.withLock { $0 = true }
        #expect(try await [first, second] == ["answer 1", "answer 2"])
    }

    @Test func aFailedBatchFailsEveryRequestInItAndTheNextBatchStillRuns() async throws {
        let batcher = StatementBatcher<Int, String>(limit: 256, concurrency: 1)
        let recorder = Recorder()
        recorder.gate.withLock { $0 = true }
        await #expect(throws: UserStoreError.self) { try await batcher.submit(-1, run: recorder.run) }
        #expect(try await batcher.submit(7, run: recorder.run) == "answer 7")
    }
}

extension StatementBatcher {
    /// `submit`, awaited.
    func submit(_ request: Request, run: @escaping Run) async throws -> Answer {
        try await Later<Answer> { self.submit(request, run: run, completion: $0) }.value
    }
}
