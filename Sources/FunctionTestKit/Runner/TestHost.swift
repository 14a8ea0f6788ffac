import ChatFunctions
import Foundation
import LuaRuntime
import SessionCore
import StrictJSON

/// The Swift side of the Lua test API: `authenticate`, `given.secret`, `given.user`,
/// `given.now`, and the clock the test state's `os` reads. Each is a host function, so an
/// argument error carries the position of the test line that made the call.
struct TestHost {
    let harness: FunctionHarness
    let inbox: TestThreadInbox

    /// `{authenticate = …, secret = …, user = …, now = …, clock = …}` for the framework's `setup`.
    func install(into lua: LuaState) throws(LuaError) -> LuaReference {
        let harness = self.harness
        let inbox = self.inbox
        let functions: [(String, String, HostFunction)] = [
            ("authenticate", "authenticate", { args, results throws(LuaHostError) in
                let request = try Self.startRequest(args)
                let (outcome, sessionID) = ThreadBridge.wait(inbox: inbox) { await harness.startSession(request) }
                var result = outcome.jsonValue
                if let sessionID, case .object(var object) = result {
                    object["sessionId"] = .string(sessionID)
                    result = .object(object)
                }
                result.push(into: &results)
            }),
            ("end_session", "end_session", { args, _ throws(LuaHostError) in
                let sessionID = try args.string(1).description
                let reasonText = try args.optionalString(2)?.description ?? SessionEndReason.ended.rawValue
                guard let reason = SessionEndReason(rawValue: reasonText), reason != .instanceLost else {
                    throw args.argumentError(2, "ended, connection_closed, revoked or server_shutdown expected")
                }
                let ended = ThreadBridge.wait(inbox: inbox) { await harness.endSession(sessionID, reason: reason) }
                guard ended else {
                    throw LuaHostError("end_session: no session '\(sessionID)' was started by authenticate in this test")
                }
            }),
            ("secret", "given.secret", { args, _ throws(LuaHostError) in
                let name = try Self.text(args.string(1), args, 1)
                let value = try args.optionalString(2).map { s throws(LuaHostError) in try Self.text(s, args, 2) }
                harness.givenSecret(name, value)
            }),
            ("user", "given.user", { args, results throws(LuaHostError) in
                let user = try Self.newUser(args)
                let inserted = ThreadBridge.wait(inbox: inbox) { () async -> Result<UserSnapshot, any Error> in
                    do { return .success(try await harness.givenUser(user)) } catch { return .failure(error) }
                }
                switch inserted {
                case .success(let snapshot): snapshot.jsonValue.push(into: &results)
                case .failure(UserStoreError.nameTaken(let name)):
                    throw LuaHostError("given.user: this test's store already has a user named '\(name)'")
                case .failure(let error): throw LuaHostError("given.user: \(error)")
                }
            }),
            ("now", "given.now", { args, _ throws(LuaHostError) in
                harness.givenNow(try Self.seconds(args))
            }),
            ("clock", "clock", { _, results in
                harness.frozenTime.push(into: &results)
            }),
        ]
        var references: [(String, LuaReference)] = []
        defer { for (_, reference) in references { lua.release(reference) } }
        for (key, name, body) in functions {
            references.append((key, try lua.makeFunction(named: name, body)))
        }
        return try lua.makeReference { b in
            b.pushTable(recordCapacity: references.count)
            for (key, reference) in references { b.setField(key) { $0.push(reference) } }
        }
    }

    // MARK: Arguments

    private static let requestFields: Set<String> = ["username", "authParams", "remoteAddress", "userAgent", "origin"]

    /// `authenticate{username = …, authParams = …, remoteAddress = …, userAgent = …, origin = …}`.
    /// Values go through as JSON, so a username or authParams of the wrong type meets the
    /// pipeline's own checks; a misspelt field is an error rather than a silent guest start.
    static func startRequest(_ args: LuaArguments) throws(LuaHostError) -> StartRequest {
        let table = try args.table(1)
        try checkFields(of: table, allowed: requestFields, function: "authenticate")
        let username = try json(table["username"], field: "username", function: "authenticate")
        var authParams = try json(table["authParams"], field: "authParams", function: "authenticate")
        if authParams == .null { authParams = nil }
        return StartRequest(
            username: username, authParams: authParams,
            remoteAddress: try optionalString(table["remoteAddress"], field: "remoteAddress", function: "authenticate")
                ?? "127.0.0.1",
            userAgent: try optionalString(table["userAgent"], field: "userAgent", function: "authenticate"),
            origin: try optionalString(table["origin"], field: "origin", function: "authenticate")
        )
    }

    private static let userFields: Set<String> = [
        "name", "displayName", "displayPictureUrl", "isGuest", "properties", "createdTime",
    ]

    /// `given.user{name = …, displayName = …, displayPictureUrl = …, isGuest = …, properties = …,
    /// createdTime = …}`; only `name` is required.
    static func newUser(_ args: LuaArguments) throws(LuaHostError) -> NewUser {
        let table = try args.table(1)
        try checkFields(of: table, allowed: userFields, function: "given.user")
        guard let name = try optionalString(table["name"], field: "name", function: "given.user") else {
            throw LuaHostError("given.user: the field 'name' is required")
        }
        var user = NewUser(name: name)
        user.displayName = try optionalString(table["displayName"], field: "displayName", function: "given.user")
        user.displayPictureUrl = try optionalString(
            table["displayPictureUrl"], field: "displayPictureUrl", function: "given.user"
        )
        switch table["isGuest"] {
        case .nil: break
        case .boolean(let flag): user.isGuest = flag
        case let other: throw LuaHostError("given.user: 'isGuest' must be a boolean, got \(other.typeName)")
        }
        switch table["properties"] {
        case .nil: break
        case .table(let properties):
            guard case .object(let object)? = try json(.table(properties), field: "properties", function: "given.user") else {
                throw LuaHostError("given.user: 'properties' must be a table with string keys")
            }
            user.properties = object
        case let other: throw LuaHostError("given.user: 'properties' must be a table, got \(other.typeName)")
        }
        switch table["createdTime"] {
        case .nil: break
        case .integer(let seconds): user.createdTime = Date(timeIntervalSince1970: Double(seconds))
        case .number(let seconds) where seconds.isFinite: user.createdTime = Date(timeIntervalSince1970: seconds)
        case let other:
            throw LuaHostError("given.user: 'createdTime' must be seconds since the epoch, got \(other.typeName)")
        }
        return user
    }

    /// `given.now(seconds)`: a finite number, or nil for the real clock.
    static func seconds(_ args: LuaArguments) throws(LuaHostError) -> Double? {
        switch try args.value(1) {
        case .nil: return nil
        case .integer(let seconds): return Double(seconds)
        case .number(let seconds) where seconds.isFinite: return seconds
        case .number: throw args.argumentError(1, "a finite number of seconds expected")
        case let other: throw args.argumentError(1, "number expected, got \(other.typeName)")
        }
    }

    private static func checkFields(of table: LuaTable, allowed: Set<String>, function: String) throws(LuaHostError) {
        for key in table.entries.keys {
            guard case .string(let name) = key, let text = name.string, allowed.contains(text) else {
                let list = allowed.sorted().joined(separator: ", ")
                throw LuaHostError("\(function): unknown field \(describe(key)) (fields: \(list))")
            }
        }
    }

    private static func describe(_ key: LuaKey) -> String {
        switch key {
        case .string(let s): "'\(s)'"
        case .integer(let i): "[\(i)]"
        case .number(let d): "[\(d)]"
        case .boolean(let b): "[\(b)]"
        }
    }

    private static func json(_ value: LuaValue, field: String, function: String) throws(LuaHostError) -> JSONValue? {
        if value == .nil { return nil }
        do {
            return try JSONValue(lua: value)
        } catch {
            throw LuaHostError("\(function): '\(field)' cannot be converted to JSON: \(error.message)")
        }
    }

    private static func optionalString(_ value: LuaValue, field: String, function: String) throws(LuaHostError) -> String? {
        switch value {
        case .nil: return nil
        case .string(let s):
            guard let text = s.string else { throw LuaHostError("\(function): '\(field)' is not valid UTF-8") }
            return text
        default: throw LuaHostError("\(function): '\(field)' must be a string, got \(value.typeName)")
        }
    }

    private static func text(_ value: LuaString, _ args: LuaArguments, _ position: Int) throws(LuaHostError) -> String {
        guard let text = value.string else { throw args.argumentError(position, "string is not valid UTF-8") }
        return text
    }
}
