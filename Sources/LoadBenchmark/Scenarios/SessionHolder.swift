import HummingbirdWSClient
import Logging
import Synchronization

/// How the opening of one held session went, reported as soon as its start is answered.
enum OpenEvent: Sendable {
    case started(Duration)
    case failed(String)
    /// Not a session: the opening phase ran out of time.
    case timedOut
}

/// How one held session finished.
enum HeldEnd: Sendable {
    case neverStarted
    /// `endSession` succeeded after the release.
    case ended
    /// The session started but did not end by the tool's `endSession` (label says why).
    case lost(String)
}

/// One held session: connects, starts, reports the start, then keeps reading (so the client
/// library answers the gateway's pings) until the release gate opens; then ends the session
/// with `endSession` and closes.
struct SessionHolder: Sendable {
    let url: String
    let startText: String
    let requests: RequestTexts
    let gate: ReleaseGate
    let events: AsyncStream<OpenEvent>.Continuation
    let logger: Logger

    func run() async -> HeldEnd {
        let outcome = HolderOutcome()
        do {
            try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                var exchange = Exchange(inbound: inbound, outbound: outbound)
                let sent = ContinuousClock.now
                let reply = try await exchange.request(startText, ref: RequestTexts.startRef)
                guard reply.succeeded == true else {
                    outcome.reportOpen(.failed(reply.failureLabel), to: events)
                    return
                }
                outcome.reportOpen(.started(ContinuousClock.now - sent), to: events)
                async let released: Void = releaseThenEnd(outbound)
                let ended = try await exchange.reply(ref: RequestTexts.endRef)
                outcome.finish(ended.succeeded == true ? .ended : .lost("endSession: " + ended.failureLabel))
                await released
            }
        } catch {
            let label = TransportFailure.label(of: error)
            outcome.reportOpen(.failed(label), to: events)
            outcome.finish(.lost(label))
        }
        return outcome.end
    }

    private func releaseThenEnd(_ outbound: WebSocketOutboundWriter) async {
        await gate.wait()
        try? await outbound.write(.text(requests.end))
    }
}

/// The per-session bookkeeping the handler writes: the open event goes out exactly once.
private final class HolderOutcome: Sendable {
    private struct State {
        var reported = false
        var started = false
        var end: HeldEnd = .neverStarted
    }

    private let state = Mutex(State())

    func reportOpen(_ event: OpenEvent, to events: AsyncStream<OpenEvent>.Continuation) {
        let first = state.withLock { state in
            defer { state.reported = true }
            if case .started = event { state.started = true }
            return !state.reported
        }
        if first { events.yield(event) }
    }

    /// Records the end once; a failure after a clean end, or before any start, is ignored.
    func finish(_ end: HeldEnd) {
        state.withLock { state in
            guard state.started, case .neverStarted = state.end else { return }
            state.end = end
        }
    }

    var end: HeldEnd {
        state.withLock { $0.end }
    }
}
