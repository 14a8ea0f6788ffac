/// Writes compact JSON member by member, without building a `JSONValue` first: for the messages
/// the server sends on every start, whose tree (dictionaries of keys, boxed values) cost more
/// than the text.
///
/// Commas come by themselves; keys are static ASCII names written as they are. The caller opens
/// and closes containers in order; the text is exactly what `JSONValue.encoded()` writes for
/// the same members in the same order.
public struct JSONStreamWriter: JSONMemberSink {
    private var writer = JSONWriter()
    /// Per open container: whether the next member needs a comma before it.
    private var needsComma: [Bool] = []
    /// A key was just written: the next value is its member's, with no comma before it.
    private var pendingMemberValue = false

    public init() {
        needsComma.reserveCapacity(4)
    }

    /// The text written so far, as UTF-8.
    public var bytes: [UInt8] { writer.bytes }

    public mutating func beginObject(memberCount: Int) {
        separate()
        writer.append("{")
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
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
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] { writer.append(",") } else { needsComma[needsComma.count - 1] = true }
    }
}
