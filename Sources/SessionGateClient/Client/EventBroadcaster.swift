import Synchronization

/// Hands every `sessionEnded` event to each live subscriber's stream.
///
/// A lock rather than the client actor, so that subscribing is synchronous and a
/// caller can subscribe before its first `await`, missing nothing.
final class EventBroadcaster: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<SessionEndedEvent>.Continuation] = [:]
        var isFinished = false
    }

    private let state = Mutex(State())

    func subscribe() -> AsyncStream<SessionEndedEvent> {
        let (stream, continuation) = AsyncStream<SessionEndedEvent>.makeStream(bufferingPolicy: .unbounded)
        let id: Int? = state.withLock { state in
            guard !state.isFinished else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: SessionEndedEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield(event)
        }
    }

    func finish() {
        let subscribers = state.withLock { state in
            state.isFinished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
