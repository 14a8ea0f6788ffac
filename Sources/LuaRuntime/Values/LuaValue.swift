/// A Lua string: bytes, since Lua strings may hold NUL and invalid UTF-8.
public struct LuaString: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The text, when the bytes are valid UTF-8.
    public var string: String? { String(validating: bytes, as: UTF8.self) }
    public var description: String { string ?? String(decoding: bytes, as: UTF8.self) }
}

/// A table key Swift can hold. Tables keyed by tables, functions or other
/// reference values cannot cross into Swift.
public enum LuaKey: Sendable, Hashable {
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case boolean(Bool)

    public var value: LuaValue {
        switch self {
        case .integer(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .boolean(let b): return .boolean(b)
        }
    }
}

/// A Lua table copied into Swift.
public struct LuaTable: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var entries: [LuaKey: LuaValue]

    public init(_ entries: [LuaKey: LuaValue] = [:]) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        entries = [:]
        for (key, value) in elements { entries[.string(LuaString(key))] = value }
    }
    /// A sequence from 1.
    public init(sequence: [LuaValue]) {
        entries = [:]
        for (i, value) in sequence.enumerated() { entries[.integer(Int64(i + 1))] = value }
    }

    public subscript(key: String) -> LuaValue {
        get { entries[.string(LuaString(key))] ?? .nil }
        set { entries[.string(LuaString(key))] = newValue == .nil ? nil : newValue }
    }
    public subscript(index: Int64) -> LuaValue {
        get { entries[.integer(index)] ?? .nil }
        set { entries[.integer(index)] = newValue == .nil ? nil : newValue }
    }
    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The values at 1…n when the keys are exactly 1…n (n ≥ 1); nil otherwise.
    public var sequence: [LuaValue]? {
        guard !entries.isEmpty else { return nil }
        var result: [LuaValue] = []
        result.reserveCapacity(entries.count)
        for i in 1...entries.count {
            guard let value = entries[.integer(Int64(i))] else { return nil }
            result.append(value)
        }
        return result
    }
}

/// A Lua value copied into Swift.
public enum LuaValue: Sendable, Equatable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case table(LuaTable)
    /// The `json.null` sentinel (a NULL light userdata).
    case jsonNull
    /// A value that cannot be copied (function, userdata, thread); holds its type name.
    case opaque(String)

    /// The name `type()` would give.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .jsonNull: return "userdata"
        case .opaque(let name): return name
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s.string }
        return nil
    }
    public var tableValue: LuaTable? {
        if case .table(let t) = self { return t }
        return nil
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .nil }
}
