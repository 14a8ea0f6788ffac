import HummingbirdWSClient
import Logging

/// One simulated client of the cycles scenario: it loops start → end until the budget runs
/// out, on a connection of its own that it keeps (reuse) or on a new connection per session.
struct CycleClient: Sendable {
    let index: Int
    let options: BenchmarkOptions
    let requests: RequestTexts
    let budget: CycleBudget
    let logger: Logger

    /// After a transport error, wait this long before connecting again, so that a refused
    /// connection does not turn into a busy loop.
    private static let reconnectPause = Duration.milliseconds(20)

    func run() async -> ClientReport {
        let box = ReportBox()
        switch options.connection {
        case .reuse: await runOnOneConnection(box)
        case .new: await runWithNewConnections(box)
        }
        return box.value
    }

    private func runOnOneConnection(_ box: ReportBox) async {
        let counter = CycleCounter()
        while !budget.isSpent, !Task.isCancelled {
            do {
                try await WebSocketClient.connect(url: options.url, logger: logger) { inbound, outbound, _ in
                    var exchange = Exchange(inbound: inbound, outbound: outbound)
                    while budget.take() {
                        let began = ContinuousClock.now
                        if try await runSession(&exchange, username: username(counter.next()), box: box) {
                            let ended = ContinuousClock.now
                            box.update { $0.cycles += 1; $0.cycle.record(ended - began) }
                        }
                    }
                }
            } catch {
                box.update { $0.errors.record(TransportFailure.label(of: error)) }
                try? await Task.sleep(for: Self.reconnectPause)
            }
        }
    }

    private func runWithNewConnections(_ box: ReportBox) async {
        let counter = CycleCounter()
        while !Task.isCancelled, budget.take() {
            let began = ContinuousClock.now
            let completed = Flag()
            do {
                try await WebSocketClient.connect(url: options.url, logger: logger) { inbound, outbound, _ in
                    let opened = ContinuousClock.now
                    box.update { $0.connect.record(opened - began) }
                    var exchange = Exchange(inbound: inbound, outbound: outbound)
                    if try await runSession(&exchange, username: username(counter.next()), box: box) {
                        completed.set()
                    }
                }
                let closed = ContinuousClock.now
                if completed.isSet {
                    box.update { $0.cycles += 1; $0.cycle.record(closed - began) }
                }
            } catch {
                box.update { $0.errors.record(TransportFailure.label(of: error)) }
                try? await Task.sleep(for: Self.reconnectPause)
            }
        }
    }

    /// One start → end on an open connection. Returns whether both succeeded; an error reply
    /// is counted by its code, a transport failure is thrown.
    private func runSession(_ exchange: inout Exchange, username: String, box: ReportBox) async throws -> Bool {
        let sent = ContinuousClock.now
        let started = try await exchange.request(requests.start(username: username), ref: RequestTexts.startRef)
        let startReplied = ContinuousClock.now
        guard started.succeeded == true else {
            box.update { $0.errors.record(started.failureLabel) }
            return false
        }
        box.update { $0.startsSucceeded += 1; $0.start.record(startReplied - sent) }
        let ended = try await exchange.request(requests.end, ref: RequestTexts.endRef)
        let endReplied = ContinuousClock.now
        guard ended.succeeded == true else {
            box.update { $0.errors.record("endSession: " + ended.failureLabel) }
            return false
        }
        box.update { $0.end.record(endReplied - startReplied) }
        return true
    }

    private func username(_ cycle: Int) -> String {
        options.username(client: index, cycle: cycle)
    }
}
