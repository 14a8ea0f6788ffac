extension BenchmarkOptions {
    static let usage = """
        usage: LoadBenchmark cycles|held (--url ws://127.0.0.1:PORT/v1/session | --port PORT) [options]

        cycles: N clients loop connect → startSession → endSession → close.
          --clients N             concurrent clients (default 64)
          --duration D            how long to run: 10s, 500ms, 1m (default 10s)
          --cycles M              stop after M cycles in total (the duration still bounds the run)
          --connection new|reuse  a new connection per session, or one per client (default reuse)
          --unique-users          a new username for every cycle (each start creates a user)
          --transport T           raw: blocking sockets, one thread per client (cheap on the tool's CPU);
                                  hummingbird: HummingbirdWSClient (default raw)
        held: open H sessions, hold them, read the gateway's memory, end them.
          --sessions H            sessions to hold (default 10000)
          --open-concurrency K    starts in flight while opening (default 256)
          --hold D                how long to hold before measuring (default 3s)
        both:
          --auth guest|password   guest starts, or authParams {"password": …} (default guest)
                 |ping            (cycles only) two pings in place of start and end: the gateway's floor
          --password PW           the password sent by --auth password (default load-bench-password)
          --user-prefix P         username prefix (default load-g / load-p)
          --gateway-pid PID       the gateway process, for its CPU time and VmRSS (default: found in /proc)
          --grace D               wait past the planned end before cancelling (default 30s)
        """

    /// Reads the arguments after the program name.
    static func parse(_ arguments: [String]) throws(UsageError) -> BenchmarkOptions {
        guard let first = arguments.first else { throw UsageError("missing the mode: cycles or held") }
        guard let mode = Mode(rawValue: first) else { throw UsageError("unknown mode '\(first)': cycles or held") }
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else { throw UsageError("unexpected argument '\(argument)'") }
            let name = String(argument.dropFirst(2))
            if name == "unique-users" {
                flags.insert(name)
                continue
            }
            let key: String
            let value: String
            if let equals = name.firstIndex(of: "=") {
                key = String(name[..<equals])
                value = String(name[name.index(after: equals)...])
            } else {
                guard index < arguments.count else { throw UsageError("--\(name) needs a value") }
                key = name
                value = arguments[index]
                index += 1
            }
            guard values[key] == nil else { throw UsageError("--\(key) is given twice") }
            values[key] = value
        }
        return try build(mode: mode, values: values, flags: flags)
    }

    private static func build(mode: Mode, values: [String: String], flags: Set<String>) throws(UsageError) -> BenchmarkOptions {
        var values = values
        func take(_ name: String) -> String? { values.removeValue(forKey: name) }

        let endpoint: (url: String, host: String, port: Int)
        switch (take("url"), take("port")) {
        case (let url?, nil): endpoint = try parseURL(url)
        case (nil, let port?): endpoint = try parseURL("ws://127.0.0.1:\(port)/v1/session")
        case (nil, nil): throw UsageError("give --url or --port")
        case (_?, _?): throw UsageError("give --url or --port, not both")
        }
        var options = BenchmarkOptions(mode: mode, url: endpoint.url, host: endpoint.host, port: endpoint.port)
        if let v = take("clients") { options.clients = try count(v, "--clients", max: 20_000) }
        if let v = take("duration") { options.duration = try duration(v, "--duration") }
        if let v = take("cycles") { options.cycleLimit = try count(v, "--cycles", max: Int.max / 2) }
        if let v = take("connection") {
            guard let use = ConnectionUse(rawValue: v) else { throw UsageError("--connection takes new or reuse") }
            options.connection = use
        }
        if let v = take("transport") {
            guard let transport = Transport(rawValue: v) else { throw UsageError("--transport takes raw or hummingbird") }
            options.transport = transport
        }
        if let v = take("auth") {
            guard let kind = StartKind(rawValue: v) else { throw UsageError("--auth takes guest, password or ping") }
            guard mode == .cycles || kind != .ping else { throw UsageError("--auth ping is for the cycles mode only") }
            options.start = kind
        }
        if let v = take("password") { options.password = v }
        if let v = take("sessions") { options.sessions = try count(v, "--sessions", max: 1_000_000) }
        if let v = take("open-concurrency") { options.openConcurrency = try count(v, "--open-concurrency", max: 100_000) }
        if let v = take("hold") { options.hold = try duration(v, "--hold") }
        if let v = take("grace") { options.grace = try duration(v, "--grace") }
        if let v = take("user-prefix") {
            guard !v.isEmpty, v.utf8.count <= 64, v.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }) else {
                throw UsageError("--user-prefix takes 1 to 64 printable ASCII characters without quotes or backslashes")
            }
            options.userPrefix = v
        }
        if let v = take("gateway-pid") {
            guard let pid = Int32(v), pid > 0 else { throw UsageError("--gateway-pid takes a process id") }
            options.gatewayPID = pid
        }
        options.uniqueUsers = flags.contains("unique-users")
        if let unknown = values.keys.sorted().first { throw UsageError("unknown option --\(unknown)") }
        return options
    }

    /// Accepts `ws://HOST:PORT[/PATH]` and `http://HOST:PORT[/PATH]` (path default `/v1/session`);
    /// HOST must be a loopback address: this tool never loads another machine.
    static func parseURL(_ text: String) throws(UsageError) -> (url: String, host: String, port: Int) {
        var rest: Substring
        if text.hasPrefix("ws://") {
            rest = text.dropFirst(5)
        } else if text.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            throw UsageError("the URL must start with ws:// or http:// (no TLS): \(text)")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        if path.isEmpty || path == "/" { path = "/v1/session" }
        rest = authority
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw UsageError("the URL needs a port between 1 and 65535: \(text)")
        }
        let host = String(rest[..<colon])
        let loopback = host == "localhost" || host == "[::1]" || host.hasPrefix("127.")
        guard loopback else { throw UsageError("only loopback hosts are allowed (127.x.x.x, localhost, [::1]): \(host)") }
        return ("ws://\(host):\(port)\(path)", host == "localhost" ? "127.0.0.1" : host, port)
    }

    private static func count(_ text: String, _ name: String, max: Int) throws(UsageError) -> Int {
        guard let value = Int(text), value >= 1, value <= max else { throw UsageError("\(name) takes a whole number from 1 to \(max)") }
        return value
    }

    /// `250ms`, `10s`, `1m`, or a bare number of seconds.
    static func duration(_ text: String, _ name: String) throws(UsageError) -> Duration {
        let units: [(suffix: String, milliseconds: Int)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            if let number = Int(text.dropLast(unit.suffix.count)), number >= 0, number <= 86_400_000 / unit.milliseconds {
                return .milliseconds(number * unit.milliseconds)
            }
            throw UsageError("\(name) takes a duration such as 500ms, 10s or 1m: \(text)")
        }
        if let seconds = Int(text), seconds >= 0, seconds <= 86_400 { return .seconds(seconds) }
        throw UsageError("\(name) takes a duration such as 500ms, 10s or 1m: \(text)")
    }
}
