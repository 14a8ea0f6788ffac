/// The strict parser over one contiguous buffer of UTF-8 bytes.
///
/// Values are built bottom-up on one flat stack (`values`; an object's keys
/// sit there as `.string`, alternating with their values) with one `Frame`
/// per open container, so nesting never becomes recursion.
struct ByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0
    /// Reused for strings holding escapes; other strings are sliced directly.
    var scratch: [UInt8] = []
    /// The value and container stacks, lent by the caller (`JSONParseStacks`) and given back
    /// empty with their capacity.
    var stacks = JSONParseStacks()
    /// Levels already open around the values `parseValue` reads (1 inside `parseObjectDocument`).
    private var enclosingDepth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    struct Frame {
        let isObject: Bool
        /// Where this container's members start in `values`.
        let valueStart: Int
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        try beginDocument()
        let value = try parseValue()
        try endDocument()
        return value
    }

    /// No byte-order mark, then the whitespace before the value.
    private mutating func beginDocument() throws(JSONParseError) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw JSONParseError("a byte-order mark is not allowed", at: 0)
        }
        skipWhitespace()
    }

    /// Nothing but whitespace after the value.
    private mutating func endDocument() throws(JSONParseError) {
        skipWhitespace()
        if position < bytes.count {
            throw JSONParseError("unexpected \(describe(bytes[position])) after the value", at: position)
        }
    }

    /// After a container's member: `true` past a comma (another member follows), `false` past
    /// the container's closing byte.
    private mutating func anotherMember(inObject isObject: Bool) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let byte = try peekRequired()
        if byte == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            if peek() == closer {
                throw JSONParseError("a trailing comma is not allowed", at: position)
            }
            return true
        }
        guard byte == closer else {
            let expected = isObject ? "',' or '}'" : "',' or ']'"
            throw JSONParseError("expected \(expected) but found \(describe(byte))", at: position)
        }
        position += 1
        return false
    }

    /// A document that is one object, member by member: `visit` gets each key with its value as
    /// soon as the value is parsed, and no object is built for the document itself. `false`,
    /// with nothing visited, when the document does not start with `{` (the caller parses it
    /// whole for its error). The same rules and the same first error as `parseDocument`.
    mutating func parseObjectDocument(_ visit: (String, JSONValue) -> Void) throws(JSONParseError) -> Bool {
        try beginDocument()
        guard peek() == UInt8(ascii: "{") else { return false }
        try checkDepth(1)
        position += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            enclosingDepth = 1
            defer { enclosingDepth = 0 }
            repeat {
                let key = try parseKeyAndColon()
                // A scalar member needs none of the container stacks `parseValue` sets up.
                let opener = try peekRequired()
                let isContainer = opener == UInt8(ascii: "{") || opener == UInt8(ascii: "[")
                visit(key, isContainer ? try parseValue() : try parseScalar())
            } while try anotherMember(inObject: true)
        }
        try endDocument()
        return true
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        // Taken out of `stacks` for the parse (so that they are not reached through `self` while
        // other mutating methods run), then put back empty, with whatever capacity they gained.
        var frames: [Frame] = []
        var values: [JSONValue] = []
        swap(&frames, &stacks.frames)
        swap(&values, &stacks.values)
        defer {
            frames.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            swap(&frames, &stacks.frames)
            swap(&values, &stacks.values)
        }
        // One allocation each for typical messages instead of repeated growth.
        frames.reserveCapacity(8)
        values.reserveCapacity(16)

        nextValue: while true {
            var value: JSONValue
            switch try peekRequired() {
            case UInt8(ascii: "{"):
                try checkDepth(frames.count + 1)
                position += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    frames.append(Frame(isObject: true, valueStart: values.count))
                    values.append(.string(try parseKeyAndColon()))
                    continue nextValue
                }
            case UInt8(ascii: "["):
                try checkDepth(frames.count + 1)
                position += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    frames.append(Frame(isObject: false, valueStart: values.count))
                    continue nextValue
                }
            default:
                value = try parseScalar()
            }

            // Hand the value to the open container; close every container that ends here.
            while let frame = frames.last {
                values.append(value)
                if try anotherMember(inObject: frame.isObject) {
                    if frame.isObject { values.append(.string(try parseKeyAndColon())) }
                    continue nextValue
                }
                frames.removeLast()
                if frame.isObject {
                    value = .object(JSONObject(alternatingKeysAndValues: values[frame.valueStart...]))
                } else {
                    value = .array(Array(values[frame.valueStart...]))
                }
                values.removeSubrange(frame.valueStart...)
            }
            return value
        }
    }

    private func checkDepth(_ level: Int) throws(JSONParseError) {
        if level + enclosingDepth > maxDepth {
            throw JSONParseError("nesting deeper than \(maxDepth) levels", at: position)
        }
    }

    /// Reads `"key"`, the colon, and the whitespace up to the member's value.
    private mutating func parseKeyAndColon() throws(JSONParseError) -> String {
        let byte = try peekRequired()
        guard byte == UInt8(ascii: "\"") else {
            if byte == UInt8(ascii: "'") {
                throw JSONParseError("single-quoted strings are not allowed", at: position)
            }
            throw JSONParseError("expected a string key but found \(describe(byte))", at: position)
        }
        let key = try parseString()
        skipWhitespace()
        let colon = try peekRequired()
        guard colon == UInt8(ascii: ":") else {
            throw JSONParseError("expected ':' but found \(describe(colon))", at: position)
        }
        position += 1
        skipWhitespace()
        return key
    }

    private mutating func parseScalar() throws(JSONParseError) -> JSONValue {
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw JSONParseError("NaN and Infinity are not valid JSON numbers", at: position)
        case UInt8(ascii: "+"):
            throw JSONParseError("a number must not start with '+'", at: position)
        case UInt8(ascii: "."):
            throw JSONParseError("a number must start with a digit", at: position)
        case UInt8(ascii: "'"):
            throw JSONParseError("single-quoted strings are not allowed", at: position)
        case UInt8(ascii: "/"):
            throw JSONParseError("comments are not allowed", at: position)
        default:
            throw JSONParseError("unexpected \(describe(byte))", at: position)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else {
            throw JSONParseError("invalid literal (expected '\(literal)')", at: position)
        }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != expected[offset] {
            throw JSONParseError("invalid literal (expected '\(literal)')", at: position)
        }
        position += count
    }

    // MARK: Bytes

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    func peekRequired() throws(JSONParseError) -> UInt8 {
        guard position < bytes.count else {
            throw JSONParseError("unexpected end of input", at: position)
        }
        return bytes[position]
    }

    /// `character 'x'` for printable ASCII, `byte 0x0A` for anything else,
    /// so a message never carries raw control or partial UTF-8 bytes.
    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte <= 0x7E {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(byte < 0x10 ? "0" : "")\(hex)"
    }
}
