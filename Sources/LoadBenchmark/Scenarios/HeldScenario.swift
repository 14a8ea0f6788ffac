import Logging

/// The held scenario: opens `sessions` sessions (at most `openConcurrency` starts in flight),
/// holds them, reads the gateway's resident memory and its own count of active sessions,
/// then ends them all and reads the memory again.
struct HeldScenario {
    let options: BenchmarkOptions
    let gateway: GatewayProcess?
    let logger: Logger

    /// How long the gateway gets to drop ended sessions before the last reading.
    private static let settle = Duration.seconds(2)

    /// What the opening phase counted.
    private struct Opening {
        var launched = 0
        var inFlight = 0
        var started = 0
        var failures = ErrorTally()
        var latency = LatencySamples()
        var timedOut = false

        mutating func absorb(_ event: OpenEvent) {
            switch event {
            case .started(let duration):
                inFlight -= 1
                started += 1
                latency.record(duration)
            case .failed(let label):
                inFlight -= 1
                failures.record(label)
            case .timedOut:
                timedOut = true
            }
        }
    }

    /// Runs and prints the report; returns whether every session started and ended.
    func run() async -> Bool {
        print("held: sessions=\(options.sessions) auth=\(options.start.rawValue) open-concurrency=\(options.openConcurrency)"
            + " hold=\(Format.fixed(options.hold.inSeconds, 1))s url=\(options.url)")
        print("  load average before: \(ProcFile.loadAverage())")
        let before = ResourceSnapshot.take(gateway: gateway)
        print("  " + Format.memoryLine("gateway memory before", before))
        print("  gateway /health sessions before: \(health())")

        let requests = RequestTexts(start: options.start, password: options.password)
        let gate = ReleaseGate()
        let (events, sink) = AsyncStream.makeStream(of: OpenEvent.self)
        // Bounded: a start that never gets an answer cannot hold the run forever.
        let openBudget = options.grace + .milliseconds(options.sessions)
        let watchdog = Task {
            try await Task.sleep(for: openBudget)
            sink.yield(.timedOut)
        }
        let ends = await withTaskGroup(of: HeldEnd.self, returning: [HeldEnd].self) { group in
            var opening = Opening()
            var pending = events.makeAsyncIterator()
            while opening.launched < options.sessions, !opening.timedOut {
                if opening.inFlight >= options.openConcurrency {
                    if let event = await pending.next() { opening.absorb(event) }
                    continue
                }
                let holder = SessionHolder(
                    url: options.url,
                    startText: requests.start(username: options.username(client: opening.launched, cycle: 0)),
                    requests: requests, gate: gate, events: sink, logger: logger)
                group.addTask { await holder.run() }
                opening.launched += 1
                opening.inFlight += 1
            }
            while opening.inFlight > 0, !opening.timedOut, let event = await pending.next() {
                opening.absorb(event)
            }
            watchdog.cancel()
            let opened = ResourceSnapshot.take(gateway: gateway)
            report(opening, openedIn: (opened.at - before.at).inSeconds)
            if opening.timedOut {
                print("  opening timed out after \(Format.fixed(openBudget.inSeconds, 0)) s; cancelling what is left")
                group.cancelAll()
            }
            try? await Task.sleep(for: options.hold)
            let holding = ResourceSnapshot.take(gateway: gateway)
            print("  gateway /health sessions while holding: \(health())")
            print("  " + Format.memoryLine("gateway memory holding", holding))
            if let was = before.gatewayMemory?.residentKiB, let now = holding.gatewayMemory?.residentKiB, opening.started > 0 {
                let perSession = Double(now - was) / Double(opening.started)
                print("  growth: \(Format.mebibytes(now - was)) for \(opening.started) sessions = \(Format.fixed(perSession, 1)) KiB per session")
            }
            gate.release()
            var ends: [HeldEnd] = []
            for await end in group { ends.append(end) }
            return ends
        }
        sink.finish()
        try? await Task.sleep(for: Self.settle)
        let after = ResourceSnapshot.take(gateway: gateway)
        var lost = ErrorTally()
        var ended = 0
        for end in ends {
            switch end {
            case .ended: ended += 1
            case .lost(let label): lost.record(label)
            case .neverStarted: break
            }
        }
        print("  released: \(ended) ended by endSession; lost before the end (\(lost.total)): \(lost.summary)")
        print("  gateway /health sessions after: \(health())")
        print("  " + Format.memoryLine("gateway memory after", after))
        for line in before.cpuLines(until: after, gateway: gateway) { print("  " + line) }
        print("  load average after: \(ProcFile.loadAverage())")
        return ended == options.sessions
    }

    private func report(_ opening: Opening, openedIn seconds: Double) {
        print("  active: \(opening.started) of \(opening.launched) started"
            + " in \(Format.fixed(seconds, 2)) s = \(Format.fixed(Double(opening.started) / seconds, 0)) starts/s;"
            + " failed (\(opening.failures.total)): \(opening.failures.summary)")
        print("  " + Format.latencyLine("startSession", opening.latency))
    }

    private func health() -> String {
        HealthProbe.activeSessions(host: options.host, port: options.port).map(String.init) ?? "unavailable"
    }
}
