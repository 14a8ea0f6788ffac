import ArgumentParser
import ChatFunctions
import Foundation
import Logging
import StrictJSON

/// `sessiongate bench [DIR] --username U …`: runs the chain N times through the state pool
/// and prints what one authentication costs.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Runs the pipeline N times in-process through the state pool and prints the median and p99 cost."
    )

    @Argument(help: "The functions folder.")
    var directory: String = "./functions"

    @Option(help: "The username of every start.")
    var username: String

    @Option(help: "The auth params, a JSON object (default {}).")
    var authParams: String?

    @Option(help: "How many authentications to run.")
    var iterations: Int = 100_000

    @Option(help: "Lua states running concurrently (one caller task each).")
    var workers: Int = 1

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        let params = try CLISupport.authParams(authParams)
        CLISupport.bootstrapQuietLogging()
        let pool: FunctionPool
        do {
            pool = try FunctionPool(folder: directory, options: FunctionPoolOptions(
                workers: workers, queueLimit: workers * 4, secrets: CLISupport.environmentSecrets,
                logger: Logger(label: "sessiongate.bench")))
        } catch {
            throw CLISupport.fail(loading: error, folder: directory, toStandardOutput: false)
        }
        let event = AuthenticationEvent(username: username, authParams: params, remoteAddress: "127.0.0.1")
        _ = await pool.authenticate(event)  // warm the states
        let perWorker = (0..<workers).map { iterations / workers + ($0 < iterations % workers ? 1 : 0) }
        let started = ContinuousClock.now
        let samples = await Self.measure(pool: pool, event: event, counts: perWorker)
        let elapsed = ContinuousClock.now - started
        await pool.shutdown()
        let sorted = samples.durations.sorted()
        let median = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        let rate = Double(sorted.count) / max(elapsed.secondsValue, 1e-9)
        if let verdict = samples.verdict { print("verdict: \(Self.describe(verdict))") }
        print("\(sorted.count) calls, \(median) ns/call median, \(p99) ns/call p99, \(String(format: "%.0f", rate)) calls/s")
    }

    struct Samples: Sendable {
        var durations: [Int64] = []
        var verdict: Verdict?
    }

    /// One caller task per worker, each timing its calls.
    /// One lane per worker. Each lane submits its next call from where the previous verdict
    /// landed (the worker's thread), as the gateway goes on from there to the reply: what is
    /// timed is the pool and the functions, not the wake-up of a waiting caller.
    static func measure(pool: FunctionPool, event: AuthenticationEvent, counts: [Int]) async -> Samples {
        await withTaskGroup(of: Samples.self) { group in
            for count in counts {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        BenchLane(pool: pool, event: event, count: count) { continuation.resume(returning: $0) }.next()
                    }
                }
            }
            var all = Samples()
            for await part in group {
                all.durations.append(contentsOf: part.durations)
                all.verdict = all.verdict ?? part.verdict
            }
            return all
        }
    }

    static func describe(_ verdict: Verdict) -> String {
        switch verdict {
        case .allowed: return "allowed"
        case .denied(let message, let reason): return "denied (\(message)\(reason.map { ", \($0)" } ?? ""))"
        case .functionError(let failure): return "function error: \(failure.message)"
        case .timedOut: return "function timeout"
        case .outOfMemory: return "function memory"
        case .overloaded: return "overloaded"
        }
    }
}

extension Duration {
    var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
    var secondsValue: Double { Double(nanosecondsValue) / 1e9 }
}

/// A chain of calls, each started by the previous one's completion.
///
/// Safety: only one call of a lane is in flight at a time, and each completion runs before the
/// next call is submitted, so the mutable state is never touched by two threads at once.
private final class BenchLane: @unchecked Sendable {
    private let pool: FunctionPool
    private let event: AuthenticationEvent
    private var remaining: Int
    private var samples = Bench.Samples()
    private var started = ContinuousClock.now
    private let done: @Sendable (Bench.Samples) -> Void

    init(pool: FunctionPool, event: AuthenticationEvent, count: Int, done: @escaping @Sendable (Bench.Samples) -> Void) {
        self.pool = pool
        self.event = event
        remaining = count
        self.done = done
        samples.durations.reserveCapacity(count)
    }

    func next() {
        guard remaining > 0 else { return done(samples) }
        remaining -= 1
        started = ContinuousClock.now
        pool.authenticate(event) { verdict in
            self.samples.durations.append((ContinuousClock.now - self.started).nanosecondsValue)
            self.samples.verdict = verdict
            self.next()
        }
    }
}
