import Synchronization

/// What one client (or all of them, merged) measured in the cycles scenario.
struct ClientReport: Sendable {
    /// Cycles that went all the way: start and end succeeded (and, with a new connection
    /// per session, the connection closed cleanly).
    var cycles = 0
    var startsSucceeded = 0
    /// Time to an open WebSocket (TCP connect and HTTP upgrade), new-connection variant only.
    var connect = LatencySamples()
    /// From sending `startSession` to its successful reply.
    var start = LatencySamples()
    /// From sending `endSession` to its successful reply.
    var end = LatencySamples()
    /// A whole cycle: connect (if new) → start → end → close (if new).
    var cycle = LatencySamples()
    var errors = ErrorTally()

    mutating func merge(_ other: ClientReport) {
        cycles += other.cycles
        startsSucceeded += other.startsSucceeded
        connect.merge(other.connect)
        start.merge(other.start)
        end.merge(other.end)
        cycle.merge(other.cycle)
        errors.merge(other.errors)
    }
}

/// One client's report, written from inside the WebSocket handler (an escaping, `Sendable`
/// closure that cannot mutate the caller's variables) and read once the client is done.
final class ReportBox: Sendable {
    private let report = Mutex(ClientReport())

    func update(_ change: (inout ClientReport) -> Void) {
        report.withLock { change(&$0) }
    }

    var value: ClientReport {
        report.withLock { $0 }
    }
}
