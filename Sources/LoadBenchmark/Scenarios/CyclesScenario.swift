import Logging

/// The cycles scenario: `clients` concurrent clients loop start → end for the duration (or
/// the cycle limit); prints the rate, the latencies and the error counts.
struct CyclesScenario {
    let options: BenchmarkOptions
    let gateway: GatewayProcess?
    let logger: Logger

    /// Runs and prints the report; returns whether any start succeeded.
    func run() async -> Bool {
        let budget = CycleBudget(duration: options.duration, cycles: options.cycleLimit)
        let requests = RequestTexts(start: options.start, password: options.password)
        print("cycles: connection=\(options.connection.rawValue) auth=\(options.start.rawValue) clients=\(options.clients)"
            + " duration=\(Format.fixed(options.duration.inSeconds, 1))s"
            + (options.cycleLimit.map { " cycle-limit=\($0)" } ?? "")
            + (options.uniqueUsers ? " unique-users" : "") + " url=\(options.url)")
        print("  load average before: \(ProcFile.loadAverage())")
        let before = ResourceSnapshot.take(gateway: gateway)
        let clients = (0..<options.clients).map {
            CycleClient(index: $0, options: options, requests: requests, budget: budget, logger: logger)
        }
        let work = Task {
            await withTaskGroup(of: ClientReport.self, returning: ClientReport.self) { group in
                for client in clients {
                    group.addTask { await client.run() }
                }
                var total = ClientReport()
                for await report in group {
                    total.merge(report)
                }
                return total
            }
        }
        // Bounded: past the deadline and the grace period, whatever still waits is cancelled.
        let watchdog = Task {
            try await Task.sleep(until: budget.deadline + options.grace, clock: .continuous)
            work.cancel()
        }
        let total = await work.value
        watchdog.cancel()
        let after = ResourceSnapshot.take(gateway: gateway)
        print(lines(total, wall: (after.at - before.at).inSeconds).map { "  " + $0 }.joined(separator: "\n"))
        for line in before.cpuLines(until: after, gateway: gateway) { print("  " + line) }
        print("  " + Format.memoryLine("gateway memory before", before))
        print("  " + Format.memoryLine("gateway memory after", after))
        print("  load average after: \(ProcFile.loadAverage())")
        return total.startsSucceeded > 0
    }

    private func lines(_ total: ClientReport, wall: Double) -> [String] {
        var lines = [
            "completed cycles: \(total.cycles) = \(Format.fixed(Double(total.cycles) / wall, 0)) cycles/s;"
                + " successful starts: \(total.startsSucceeded) = \(Format.fixed(Double(total.startsSucceeded) / wall, 0)) starts/s"
                + " (over \(Format.fixed(wall, 2)) s wall)",
        ]
        if options.connection == .new {
            lines.append(Format.latencyLine("connect", total.connect))
        }
        lines.append(Format.latencyLine("startSession", total.start))
        lines.append(Format.latencyLine("endSession", total.end))
        lines.append(Format.latencyLine(options.connection == .new ? "whole cycle" : "start+end cycle", total.cycle))
        lines.append("errors (\(total.errors.total)): \(total.errors.summary)")
        return lines
    }
}
