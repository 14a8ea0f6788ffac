import CLuaShim

/// A flat program of push operations that C runs in protected mode.
///
/// Swift never pushes a value that needs memory itself (that could raise a
/// Lua error across a Swift frame); it appends operations here and hands the
/// whole program to `sg_push`, `sg_call` or a host-function return.
public struct LuaPushBuffer {
    var ops: [sg_op] = []
    var bytes: [UInt8] = []
    /// How many values the program leaves on the stack.
    public private(set) var count: Int = 0 {
        didSet { if count > depth { depth = count } }
    }
    /// The most stack slots the program uses at once; C checks for them once.
    private(set) var depth: Int = 0
    /// Objects open through `JSONMemberSink` (JSONBridge.swift): inside one, each value is a
    /// member, stored into its table as soon as it is pushed.
    var openObjects = 0

    public init() {}

    public mutating func removeAll() {
        ops.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        count = 0
        depth = 0
        openObjects = 0
    }

    private mutating func append(_ code: Int32, a: Int32 = 0, i: Int64 = 0, len: Int = 0) {
        var op = sg_op()
        op.code = code
        op.a = a
        op.v.i = i
        op.len = len
        ops.append(op)
    }

    public mutating func pushNil() { append(Int32(SG_OP_NIL)); count += 1 }
    public mutating func push(_ value: Bool) { append(Int32(value ? SG_OP_TRUE : SG_OP_FALSE)); count += 1 }
    public mutating func push(_ value: Int64) { append(Int32(SG_OP_INT), i: value); count += 1 }
    public mutating func push(_ value: Double) {
        var op = sg_op()
        op.code = Int32(SG_OP_NUM)
        op.v.d = value
        ops.append(op)
        count += 1
    }
    public mutating func push(bytes value: UnsafeBufferPointer<UInt8>) {
        let offset = bytes.count
        bytes.append(contentsOf: value)
        append(Int32(SG_OP_STR), i: Int64(offset), len: value.count)
        count += 1
    }
    public mutating func push(bytes value: [UInt8]) {
        value.withUnsafeBufferPointer { push(bytes: $0) }
    }
    public mutating func push<Bytes: Collection<UInt8>>(bytes value: Bytes) {
        if value.withContiguousStorageIfAvailable({ push(bytes: $0) }) == nil {
            push(bytes: Array(value))
        }
    }
    public mutating func push(_ value: String) {
        var value = value
        value.withUTF8 { push(bytes: $0) }
    }
    public mutating func pushJSONNull() { append(Int32(SG_OP_LIGHTNULL)); count += 1 }
    public mutating func push(_ reference: LuaReference) { append(Int32(SG_OP_REF), i: Int64(reference.id)); count += 1 }

    /// Starts a table; follow with `setField`/`setIndex` pairs.
    public mutating func pushTable(arrayCapacity: Int = 0, recordCapacity: Int = 0) {
        append(Int32(SG_OP_TABLE), a: Int32(clamping: arrayCapacity), i: Int64(recordCapacity))
        count += 1
    }
    /// `t[key] = value` on the table being built; `value` pushes exactly one value.
    public mutating func setField(_ key: String, _ value: (inout LuaPushBuffer) -> Void) {
        push(key)
        storeField(value)
    }
    /// A field name that is a literal: interned once per state, then found by its address
    /// (`SG_OP_KEY`) instead of hashed and interned on every push.
    public mutating func pushKey(_ key: StaticString) {
        guard key.hasPointerRepresentation else {
            push(key.description)
            return
        }
        append(Int32(SG_OP_KEY), i: Int64(Int(bitPattern: key.utf8Start)), len: key.utf8CodeUnitCount)
        count += 1
    }
    /// `t[key] = value` for a literal key (`pushKey`).
    public mutating func setField(literal key: StaticString, _ value: (inout LuaPushBuffer) -> Void) {
        pushKey(key)
        storeField(value)
    }
    /// Pushes the value of the key on top and stores the pair into the table below it.
    private mutating func storeField(_ value: (inout LuaPushBuffer) -> Void) {
        value(&self)
        depth = max(depth, count)
        append(Int32(SG_OP_RAWSET))
        count -= 2
    }
    /// `t[key] = value` for the key and value on top, the table below them (`JSONMemberSink`).
    mutating func storeMember() {
        append(Int32(SG_OP_RAWSET))
        count -= 2
    }
    /// `t[key] = value` for any key pushed by `key`.
    public mutating func setKey(_ key: (inout LuaPushBuffer) -> Void, _ value: (inout LuaPushBuffer) -> Void) {
        key(&self)
        value(&self)
        append(Int32(SG_OP_RAWSET))
        count -= 2
    }
    /// `t[index] = value` on the table being built.
    public mutating func setIndex(_ index: Int64, _ value: (inout LuaPushBuffer) -> Void) {
        value(&self)
        append(Int32(SG_OP_RAWSETI), i: index)
        count -= 1
    }

    /// Runs `body` with pointers valid for the C call.
    func withProgram<R>(_ body: (UnsafePointer<sg_op>?, Int, UnsafePointer<CChar>?, Int32) -> R) -> R {
        let slots = Int32(clamping: depth + 2)
        return ops.withUnsafeBufferPointer { opsBuffer in
            bytes.withUnsafeBufferPointer { bytesBuffer in
                bytesBuffer.withMemoryRebound(to: CChar.self) { chars in
                    body(opsBuffer.baseAddress, opsBuffer.count, chars.baseAddress, slots)
                }
            }
        }
    }
}

/// A Swift value that knows how to become a Lua value (mlua's `IntoLua`).
public protocol LuaPushable {
    /// Appends the operations that push exactly one value.
    func push(into buffer: inout LuaPushBuffer)
}

extension Bool: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(self) } }
extension Int64: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(self) } }
extension Int: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(Int64(self)) } }
extension Double: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(self) } }
extension String: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(self) } }
extension LuaString: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(bytes: bytes) } }
extension LuaReference: LuaPushable { public func push(into b: inout LuaPushBuffer) { b.push(self) } }

extension Optional: LuaPushable where Wrapped: LuaPushable {
    public func push(into b: inout LuaPushBuffer) {
        switch self {
        case .none: b.pushNil()
        case .some(let value): value.push(into: &b)
        }
    }
}

extension Array: LuaPushable where Element: LuaPushable {
    /// A sequence from 1.
    public func push(into b: inout LuaPushBuffer) {
        b.pushTable(arrayCapacity: count)
        for (i, element) in enumerated() {
            b.setIndex(Int64(i + 1)) { element.push(into: &$0) }
        }
    }
}

extension Dictionary: LuaPushable where Key == String, Value: LuaPushable {
    /// A string-keyed table.
    public func push(into b: inout LuaPushBuffer) {
        b.pushTable(recordCapacity: count)
        for (key, value) in self {
            b.setField(key) { value.push(into: &$0) }
        }
    }
}

extension LuaValue: LuaPushable {
    public func push(into b: inout LuaPushBuffer) {
        switch self {
        case .nil, .opaque: b.pushNil()
        case .boolean(let v): b.push(v)
        case .integer(let v): b.push(v)
        case .number(let v): b.push(v)
        case .string(let s): b.push(bytes: s.bytes)
        case .jsonNull: b.pushJSONNull()
        case .table(let t):
            b.pushTable(recordCapacity: t.count)
            for (key, value) in t.entries {
                b.setKey({ key.value.push(into: &$0) }, { value.push(into: &$0) })
            }
        }
    }
}
