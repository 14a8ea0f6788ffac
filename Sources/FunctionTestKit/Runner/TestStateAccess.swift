import ChatFunctions
import LuaRuntime

/// The test state as the `given.http` responder reaches it. Sendable only in name: it is
/// used on the test file's thread alone (`TestThreadInbox.run` takes it there).
final class TestStateAccess: @unchecked Sendable {
    private let lua: LuaState
    private let dispatch: LuaReference
    private let timeout: Duration

    init(lua: LuaState, dispatch: LuaReference, timeout: Duration) {
        self.lua = lua
        self.dispatch = dispatch
        self.timeout = timeout
    }

    /// `{method, url, headers, body}` to the framework's `dispatch_http`; its answer as the script will see it.
    func answer(_ request: ScriptHTTPRequest) -> ScriptHTTPResult {
        let results: [LuaValue]
        do {
            results = try lua.call(dispatch, deadline: .after(timeout)) { b in
                b.pushTable(recordCapacity: 4)
                b.setField("method") { $0.push(request.method) }
                b.setField("url") { $0.push(request.url) }
                b.setField("headers") { b in
                    b.pushTable(recordCapacity: request.headers.count)
                    for (name, value) in request.headers { b.setField(name.lowercased()) { $0.push(value) } }
                }
                if let body = request.body { b.setField("body") { $0.push(bytes: body) } }
            }
        } catch {
            return .failure("given.http failed: \(error)")
        }
        guard case .table(let response)? = results.first else {
            if results.count > 1, case .string(let message) = results[1] { return .failure(message.description) }
            return .failure("given.http gave no answer")
        }
        var headers: [String: String] = [:]
        if case .table(let given) = response["headers"] {
            for (key, value) in given.entries {
                if case .string(let name) = key, case .string(let text) = value { headers[name.description] = text.description }
            }
        }
        let status: Int
        switch response["status"] {
        case .integer(let code): status = Int(code)
        case .number(let code): status = Int(code)
        default: status = 200
        }
        var body: [UInt8] = []
        if case .string(let text) = response["body"] { body = text.bytes }
        return .response(ScriptHTTPResponse(status: status, headers: headers, body: body))
    }
}
