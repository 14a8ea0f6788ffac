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
        print("cycles: transport=\(options.transport.rawValue) connection=\(options.connection.rawValue)"
            + " auth=\(options.start.rawValue) clients=\(options.clients)"
            + " duration=\(Format.fixed(options.duration.inSeconds, 1))s"
            + (options.cycleLimit.map { " cycle-limit=\($0)" } ?? "")
            + (options.uniqueUsers ? " unique-users" : "") + " url=\(options.url)")
        let endpoint: RawEndpoint?
        do {
            endpoint = options.transport == .raw ? try RawEndpoint(options: options) : nil
        } catch {
            print("  error: \(TransportFailure.label(of: error))")
            return false
        }
        print("  load average before: \(ProcFile.loadAverage())")
        let before = ResourceSnapshot.take(gateway: gateway)
        let stop = Flag()
        let work = Task {
            if let endpoint {
                await runOnThreads(budget: budget, requests: requests, endpoint: endpoint, stop: stop)
            } else {
                await runOnTasks(budget: budget, requests: requests)
            }
        }
        // Bounded: past the deadline and the grace period, whatever still waits is cancelled
        // (tasks), or stops at its next step or socket timeout (threads).
        let watchdog = Task {
            try await Task.sleep(until: budget.deadline + options.grace, clock: .continuous)
            stop.set()
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

    /// HummingbirdWSClient: one task per client on the concurrency pool.
    private func runOnTasks(budget: CycleBudget, requests: RequestTexts) async -> ClientReport {
        let clients = (0..<options.clients).map {
            CycleClient(index: $0, options: options, requests: requests, budget: budget, logger: logger)
        }
        return await withTaskGroup(of: ClientReport.self, returning: ClientReport.self) { group in
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

    /// The raw transport: one blocking OS thread per client.
    private func runOnThreads(budget: CycleBudget, requests: RequestTexts, endpoint: RawEndpoint, stop: Flag) async -> ClientReport {
        let options = options
        let reports = await ClientThreads.run(count: options.clients) { index in
            RawCycleClient(index: index, options: options, requests: requests, budget: budget, endpoint: endpoint, stop: stop).run()
        }
        return reports.reduce(into: ClientReport()) { $0.merge($1) }
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
        let pings = options.start == .ping
        lines.append(Format.latencyLine(pings ? "first ping" : "startSession", total.start))
        lines.append(Format.latencyLine(pings ? "second ping" : "endSession", total.end))
        lines.append(Format.latencyLine(options.connection == .new ? "whole cycle" : "start+end cycle", total.cycle))
        lines.append("errors (\(total.errors.total)): \(total.errors.summary)")
        return lines
    }
}
