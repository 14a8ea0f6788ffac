import Foundation
import Logging

/// How a `FunctionPool` runs its states (SPEC §1 `--function-*` options).
public struct FunctionPoolOptions: Sendable {
    /// Lua states that run concurrently, each on a thread of its own.
    public var workers: Int
    /// Wall-clock budget of one authentication, all functions together.
    public var timeout: Duration
    /// Memory cap of one Lua state, in bytes.
    public var memoryLimit: Int
    /// Authentications that may wait for a state; one more is answered `overloaded`.
    public var queueLimit: Int
    /// `context.secrets`.
    public var secrets: [String: String]
    public var logger: Logger
    /// How often `watch()` looks for changes.
    public var reloadInterval: Duration
    /// Where scripts' `http` calls go; by default nowhere (every call fails).
    public var http: any HTTPTransport
    /// Runs one worker keeps at once, most of them waiting on `http`.
    public var runsPerWorker: Int
    /// Triggers that may wait for a worker; one more is dropped (SPEC §3: 10,000).
    public var triggerQueueLimit: Int
    /// How long after the budget the watchdog answers for a state stuck in a C call and
    /// replaces its worker. Tests lengthen it to tell that apart from a stop by the hook.
    var stuckGrace: Duration = .milliseconds(50)

    public init(
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        timeout: Duration = .seconds(1),
        memoryLimit: Int = 32 << 20,
        queueLimit: Int = 4096,
        secrets: [String: String] = [:],
        logger: Logger = Logger(label: "sessiongate.functions"),
        reloadInterval: Duration = .milliseconds(500),
        http: any HTTPTransport = UnavailableHTTPTransport(),
        runsPerWorker: Int = 1024,
        triggerQueueLimit: Int = 10_000
    ) {
        self.http = http
        self.runsPerWorker = max(1, runsPerWorker)
        self.triggerQueueLimit = max(0, triggerQueueLimit)
        self.workers = max(1, workers)
        self.timeout = timeout
        self.memoryLimit = memoryLimit
        self.queueLimit = max(0, queueLimit)
        self.secrets = secrets
        self.logger = logger
        self.reloadInterval = reloadInterval
    }
}
