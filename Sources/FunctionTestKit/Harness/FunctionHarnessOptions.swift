import Logging

/// How a ``FunctionHarness`` runs the functions.
public struct FunctionHarnessOptions: Sendable {
    /// Budget of one authentication, all functions together (`--function-timeout`).
    public var timeout: Duration
    /// Memory cap of the Lua state (`--function-memory`).
    public var memoryLimit: Int
    /// Whether starts without authParams are allowed (`--guest`).
    public var guestsAllowed: Bool
    /// Where the functions' log lines (`print`, `context.log`) and failures go.
    public var logger: Logger

    public init(
        timeout: Duration = .seconds(1), memoryLimit: Int = 32 << 20, guestsAllowed: Bool = true,
        logger: Logger = Logger(label: "sessiongate.test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.timeout = timeout
        self.memoryLimit = memoryLimit
        self.guestsAllowed = guestsAllowed
        self.logger = logger
    }
}
