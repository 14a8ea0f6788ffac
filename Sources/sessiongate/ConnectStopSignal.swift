import Dispatch
import Foundation
import SessionGateClient

/// What ends `sessiongate connect`'s wait: Ctrl-C (or SIGTERM), the end of standard
/// input, or the gateway ending the session.
enum StopSignal: Sendable {
    case interrupted
    case inputClosed
    case sessionEnded(SessionEndedEvent)
}

/// Listens for every ``StopSignal`` from the moment it is made, so that a Ctrl-C that comes
/// while the session is still starting is not lost (nor kills the process uncleanly).
final class StopSignals {
    private let stops: AsyncStream<StopSignal>
    private let continuation: AsyncStream<StopSignal>.Continuation
    private var sources: [any DispatchSourceSignal] = []
    private var forwarder: Task<Void, Never>?

    init() {
        (stops, continuation) = AsyncStream<StopSignal>.makeStream()
        let continuation = self.continuation
        for number in [SIGINT, SIGTERM] {
            // The default action would kill the process before the session is ended cleanly.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(.interrupted) }
            source.resume()
            sources.append(source)
        }
        // A blocking read on a thread of its own; it lives until the process exits.
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count > 0 { continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
            continuation.yield(.inputClosed)
        }
    }

    /// Also stops on the first of `events`.
    func watch(_ events: AsyncStream<SessionEndedEvent>) {
        let continuation = self.continuation
        forwarder = Task {
            for await event in events {
                continuation.yield(.sessionEnded(event))
            }
        }
    }

    /// The first stop signal.
    func first() async -> StopSignal {
        var iterator = stops.makeAsyncIterator()
        let stop = await iterator.next() ?? .interrupted
        forwarder?.cancel()
        return stop
    }
}
