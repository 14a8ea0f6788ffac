/// What one run of the load tool was asked to do, read from its command line.
struct BenchmarkOptions: Sendable {
    /// The scenario to run.
    enum Mode: String, Sendable {
        /// Clients loop connect → startSession → endSession → close as fast as the gateway answers.
        case cycles
        /// Open many sessions, hold them, measure the gateway's memory, then end them.
        case held
    }

    /// Whether a cycle opens a new WebSocket connection or reuses the client's one.
    enum ConnectionUse: String, Sendable {
        case new, reuse
    }

    /// Guest starts (no authParams), authenticated starts with a password, or (cycles only)
    /// two `ping` requests in place of the start and the end: the gateway's floor, its
    /// WebSocket stack and request parsing with no session work, to set the other figures against.
    enum StartKind: String, Sendable {
        case guest, password, ping
    }

    /// How the cycles scenario speaks WebSocket. On a 2-core machine the tool's own CPU is
    /// taken from the gateway it measures, so the default is the cheapest way to drive it.
    enum Transport: String, Sendable {
        /// Blocking POSIX sockets and a minimal RFC 6455 client, one OS thread per client.
        case raw
        /// HummingbirdWSClient on the concurrency pool (the held scenario always uses it).
        case hummingbird
    }

    var mode: Mode
    /// `ws://HOST:PORT/PATH` of the session endpoint; HOST is always a loopback address.
    var url: String
    var host: String
    var port: Int
    var clients = 64
    var duration: Duration = .seconds(10)
    /// Total cycles over all clients; nil: only the duration bounds the run.
    var cycleLimit: Int?
    var connection: ConnectionUse = .reuse
    var transport: Transport = .raw
    var start: StartKind = .guest
    var password = "load-bench-password"
    var sessions = 10_000
    var openConcurrency = 256
    var hold: Duration = .seconds(3)
    var gatewayPID: Int32?
    /// How long past the planned end the tool waits before it cancels what is still running.
    var grace: Duration = .seconds(30)
    /// A new username for every cycle (each start creates a user) instead of one per client.
    var uniqueUsers = false
    var userPrefix: String?

    /// The path of `url` (`/v1/session` unless the URL named another).
    var path: String {
        let afterScheme = url.dropFirst("ws://".count)
        return afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
    }

    /// The username of a cycle or held session; prefixes keep guest and password users apart,
    /// since a guest start for a name that an authenticated start took is refused.
    func username(client: Int, cycle: Int) -> String {
        let prefix = userPrefix ?? (start == .guest ? "load-g" : "load-p")
        return uniqueUsers ? "\(prefix)-\(client)-\(cycle)" : "\(prefix)-\(client)"
    }
}
