import SessionCore
import StrictJSON
import Testing

/// Fills every Lua worker of a gateway whose pool has no queue (`queueLimit: 0`), so that the
/// next authenticated start is refused with `overloaded`, the real "queues full" path.
struct PoolSaturation {
    /// The pool settings that make saturation possible: two workers, no queue, and a budget
    /// longer than the holds.
    static let settings = TestPoolSettings(timeout: .seconds(5), queueLimit: 0)

    /// Failure limits off: the probes are denied starts, and must not become `rate_limited`.
    static var options: SessionOptions {
        var options = SessionOptions()
        options.usernameFailureLimit = nil
        options.addressFailureLimit = nil
        return options
    }

    let holders: [WebSocketTestClient]

    /// Starts a `hold` of `seconds` on each of the pool's two workers, then runs `probe` (an
    /// authenticated start that returns whether it was refused `overloaded`) until it is;
    /// throws if it never is within the hold.
    static func fill(
        _ gateway: TestGateway, seconds: Double = 4, probe: () async throws -> Bool
    ) async throws -> PoolSaturation {
        var holders: [WebSocketTestClient] = []
        for _ in 0..<2 {
            let holder = try await gateway.connect()
            holder.send(Wire.start(Wire.username("holder"), authParams: ["action": "hold", "seconds": .double(seconds)]))
            holders.append(holder)
        }
        // Let both holds reach a worker before any probe competes with them for one.
        try await Task.sleep(for: .milliseconds(300))
        let deadline = ContinuousClock.now + .seconds(seconds - 0.5)
        while ContinuousClock.now < deadline {
            if try await probe() { return PoolSaturation(holders: holders) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestGateway.Failure(description: "the pool never reported overloaded while both workers were held")
    }

    /// Waits for both holds to finish (each allowed) and closes their connections.
    func release() async throws {
        for holder in holders {
            let reply = try await holder.receive(timeout: .seconds(10))
            _ = expectSession(reply)
            await holder.close()
        }
    }
}
