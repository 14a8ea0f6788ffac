/// Limits of a test run.
public struct TestRunOptions: Sendable {
    /// Wall-clock budget of one test, hooks included; a test past it fails.
    public var testTimeout: Duration
    /// Memory cap of a test file's own Lua state.
    public var testMemoryLimit: Int
    /// Budget of one authentication, as `--function-timeout` in the gateway.
    public var functionTimeout: Duration
    /// Memory cap of the functions' Lua state, as `--function-memory` in the gateway.
    public var functionMemoryLimit: Int

    public init(
        testTimeout: Duration = .seconds(10), testMemoryLimit: Int = 256 << 20,
        functionTimeout: Duration = .seconds(1), functionMemoryLimit: Int = 32 << 20
    ) {
        self.testTimeout = testTimeout
        self.testMemoryLimit = testMemoryLimit
        self.functionTimeout = functionTimeout
        self.functionMemoryLimit = functionMemoryLimit
    }
}
