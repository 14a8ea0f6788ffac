import ChatFunctions
import ServiceLifecycle

/// Runs the pool's hot reload (SPEC §3: a changed folder is reloaded within 2 s) until the
/// service group shuts down.
struct FunctionWatcher: Service {
    let pool: FunctionPool

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await pool.watch()
        }
    }
}

extension FunctionWatcher: CustomStringConvertible {
    var description: String { "FunctionWatcher" }
}
