import LuaRuntime

/// The `http` library's link to the run in progress on its state: the pool's worker sets `run`
/// before it starts or resumes a task, so a call knows whose budget and limits it spends.
/// Confined to the state's worker thread, as the state is.
final class HTTPCallContext {
    var run: ChainRun?

    func start(_ parts: RequestParts, canWait: Bool, results: inout LuaPushBuffer) throws(LuaHostError) -> HostCallStep {
        guard parts.hasValidScheme else {
            throw LuaHostError("http: url must be an http:// or https:// URL with a host")
        }
        func fail(_ message: String) -> HostCallStep {
            results.pushNil()
            results.push(message)
            return .returned
        }
        guard let run else { return fail("http is not available while a file loads") }
        guard canWait else {
            return fail("http cannot wait here (inside a metamethod, an iterator or a comparator)")
        }
        guard run.requestsMade < HTTPLimits.requestsPerRun else { return fail("too many requests") }
        guard (parts.body?.count ?? 0) <= HTTPLimits.maxBodyBytes else { return fail("request too large") }
        let remaining = Duration.nanoseconds(max(0, run.deadline.nanoseconds &- LuaClock.nowNanoseconds))
        let asked = parts.timeout.map { Duration.nanoseconds(Int64(min($0, 1e9) * 1e9)) }
        let timeout = min(asked ?? remaining, remaining)
        run.requestsMade += 1
        run.outgoing = ScriptHTTPRequest(
            method: parts.method, url: parts.url, headers: parts.headers, body: parts.body,
            timeout: timeout, file: run.currentFile)
        // A timeout that is the budget's own end is the function's timeout, not the script's to catch.
        run.outgoingEndsWithBudget = asked.map { $0 >= remaining } ?? true
        return .waits
    }

    func finish(results: inout LuaPushBuffer) {
        guard let run, let result = run.delivered else {
            results.pushNil()
            results.push("no response")
            return
        }
        run.delivered = nil
        switch result {
        case .response(let response):
            results.pushTable(recordCapacity: 3)
            results.setField("status") { $0.push(Int64(response.status)) }
            results.setField("headers") { b in
                b.pushTable(recordCapacity: response.headers.count)
                for (name, value) in response.headers { b.setField(name) { $0.push(value) } }
            }
            results.setField("body") { $0.push(bytes: response.body) }
        case .failure(let message):
            results.pushNil()
            results.push(message)
        }
    }
}
