import StrictJSON

/// JSON → Lua: objects become string-keyed tables, arrays sequences from 1,
/// `null` the `json.null` sentinel; integers stay integers, other numbers floats.
extension JSONValue: LuaPushable {
    public func push(into b: inout LuaPushBuffer) {
        switch self {
        case .null: b.pushJSONNull()
        case .bool(let v): b.push(v)
        case .integer(let v): b.push(v)
        case .double(let v): b.push(v)
        case .string(let v): b.push(v)
        case .array(let values):
            b.pushTable(arrayCapacity: values.count)
            for (i, value) in values.enumerated() {
                b.setIndex(Int64(i + 1)) { value.push(into: &$0) }
            }
        case .object(let object):
            object.push(into: &b)
        }
    }
}

extension JSONObject: LuaPushable {
    public func push(into b: inout LuaPushBuffer) {
        b.pushTable(recordCapacity: count)
        for (key, value) in self {
            b.setField(key) { value.push(into: &$0) }
        }
    }
}

/// A JSON object written member by member becomes a string-keyed table, exactly as its
/// `JSONValue` would (`null` the `json.null` sentinel).
extension LuaPushBuffer: JSONMemberSink {
    public mutating func beginObject(memberCount: Int) {
        pushTable(recordCapacity: memberCount)
        openObjects += 1
    }

    public mutating func endObject() {
        openObjects -= 1
        storeIfMember()
    }

    public mutating func key(_ name: StaticString) {
        pushKey(name)
    }

    public mutating func string(_ text: String) {
        push(text)
        storeIfMember()
    }

    public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        push(bytes: text)
        storeIfMember()
    }

    public mutating func integer(_ number: Int64) {
        push(number)
        storeIfMember()
    }

    public mutating func bool(_ flag: Bool) {
        push(flag)
        storeIfMember()
    }

    public mutating func null() {
        pushJSONNull()
        storeIfMember()
    }

    public mutating func value(_ value: JSONValue) {
        value.push(into: &self)
        storeIfMember()
    }

    /// A value pushed inside an open object is a member: into its table with its key.
    private mutating func storeIfMember() {
        if openObjects > 0 { storeMember() }
    }
}

/// Why a Lua value has no JSON form.
public struct JSONConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONValue {
    /// Lua → JSON. The empty-table rule: an empty table becomes `{}` (an object),
    /// never `[]`. A table whose keys are exactly 1…n becomes an array; one whose
    /// keys are all strings an object; any other table (mixed, sparse, float or
    /// boolean keys) is refused, as are functions, NaN, infinities and strings
    /// that are not valid UTF-8. Cycles cannot occur: `LuaValue` is a tree (the
    /// runtime refuses cyclic tables when it copies them).
    public init(lua value: LuaValue) throws(JSONConversionError) {
        switch value {
        case .nil, .jsonNull: self = .null
        case .boolean(let b): self = .bool(b)
        case .integer(let i): self = .integer(i)
        case .number(let d):
            guard d.isFinite else { throw JSONConversionError("cannot encode \(d) as JSON") }
            self = .double(d)
        case .string(let s):
            guard let text = s.string else { throw JSONConversionError("cannot encode a string that is not valid UTF-8 as JSON") }
            self = .string(text)
        case .opaque(let type):
            throw JSONConversionError("cannot encode a \(type) value as JSON")
        case .table(let table):
            if table.isEmpty {
                self = .object(JSONObject())
            } else if let sequence = table.sequence {
                var array: [JSONValue] = []
                array.reserveCapacity(sequence.count)
                for element in sequence { array.append(try JSONValue(lua: element)) }
                self = .array(array)
            } else {
                var object = JSONObject()
                for (key, element) in table.entries.sorted(by: { Self.order($0.key, $1.key) }) {
                    guard case .string(let name) = key, let text = name.string else {
                        throw JSONConversionError("cannot encode a table with mixed or non-string keys as JSON (key \(key.value.typeName))")
                    }
                    object[text] = try JSONValue(lua: element)
                }
                self = .object(object)
            }
        }
    }

    /// A stable key order, so that encoding the same table twice gives the same text.
    private static func order(_ a: LuaKey, _ b: LuaKey) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x.bytes.lexicographicallyPrecedes(y.bytes)
        case (.string, _): return false
        case (_, .string): return true
        default: return false
        }
    }
}
