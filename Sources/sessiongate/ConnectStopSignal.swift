import Dispatch
import Foundation
import SessionGateClient

/// What ends `sessiongate connect`'s wait: Ctrl-C (or SIGTERM), the end of standard
/// input, or the gateway ending the session.
enum StopSignal: Sendable {
    case interrupted
    case inputClosed
    case sessionEnded(SessionEndedEvent)

    /// Waits for the first of the three.
    static func wait(events: AsyncStream<SessionEndedEvent>) async -> StopSignal {
        let (stops, continuation) = AsyncStream<StopSignal>.makeStream()

        var sources: [any DispatchSourceSignal] = []
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

        let forwarder = Task {
            for await event in events {
                continuation.yield(.sessionEnded(event))
            }
        }

        var iterator = stops.makeAsyncIterator()
        let stop = await iterator.next() ?? .interrupted
        forwarder.cancel()
        for source in sources {
            source.cancel()
        }
        return stop
    }
}
