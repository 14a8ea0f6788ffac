import Synchronization

/// Whether the gateway has begun its graceful shutdown: from then on no WebSocket upgrade and
/// no new session is accepted, while the sessions already open are ended with `server_shutdown`.
final class ShutdownGate: Sendable {
    private let draining = Atomic<Bool>(false)

    var isDraining: Bool { draining.load(ordering: .acquiring) }

    func beginDraining() {
        draining.store(true, ordering: .releasing)
    }
}
