/// Takes a JSON object member by member, in order: `JSONStreamWriter` writes its text,
/// `JSONTreeBuilder` builds its `JSONValue`, and LuaRuntime's `LuaPushBuffer` pushes it as a
/// table. A type that writes its members once into any sink has one description of its wire
/// shape, whatever form each use needs.
public protocol JSONMemberSink {
    /// Opens an object; `memberCount` is a hint (a Lua table is sized for it).
    mutating func beginObject(memberCount: Int)
    mutating func endObject()
    /// Starts a member of the open object; its value follows.
    mutating func key(_ name: StaticString)
    mutating func string(_ text: String)
    /// A string given as valid UTF-8 bytes (text made on the stack, such as a timestamp, goes in
    /// without a `String` on the heap first).
    mutating func string(utf8 text: UnsafeBufferPointer<UInt8>)
    mutating func integer(_ number: Int64)
    mutating func bool(_ flag: Bool)
    mutating func null()
    /// Any value, as a whole.
    mutating func value(_ value: JSONValue)
}

extension JSONMemberSink {
    public mutating func beginObject() {
        beginObject(memberCount: 0)
    }

    public mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        string(String(decoding: text, as: UTF8.self))
    }
}

/// Builds the `JSONValue` of what a `JSONMemberSink` writer writes (for the cold paths that need
/// a tree: trigger events, `invoke`, tests).
public struct JSONTreeBuilder: JSONMemberSink {
    /// The objects still open, outermost first, each with the key it will be stored under.
    private var open: [(object: JSONObject, key: String?)] = []
    private var pendingKey: String?
    /// The value written, once it is complete.
    public private(set) var value: JSONValue?

    public init() {}

    public mutating func beginObject(memberCount: Int) {
        open.append((JSONObject(), pendingKey))
        pendingKey = nil
    }

    public mutating func endObject() {
        let (object, key) = open.removeLast()
        place(.object(object), under: key)
    }

    public mutating func key(_ name: StaticString) {
        pendingKey = name.description
    }

    public mutating func string(_ text: String) { place(.string(text)) }
    public mutating func integer(_ number: Int64) { place(.integer(number)) }
    public mutating func bool(_ flag: Bool) { place(.bool(flag)) }
    public mutating func null() { place(.null) }
    public mutating func value(_ value: JSONValue) { place(value) }

    private mutating func place(_ member: JSONValue) {
        place(member, under: pendingKey)
        pendingKey = nil
    }

    private mutating func place(_ member: JSONValue, under key: String?) {
        guard let last = open.indices.last, let key else {
            value = member
            return
        }
        open[last].object[key] = member
    }
}
