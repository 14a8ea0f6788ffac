/// Writes compact JSON member by member, without building a `JSONValue` first: for the messages
/// the server sends on every start, whose tree (dictionaries of keys, boxed values) cost more
/// than the text.
///
/// Commas come by themselves; keys are static ASCII names written as they are. The caller opens
/// and closes containers in order; the text is exactly what `JSONValue.encoded()` writes for
/// the same members in the same order.
public struct JSONStreamWriter: JSONMemberSink {
    private var writer = JSONWriter()
    /// Per open container, a bit (the innermost at `depth - 1`): whether its next member needs
    /// a comma before it. Bits rather than an array: a writer is made for every reply, and the
    /// array was an allocation of its own.
    private var needsComma: UInt64 = 0
    private var depth = 0
    /// The deepest nesting the bits can follow; the server's messages are three deep.
    public static let maxDepth = 64
    /// A key was just written: the next value is its member's, with no comma before it.
    private var pendingMemberValue = false

    public init() {}

    /// The text written so far, as UTF-8.
    public var bytes: [UInt8] { writer.bytes }

    /// Empties the writer for the next document, keeping its buffer's capacity (a writer
    /// reused for every message allocates nothing once its buffer has grown).
    public mutating func reset() {
        precondition(depth == 0, "reset with an open container")
        writer.removeAll()
        needsComma = 0
        pendingMemberValue = false
    }

    public mutating func beginObject(memberCount: Int) {
        separate()
        writer.append("{")
        precondition(depth < Self.maxDepth, "JSONStreamWriter nests at most \(Self.maxDepth) containers")
        needsComma &= ~(1 << UInt64(depth))
        depth += 1
    }

    public mutating func endObject() {
        precondition(depth > 0, "endObject without an open object")
        depth -= 1
        writer.append("}")
    }

    /// Starts a member of the open object; its value follows.
    public mutating func key(_ name: StaticString) {
        separate()
        writer.append("\"")
        writer.append(name)
        writer.append("\":")
        pendingMemberValue = true
    }

    public mutating func string(_ text: String) {
        separate()
        writer.writeString(text)
    }

    public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        separate()
        writer.writeString(utf8: text)
    }

    public mutating func integer(_ number: Int64) {
        separate()
        writer.writeInteger(number)
    }

    public mutating func bool(_ flag: Bool) {
        separate()
        writer.append(flag ? "true" : "false")
    }

    public mutating func null() {
        separate()
        writer.append("null")
    }

    /// Any value, written as `encoded()` would.
    public mutating func value(_ value: JSONValue) {
        separate()
        writer.write(value)
    }

    /// A comma before every member but the first of its container; none before a key's value.
    private mutating func separate() {
        if pendingMemberValue {
            pendingMemberValue = false
            return
        }
        guard depth > 0 else { return }
        let innermost: UInt64 = 1 << UInt64(depth - 1)
        if needsComma & innermost != 0 { writer.append(",") } else { needsComma |= innermost }
    }
}
