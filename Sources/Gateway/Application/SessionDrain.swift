import Logging
import ServiceLifecycle
import SessionCore

/// The first step of a graceful shutdown (SPEC §1): waits for the shutdown signal, closes the
/// gate, then ends every session with `server_shutdown` — each connection sends its
/// `sessionEnded` event and closes — and lets the session service flush the store.
///
/// It runs after the HTTP server in the application's service group, so the group shuts it
/// down *before* the server: the clients hear about the shutdown before their sockets close.
struct SessionDrain: Service {
    let sessions: SessionService
    let gate: ShutdownGate
    let logger: Logger

    func run() async throws {
        // Cancellation (the server failed to start) also ends here: the store is closed either way.
        try? await gracefulShutdown()
        gate.beginDraining()
        logger.info("Shutting down gracefully")
        await sessions.shutdown()
    }
}

extension SessionDrain: CustomStringConvertible {
    var description: String { "SessionDrain" }
}
