import ChatFunctions
import Synchronization

/// The `http` of functions under test: nothing leaves the process (SPEC §4). Each call is
/// recorded and answered by the responder the Lua test state installs (its `given.http`
/// stubs), or else by the stubs a Swift test gave with ``FunctionHarness/givenHTTP(_:)``.
public final class StubHTTPTransport: HTTPTransport, Sendable {
    public typealias Responder = @Sendable (ScriptHTTPRequest) -> ScriptHTTPResult

    private struct State {
        var responder: Responder?
        var stubs: [HTTPStub] = []
        var requests: [ScriptHTTPRequest] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func send(_ request: ScriptHTTPRequest, completion: @escaping @Sendable (ScriptHTTPResult) -> Void) {
        let (responder, stub) = state.withLock { s -> (Responder?, HTTPStub?) in
            s.requests.append(request)
            return (s.responder, s.stubs.last { $0.matches(request) })
        }
        if let responder { return completion(responder(request)) }
        completion(stub?.respond(request) ?? .failure("no given.http for \(request.method) \(request.url)"))
    }

    public func shutdown() async {}

    func setResponder(_ responder: Responder?) { state.withLock { $0.responder = responder } }
    func add(_ stub: HTTPStub) { state.withLock { $0.stubs.append(stub) } }
    var requests: [ScriptHTTPRequest] { state.withLock { $0.requests } }
    func reset() { state.withLock { $0.stubs = []; $0.requests = [] } }
}

/// A canned answer for the `http` calls of functions under a Swift test: the latest stub that
/// matches a call answers it.
public struct HTTPStub: Sendable {
    /// nil: any method.
    public var method: String?
    public var matches: @Sendable (_ url: String) -> Bool
    public var respond: @Sendable (ScriptHTTPRequest) -> ScriptHTTPResult

    /// Answers calls to exactly `url` with `result`.
    public init(method: String? = nil, url: String, result: ScriptHTTPResult) {
        self.init(method: method, matching: { $0 == url }, respond: { _ in result })
    }

    /// Answers calls to exactly `url` with what `respond` computes from the request.
    public init(method: String? = nil, url: String, respond: @escaping @Sendable (ScriptHTTPRequest) -> ScriptHTTPResult) {
        self.init(method: method, matching: { $0 == url }, respond: respond)
    }

    /// Answers calls whose URL `matching` accepts.
    public init(method: String? = nil, matching: @escaping @Sendable (_ url: String) -> Bool,
                respond: @escaping @Sendable (ScriptHTTPRequest) -> ScriptHTTPResult) {
        self.method = method
        self.matches = matching
        self.respond = respond
    }

    func matches(_ request: ScriptHTTPRequest) -> Bool {
        (method == nil || method!.uppercased() == request.method) && matches(request.url)
    }
}
