import ChatFunctions
import Foundation
import Logging
import NIOSSL
import NetworkAddresses
import StrictJSON
import Testing

/// A resolver the test controls: names resolve to what the test says, never through DNS.
struct FixedResolver: HostResolver {
    var table: [String: [String]]
    func resolve(_ host: String, port: Int, completion: @escaping @Sendable (Result<[IPAddress], any Error>) -> Void) {
        guard let texts = table[host] else { return completion(.failure(SystemResolver.Failure())) }
        completion(.success(texts.compactMap { IPAddress($0) }))
    }
}

/// `http` over real sockets, every one of them on 127.0.0.1.
@Suite(.serialized) struct HTTPLibraryTests {
    static func pool(_ files: [String: String], fixture: inout FolderFixture?, allow: String? = "127.0.0.1",
                     resolver: any HostResolver = FixedResolver(table: [:]), trust: [NIOSSLCertificate] = [],
                     workers: Int = 1, timeout: Duration = .seconds(2), logger: Logger? = nil) throws -> FunctionPool {
        let made = try FolderFixture(files)
        fixture = made
        let transport = LiveHTTPTransport(policy: EgressPolicy(allowList: try allow.map { try HTTPAllowList($0) }),
                                          resolver: resolver, extraTrustRoots: trust)
        var options = FunctionPoolOptions(workers: workers, timeout: timeout, http: transport)
        if let logger { options.logger = logger }
        return try FunctionPool(folder: made.path, options: options)
    }

    /// A function that returns what `body` computes as a denial's message, so the test reads it.
    static func reporting(_ body: String) -> [String: String] {
        ["10-a.lua": fn("local message = (function() \(body) end)()\nreturn false, {message = tostring(message), reason = \"report\"}")]
    }

    /// Runs a reporting function written against a fresh backend; its message and how many
    /// requests the backend served.
    static func reported(
        allow: String? = "127.0.0.1", resolver: any HostResolver = FixedResolver(table: [:]), timeout: Duration = .seconds(2),
        _ body: (TestBackend) -> String
    ) async throws -> (message: String?, served: Int) {
        let backend = try await TestBackend.start()
        var fixture: FolderFixture?
        let pool = try Self.pool(Self.reporting(body(backend)), fixture: &fixture, allow: allow, resolver: resolver, timeout: timeout)
        let message = Self.message(await pool.authenticate(event()))
        await pool.shutdown()
        await backend.stop()
        return (message, backend.requestsServed)
    }

    static func message(_ verdict: Verdict) -> String? {
        if case .denied(let message, _) = verdict { return message }
        return nil
    }

    @Test func postsJSONAndReadsTheResponse() async throws {
        let (message, served) = try await Self.reported { backend in
            """
            local r, err = http.post("\(backend.url("/echo?q=1"))", {name = "jane"}, {headers = {["X-Trace"] = "t1"}})
            if not r then return err end
            local echoed = json.decode(r.body)
            return table.concat({r.status, echoed.method, echoed.headers["content-type"], echoed.headers["x-trace"],
              echoed.body, r.headers["x-test"], r.headers["content-type"]}, "|")
            """
        }
        #expect(message == #"200|POST|application/json|t1|{"name":"jane"}|a, b|application/json"#)
        #expect(served == 1)
    }

    @Test func requestTakesMethodBodyAndTimeout() async throws {
        // Generous limits: this checks that the fields are taken, and the whole suite shares 2 cores.
        let (message, served) = try await Self.reported(timeout: .seconds(10)) { backend in
            """
            local r = http.request{method = "put", url = "\(backend.url("/echo"))", body = "raw", timeout = 8}
            local e = json.decode(r.body)
            return e.method .. "|" .. e.body
            """
        }
        #expect(message == "PUT|raw")
        #expect(served == 1)
    }

    @Test func loopbackIsRefusedWithoutAnAllowList() async throws {
        let (message, served) = try await Self.reported(allow: nil,
            resolver: FixedResolver(table: ["backend.test": ["127.0.0.1"], "metadata.test": ["169.254.169.254"]])) { backend in
            """
            local _, a = http.get("\(backend.url("/echo"))")
            local _, b = http.get("http://backend.test:\(backend.port)/echo")
            local _, c = http.get("http://[::ffff:127.0.0.1]:\(backend.port)/echo")
            local _, d = http.get("http://metadata.test/latest")
            return table.concat({a, b, c, d}, "|")
            """
        }
        #expect(message
            == "host not allowed: 127.0.0.1|host not allowed: backend.test|host not allowed: ::ffff:127.0.0.1|host not allowed: metadata.test")
        #expect(served == 0)
    }

    @Test func anAllowedNameConnectsToTheAddressThatWasChecked() async throws {
        let resolver = FixedResolver(table: ["backend.test": ["127.0.0.1"]])
        let (message, served) = try await Self.reported(allow: "backend.test", resolver: resolver) { backend in
            """
            local r, err = http.get("http://backend.test:\(backend.port)/echo")
            if not r then return err end
            return json.decode(r.body).headers.host == "backend.test:\(backend.port)" and "pinned" or "wrong host header"
            """
        }
        #expect(message == "pinned")
        #expect(served == 1)
    }

    @Test func redirectsAreReturnedNotFollowed() async throws {
        let (message, served) = try await Self.reported { backend in
            """
            local r = http.get("\(backend.url("/redirect"))")
            return r.status .. " " .. r.headers.location
            """
        }
        #expect(message == "302 /echo")
        #expect(served == 1)
    }

    @Test func transportFailuresAreNilAndAMessage() async throws {
        // Bound and never listening, for the whole test: a connection to it is refused, and no
        // other test's server can take the port meanwhile (a port merely closed again could be).
        let refusing = try RefusingPort()
        defer { refusing.close() }
        let closedPort = refusing.port
        let (message, _) = try await Self.reported(timeout: .seconds(5)) { backend in
            """
            local out = {}
            local function try(r, err) out[#out + 1] = r and ("status " .. r.status) or err end
            try(http.get("\(backend.url("/big?bytes=\(5 << 20)"))"))
            try(http.get("\(backend.url("/big?bytes=\(1 << 20)"))"))
            try(http.get("\(backend.url("/reset"))"))
            try(http.get("http://127.0.0.1:\(closedPort)/"))
            try(http.get("\(backend.url("/slow?ms=1000"))", {timeout = 0.1}))
            try(http.post("\(backend.url("/echo"))", string.rep("x", 1048577)))
            try(http.get("\(backend.url("/status/503"))"))
            try(http.get("http://unknown.test/"))
            return table.concat(out, "|")
            """
        }
        let parts = message?.split(separator: "|").map(String.init) ?? []
        #expect(parts.count == 8, "\(parts)")
        guard parts.count == 8 else { return }
        #expect(parts[0] == "response too large")
        #expect(parts[1] == "status 200")
        #expect(parts[2].hasPrefix("reset"))
        #expect(parts[3] == "connect: connection refused")
        #expect(parts[4] == "timeout")
        #expect(parts[5] == "request too large")
        #expect(parts[6] == "status 503")
        #expect(parts[7] == "dns: cannot resolve unknown.test")
    }

    @Test func aNinthRequestIsRefused() async throws {
        let (message, served) = try await Self.reported { backend in
            """
            for i = 1, 8 do assert(http.get("\(backend.url("/status/204"))")) end
            local r, err = http.get("\(backend.url("/status/204"))")
            return tostring(r) .. " " .. err
            """
        }
        #expect(message == "nil too many requests")
        #expect(served == 8)
    }

    @Test func waitingPastTheBudgetIsATimeoutEvenUnderPcall() async throws {
        let backend = try await TestBackend.start()
        var fixture: FolderFixture?
        let pool = try Self.pool(["10-a.lua": fn("""
            local ok, r, err = pcall(http.get, "\(backend.url("/slow?ms=3000"))")
            if event.authParams.timeoutOption then r, err = http.get("\(backend.url("/slow?ms=3000"))", {timeout = 60}) end
            return true
            """)], fixture: &fixture, timeout: .milliseconds(300))
        for params: JSONObject in [[:], ["timeoutOption": .bool(true)]] {
            let started = ContinuousClock.now
            #expect(await pool.authenticate(event("jane", params)) == .timedOut)
            #expect(ContinuousClock.now - started < .milliseconds(400))
        }
        await pool.shutdown()
        await backend.stop()
    }

    @Test func waitingHoldsNoWorker() async throws {
        let backend = try await TestBackend.start()
        var fixture: FolderFixture?
        let pool = try Self.pool(["10-a.lua": fn("""
            local r, err = http.get("\(backend.url("/slow?ms=100"))")
            return r ~= nil and r.status == 200
            """)], fixture: &fixture, workers: 2, timeout: .seconds(5))
        let started = ContinuousClock.now
        let verdicts = await withTaskGroup(of: Verdict.self) { group in
            for i in 0..<200 { group.addTask { await pool.authenticate(event("u\(i)")) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(verdicts.count == 200)
        #expect(verdicts.allSatisfy { $0 == .allowed(Profile()) })
        #expect(elapsed < .seconds(2), "200 starts waiting 100 ms each on 2 workers took \(elapsed)")
        await pool.shutdown()
        await backend.stop()
    }

    @Test func aWaitPassesThroughTheScriptsOwnCoroutines() async throws {
        let (message, served) = try await Self.reported { backend in
            """
            local wrapped = coroutine.wrap(function() local r = http.get("\(backend.url("/status/201"))"); coroutine.yield(r.status); return "done" end)
            local first, second = wrapped(), wrapped()
            local co = coroutine.create(function() return http.get("\(backend.url("/status/202"))").status end)
            local ok, status = coroutine.resume(co)
            return first .. " " .. second .. " " .. tostring(ok) .. " " .. status
            """
        }
        #expect(message == "201 done true 202")
        #expect(served == 2)
    }

    @Test func callsThatCannotWaitAnswerAtOnce() async throws {
        var fixture: FolderFixture?
        let pool = try Self.pool([
            "10-a.lua": """
                local _, atLoad = http.get("http://127.0.0.1:1/")
                return function(event, context)
                  local inSort
                  local t = {2, 1}
                  table.sort(t, function(a, b) if not inSort then local _, e = http.get("http://127.0.0.1:1/"); inSort = e end return a < b end)
                  return false, {message = atLoad .. "|" .. inSort, reason = "report"}
                end
                """,
        ], fixture: &fixture)
        #expect(Self.message(await pool.authenticate(event()))
            == "http is not available while a file loads|http cannot wait here (inside a metamethod, an iterator or a comparator)")
        await pool.shutdown()
    }

    @Test func badArgumentsRaise() async throws {
        var fixture: FolderFixture?
        let pool = try Self.pool(Self.reporting("""
            local out = {}
            for _, call in ipairs({
              function() return http.get("ftp://example.com/") end,
              function() return http.request{url = "http://127.0.0.1:1/", bogus = 1} end,
              function() return http.request{url = "http://127.0.0.1:1/", headers = {["bad name"] = "x"}} end,
              function() return http.get("http://127.0.0.1:1/", {timeout = -1}) end,
            }) do
              local ok, err = pcall(call)
              out[#out + 1] = tostring(ok) .. ":" .. tostring(err):gsub("^.-:%d+: ", "")
            end
            return table.concat(out, "|")
            """), fixture: &fixture)
        let message = Self.message(await pool.authenticate(event())) ?? ""
        #expect(message == "false:http: url must be an http:// or https:// URL with a host|false:http.request: unknown field 'bogus'|false:http.request: invalid header 'bad name'|false:http.get: timeout must be a positive number of seconds", "\(message)")
        await pool.shutdown()
    }

    @Test func tlsIsVerifiedAgainstTheTrustedRoots() async throws {
        let (context, certificate) = try BackendCertificate.make()
        let backend = try await TestBackend.start(tls: context)
        let script = Self.reporting("""
            local r, err = http.get("\(backend.url("/status/200", scheme: "https", host: "localhost"))")
            return r and r.status or err
            """)
        var fixture: FolderFixture?
        let resolver = FixedResolver(table: ["localhost": ["127.0.0.1"]])
        let trusting = try Self.pool(script, fixture: &fixture, allow: "localhost", resolver: resolver, trust: [certificate])
        #expect(Self.message(await trusting.authenticate(event())) == "200")
        await trusting.shutdown()
        var second: FolderFixture?
        let untrusting = try Self.pool(script, fixture: &second, allow: "localhost", resolver: resolver)
        let refused = Self.message(await untrusting.authenticate(event())) ?? ""
        #expect(refused.hasPrefix("tls"), "\(refused)")
        await untrusting.shutdown()
        await backend.stop()
    }

    @Test func theDebugLogShowsTheCallButNeverHeadersOrBodies() async throws {
        let backend = try await TestBackend.start()
        let log = CapturedLog()
        var logger = log.logger
        logger.logLevel = .debug
        var fixture: FolderFixture?
        let pool = try Self.pool(["10-a.lua": fn("""
            http.post("\(backend.url("/echo?token=QUERY-CANARY"))", "BODY-CANARY", {headers = {authorization = "HEADER-CANARY"}})
            return true
            """)], fixture: &fixture, logger: logger)
        _ = await pool.authenticate(event())
        await pool.shutdown()
        await backend.stop()
        let lines = log.text
        let call = lines.split(separator: "\n").first { $0.contains("http call") } ?? ""
        #expect(call.contains("POST"))
        // The URL without its query (the metadata's order varies from line to line).
        #expect(call.contains("\"url\": \(backend.url("/echo"))"))
        #expect(call.contains("200"))
        for canary in ["QUERY-CANARY", "BODY-CANARY", "HEADER-CANARY"] {
            #expect(!lines.contains(canary), "\(canary) reached the log")
        }
    }
}
