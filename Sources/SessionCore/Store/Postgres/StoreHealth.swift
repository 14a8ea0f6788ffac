import Logging
import PostgresNIO
import Synchronization

/// Whether the database answers, as the last query found; `/health` and the start path read it.
///
/// Once a query fails for want of the database, calls that must answer a client fail at once
/// (`UserStoreError.unavailable`) instead of each waiting out a connect timeout, and a probe runs
/// until the database answers again: the instance recovers without a restart and without waiting
/// for a client to try.
final class StoreHealth: Sendable {
    private struct State {
        var reachable = true
        var probing = false
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let probe: @Sendable () async throws -> Void

    init(logger: Logger, probe: @escaping @Sendable () async throws -> Void) {
        self.logger = logger
        self.probe = probe
    }

    var isReachable: Bool { state.withLock { $0.reachable } }

    /// Throws when the database is known to be down.
    func check() throws {
        guard isReachable else { throw UserStoreError.unavailable }
    }

    func succeeded() {
        let changed = state.withLock { state in
            defer { state.reachable = true }
            return !state.reachable
        }
        if changed { logger.notice("the database answers again") }
    }

    /// Records `error` when it says the database cannot be reached, and starts the probe.
    func failed(_ error: any Error) {
        guard Self.isConnectivity(error) else { return }
        let startProbe = state.withLock { state in
            let wasReachable = state.reachable
            state.reachable = false
            defer { state.probing = true }
            return (wasReachable, !state.probing)
        }
        if startProbe.0 {
            logger.error("the database cannot be reached", metadata: ["error": "\(Self.describe(error))"])
        }
        guard startProbe.1 else { return }
        Task { await self.probeUntilReachable() }
    }

    private func probeUntilReachable() async {
        while true {
            try? await Task.sleep(for: .milliseconds(250))
            do {
                try await Deadline.run(.seconds(2)) { try await self.probe() }
                state.withLock { $0.probing = false }
                succeeded()
                return
            } catch {}
        }
    }

    /// Server errors of class 08 (connection) and 57 (operator intervention: shut down, terminated)
    /// mean the connection is gone; other server errors are the query's own fault.
    static func isConnectivity(_ error: any Error) -> Bool {
        if error is DeadlineExceeded { return true }
        if let error = error as? UserStoreError { return error == .unavailable }
        guard let error = error as? PSQLError else { return false }
        guard error.code == .server else { return true }
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("08") || state.hasPrefix("57")
    }

    /// PSQLError's `description` hides everything; its debug text holds the server's message.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        return "\(error.code)"
    }
}
