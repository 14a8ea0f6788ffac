import Foundation
import LuaRuntime
import StrictJSON

/// The `http` global of SPEC §3: `request{…}`, `get(url [, options])`, `post(url, body [, options])`.
///
/// The library only checks a call and hands it to the run that made it; the pool sends it and
/// resumes the run with the answer, so a waiting script holds no thread. A mistake in the call
/// itself (no url, a scheme other than http/https, a header that is not a string) raises, as
/// other libraries' argument errors do; what the network does (refused host, DNS, connect, TLS,
/// timeout, reset, a body too large) is `nil, message`, never a raised error.
enum HTTPLibrary {
    static func install(into lua: LuaState, calls: HTTPCallContext) throws(LuaError) {
        func waiting(_ parse: @escaping (LuaArguments) throws(LuaHostError) -> RequestParts) -> WaitingHostFunction {
            WaitingHostFunction(
                start: { args, results throws(LuaHostError) in
                    try calls.start(try parse(args), canWait: args.canWait, results: &results)
                },
                resume: { results throws(LuaHostError) in calls.finish(results: &results) }
            )
        }
        let functions: [(String, LuaReference)] = [
            ("request", try lua.makeWaitingFunction(named: "http.request", waiting { args throws(LuaHostError) in
                try RequestParts(table: try args.table(1), function: "http.request")
            })),
            ("get", try lua.makeWaitingFunction(named: "http.get", waiting { args throws(LuaHostError) in
                var parts = try RequestParts(options: args, at: 2, function: "http.get")
                parts.method = "GET"
                parts.url = try args.string(1).description
                return parts
            })),
            ("post", try lua.makeWaitingFunction(named: "http.post", waiting { args throws(LuaHostError) in
                var parts = try RequestParts(options: args, at: 3, function: "http.post")
                parts.method = "POST"
                parts.url = try args.string(1).description
                switch try args.value(2) {
                case .string(let body): parts.body = body.bytes
                case .table: try parts.setJSON(args.value(2), function: "http.post")
                case .nil: break
                default: throw args.argumentError(2, "string or table expected, got \(args.typeName(2))")
                }
                return parts
            })),
        ]
        defer { for (_, function) in functions { lua.release(function) } }
        let table = try lua.makeReference { b in
            b.pushTable(recordCapacity: functions.count)
            for (name, function) in functions { b.setField(name) { $0.push(function) } }
        }
        defer { lua.release(table) }
        try lua.defineGlobal("http", table)
    }
}

/// A call's fields as the script gave them, before the run's limits apply.
struct RequestParts {
    var method = "GET"
    var url = ""
    var headers: [(name: String, value: String)] = []
    var body: [UInt8]?
    var timeout: Double?

    private static let requestFields: Set<String> = ["method", "url", "headers", "body", "json", "timeout"]
    private static let optionFields: Set<String> = ["headers", "timeout"]

    init() {}

    /// `http.request{method = …, url = …, headers = …, body = … or json = …, timeout = …}`.
    init(table: LuaTable, function: String) throws(LuaHostError) {
        try Self.checkFields(table, allowed: Self.requestFields, function: function)
        switch table["method"] {
        case .nil: break
        case .string(let m):
            let text = m.description.uppercased()
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw LuaHostError("\(function): method must be a word such as \"GET\" or \"POST\"")
            }
            method = text
        default: throw LuaHostError("\(function): method must be a string")
        }
        guard case .string(let u) = table["url"] else { throw LuaHostError("\(function): url (a string) is required") }
        url = u.description
        try readOptions(table, function: function)
        switch (table["body"], table["json"]) {
        case (.nil, .nil): break
        case (.string(let b), .nil): body = b.bytes
        case (.nil, let json): try setJSON(json, function: function)
        case (.string, _): throw LuaHostError("\(function): give body or json, not both")
        default: throw LuaHostError("\(function): body must be a string")
        }
    }

    /// The options table of `get` and `post` (`headers`, `timeout`), at argument `position`.
    init(options args: LuaArguments, at position: Int, function: String) throws(LuaHostError) {
        guard case .table(let options) = try args.value(position) else {
            if args.typeName(position) != "nil" && args.typeName(position) != "no value" {
                throw args.argumentError(position, "table expected, got \(args.typeName(position))")
            }
            return
        }
        try Self.checkFields(options, allowed: Self.optionFields, function: function)
        try readOptions(options, function: function)
    }

    mutating func setJSON(_ value: LuaValue, function: String) throws(LuaHostError) {
        do {
            body = try JSONValue(lua: value).encodedBytes()
        } catch {
            throw LuaHostError("\(function): json: \(error.message)")
        }
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(("content-type", "application/json"))
        }
    }

    private mutating func readOptions(_ table: LuaTable, function: String) throws(LuaHostError) {
        switch table["headers"] {
        case .nil: break
        case .table(let given):
            for (key, value) in given.entries.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                guard case .string(let name) = key, case .string(let text) = value else {
                    throw LuaHostError("\(function): headers must map names to strings")
                }
                guard Self.isToken(name.bytes), !text.bytes.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                    throw LuaHostError("\(function): invalid header '\(name.description)'")
                }
                headers.append((name.description, text.description))
            }
        default: throw LuaHostError("\(function): headers must be a table")
        }
        switch table["timeout"] {
        case .nil: break
        case .integer(let seconds) where seconds > 0: timeout = Double(seconds)
        case .number(let seconds) where seconds > 0 && seconds.isFinite: timeout = seconds
        default: throw LuaHostError("\(function): timeout must be a positive number of seconds")
        }
    }

    private static func checkFields(_ table: LuaTable, allowed: Set<String>, function: String) throws(LuaHostError) {
        for key in table.entries.keys {
            guard case .string(let name) = key, allowed.contains(name.description) else {
                let shown = if case .string(let name) = key { name.description } else { "\(key.value.typeName) key" }
                throw LuaHostError("\(function): unknown field '\(shown)'")
            }
        }
    }

    /// RFC 9110 token characters.
    private static func isToken(_ bytes: [UInt8]) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    var hasValidScheme: Bool {
        let lower = url.lowercased()
        return (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && URLComponents(string: url)?.host?.isEmpty == false
    }
}
