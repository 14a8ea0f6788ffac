import Glibc

/// One simulated client of the cycles scenario on the raw transport: the same loop, budget,
/// measurements and error labels as `CycleClient`, but blocking on its own OS thread over a
/// `RawWebSocket`, which costs the tool far less CPU than an event-loop client library.
struct RawCycleClient: Sendable {
    let index: Int
    let options: BenchmarkOptions
    let requests: RequestTexts
    let budget: CycleBudget
    let endpoint: RawEndpoint
    /// Set by the scenario's watchdog past the deadline and the grace period: the thread's
    /// stand-in for task cancellation. A blocked read still waits out its socket timeout.
    let stop: Flag

    /// After a transport error, wait this long before connecting again, so that a refused
    /// connection does not turn into a busy loop.
    private static let reconnectPauseMicroseconds: UInt32 = 20_000

    /// Runs the loop to the end of the budget on the calling thread.
    func run() -> ClientReport {
        var report = ClientReport()
        var state = LoopState()
        switch options.connection {
        case .reuse: runOnOneConnection(&report, &state)
        case .new: runWithNewConnections(&report, &state)
        }
        return report
    }

    /// The numbering of this client's cycles (for usernames) and connections (for mask seeds).
    private struct LoopState {
        var cycle = 0
        var connection = 0
    }

    private func runOnOneConnection(_ report: inout ClientReport, _ state: inout LoopState) {
        while !budget.isSpent, !stop.isSet {
            do {
                let socket = try connect(&state)
                while !stop.isSet, budget.take() {
                    let began = ContinuousClock.now
                    state.cycle += 1
                    if try runSession(socket, username: username(state.cycle - 1), &report) {
                        let ended = ContinuousClock.now
                        report.cycles += 1
                        report.cycle.record(ended - began)
                    }
                }
                try socket.close()
            } catch {
                report.errors.record(TransportFailure.label(of: error))
                usleep(Self.reconnectPauseMicroseconds)
            }
        }
    }

    private func runWithNewConnections(_ report: inout ClientReport, _ state: inout LoopState) {
        while !stop.isSet, budget.take() {
            let began = ContinuousClock.now
            do {
                let socket = try connect(&state)
                let opened = ContinuousClock.now
                report.connect.record(opened - began)
                state.cycle += 1
                let completed = try runSession(socket, username: username(state.cycle - 1), &report)
                try socket.close()
                let closed = ContinuousClock.now
                if completed {
                    report.cycles += 1
                    report.cycle.record(closed - began)
                }
            } catch {
                report.errors.record(TransportFailure.label(of: error))
                usleep(Self.reconnectPauseMicroseconds)
            }
        }
    }

    private func connect(_ state: inout LoopState) throws -> RawWebSocket {
        state.connection += 1
        return try RawWebSocket(endpoint: endpoint, maskSeed: UInt64(index) << 32 | UInt64(truncatingIfNeeded: state.connection))
    }

    /// One start → end on an open connection. Returns whether both succeeded; an error reply
    /// is counted by its code, a transport failure is thrown.
    private func runSession(_ socket: RawWebSocket, username: String, _ report: inout ClientReport) throws -> Bool {
        let sent = ContinuousClock.now
        let started = try socket.request(requests.start(username: username), ref: RequestTexts.startRef)
        let startReplied = ContinuousClock.now
        guard started.succeeded == true else {
            report.errors.record(started.failureLabel)
            return false
        }
        report.startsSucceeded += 1
        report.start.record(startReplied - sent)
        let ended = try socket.request(requests.end, ref: RequestTexts.endRef)
        let endReplied = ContinuousClock.now
        guard ended.succeeded == true else {
            report.errors.record("endSession: " + ended.failureLabel)
            return false
        }
        report.end.record(endReplied - startReplied)
        return true
    }

    private func username(_ cycle: Int) -> String {
        options.username(client: index, cycle: cycle)
    }
}
