/// One `http` call of a script, as the library checked it (SPEC §3).
public struct ScriptHTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as the script wrote them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The call's timeout: the script's, capped by what remains of the function budget.
    public var timeout: Duration
    /// The function file that made the call, for the debug log.
    public var file: String

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                timeout: Duration, file: String = "") {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.file = file
    }

    /// The URL without its query string or fragment: what the log may show.
    public var loggableURL: String {
        var end = url.endIndex
        if let q = url.firstIndex(where: { $0 == "?" || $0 == "#" }) { end = q }
        return String(url[..<end])
    }
}

/// What the script gets back: a response (any status), or nil and a message.
public enum ScriptHTTPResult: Sendable, Equatable {
    case response(ScriptHTTPResponse)
    case failure(String)
}

public struct ScriptHTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Lowercase names; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends scripts' requests. The live one goes to the network under `--http-allow`; the test
/// runner's answers from `given.http`. `completion` is called exactly once, on any thread.
public protocol HTTPTransport: Sendable {
    func send(_ request: ScriptHTTPRequest, completion: @escaping @Sendable (ScriptHTTPResult) -> Void)
    /// Closes connections; no call is sent after it.
    func shutdown() async
}

/// The transport of a pool that was given none: every call fails, nothing leaves the process.
public struct UnavailableHTTPTransport: HTTPTransport {
    public init() {}
    public func send(_ request: ScriptHTTPRequest, completion: @escaping @Sendable (ScriptHTTPResult) -> Void) {
        completion(.failure("http is not available here"))
    }

    public func shutdown() async {}
}

/// The per-authentication limits of SPEC §3.
public enum HTTPLimits {
    public static let requestsPerRun = 8
    public static let maxBodyBytes = 1 << 20
}

extension ScriptHTTPResult {
    /// The message of a request that ran out of time.
    public static let timeoutMessage = "timeout"

    /// The failure kinds a transport reports, each the start of its message.
    public static let failureKinds = [
        "host not allowed", "dns", "connect", "tls", "timeout", "reset", "response too large",
        "too many requests", "request too large", "invalid", "no given.http",
    ]

    /// A metric label for a failure: its kind, or `other`.
    static func kind(ofFailure message: String) -> String {
        for kind in failureKinds where message.hasPrefix(kind) {
            return kind.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: ".", with: "_")
        }
        return "other"
    }
}
