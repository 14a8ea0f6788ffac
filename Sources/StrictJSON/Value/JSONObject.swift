/// A JSON object: ordered, unique keys.
///
/// Insertion order is kept and is the order ``JSONValue/encoded()`` writes.
/// Setting an existing key replaces its value in place; setting `nil` removes
/// it. Keys are compared by their UTF-8 bytes (see the note on equality).
///
/// Equality and hashing ignore order, as JSON does: `{"a":1,"b":2}` equals
/// `{"b":2,"a":1}`. Keys that differ only in Unicode normalization are
/// different keys.
public struct JSONObject: Sendable {
    /// Lookups scan linearly up to this many members, then use a hash index.
    /// Wire messages hold a handful of keys, where a scan beats hashing.
    static let indexThreshold = 12

    private var entries: [(key: String, value: JSONValue)]
    /// Position of each key in `entries`; present only above `indexThreshold`.
    private var index: [UTF8Key: Int]?

    /// An empty object.
    public init() {
        entries = []
        index = nil
    }

    /// Builds an object from members in order; of duplicate keys the last
    /// value wins, at the key's first position.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// The parser's builder: `[.string(key), value, .string(key), value, …]`,
    /// with the same duplicate rule as ``init(_:)``.
    init(alternatingKeysAndValues members: ArraySlice<JSONValue>) {
        self.init()
        entries.reserveCapacity(members.count / 2)
        var cursor = members.startIndex
        while cursor + 1 < members.endIndex {
            defer { cursor += 2 }
            guard case .string(let key) = members[cursor] else {
                assertionFailure("the parser stores every key as .string")
                continue
            }
            let value = members[cursor + 1]
            if let position = position(of: key) {
                entries[position].value = value
            } else {
                append(key, value)
            }
        }
    }

    /// The value of `key`, or `nil` when absent. Setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                } else {
                    append(key, newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key`, returning its value; later members keep their order.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = entries.remove(at: position).value
        if index != nil {
            if entries.count > Self.indexThreshold {
                index![UTF8Key(string: key)] = nil
                for later in position..<entries.count {
                    index![UTF8Key(string: entries[later].key)] = later
                }
            } else {
                index = nil
            }
        }
        return removed
    }

    /// Whether `key` is present.
    public func contains(key: String) -> Bool {
        position(of: key) != nil
    }

    /// The keys, in order.
    public var keys: [String] { entries.map(\.key) }

    /// The values, in key order.
    public var values: [JSONValue] { entries.map(\.value) }

    /// The number of members.
    public var count: Int { entries.count }

    /// Whether there are no members.
    public var isEmpty: Bool { entries.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[UTF8Key(string: key)] }
        return entries.firstIndex { utf8Equal($0.key, key) }
    }

    private mutating func append(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
        if index != nil {
            index![UTF8Key(string: key)] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            var built = [UTF8Key: Int](minimumCapacity: entries.count * 2)
            for (position, entry) in entries.enumerated() {
                built[UTF8Key(string: entry.key)] = position
            }
            index = built
        }
    }
}

extension JSONObject: Sequence {
    /// Members in order, as `(key:, value:)` pairs.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        entries.makeIterator()
    }

    public var underestimatedCount: Int { entries.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Of duplicate keys the last value wins, at the key's first position.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: Hashable {
    /// Same keys (byte for byte) with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Order-independent: combines a sum of per-member hashes.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in entries {
            var member = Hasher()
            hashUTF8(key, into: &member)
            member.combine(value)
            sum &+= member.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact JSON text of the object.
    public var description: String { JSONValue.object(self).encoded() }
}
