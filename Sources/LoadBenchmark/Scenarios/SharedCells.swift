import Synchronization

/// A per-client cycle number, read and advanced from inside the `Sendable` WebSocket handler.
final class CycleCounter: Sendable {
    private let value = Atomic(0)

    func next() -> Int {
        value.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}

/// A one-way flag set from inside the WebSocket handler and read after it returned.
final class Flag: Sendable {
    private let value = Atomic(false)

    func set() {
        value.store(true, ordering: .relaxed)
    }

    var isSet: Bool {
        value.load(ordering: .relaxed)
    }
}
