import Foundation

/// Runs blocking clients on OS threads of their own (Foundation `Thread`), one per client,
/// and awaits their results. A client blocked in read() must not sit on one of the
/// concurrency pool's threads, of which this 2-core machine has two.
enum ClientThreads {
    /// The clients' loops are shallow; a small stack keeps thousands of threads affordable.
    static let stackSize = 512 * 1024

    /// Starts `body(i)` on a new thread for each `i` in `0..<count` and returns every result
    /// once all threads have finished (each thread ends right after handing over its result).
    static func run<Result: Sendable>(count: Int, _ body: @escaping @Sendable (Int) -> Result) async -> [Result] {
        await withTaskGroup(of: Result.self, returning: [Result].self) { group in
            for index in 0..<count {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        let thread = Thread { continuation.resume(returning: body(index)) }
                        thread.name = "client-\(index)"
                        thread.stackSize = stackSize
                        thread.start()
                    }
                }
            }
            var results: [Result] = []
            for await result in group {
                results.append(result)
            }
            return results
        }
    }
}
