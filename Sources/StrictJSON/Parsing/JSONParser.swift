/// Strict JSON parsing (RFC 8259 and the extra rules of SPEC §2).
///
/// Refused, each with a ``JSONParseError`` carrying a message and byte
/// offset: `NaN`, `Infinity`; a leading byte-order mark; numbers beyond the
/// range of a double; leading zeros, `+1`, `.5`, `1.`, `1e`; lone surrogate
/// escapes; invalid escapes; raw control characters in strings; invalid
/// UTF-8 anywhere; anything after the value but whitespace; single quotes,
/// comments, trailing commas; nesting deeper than `maxDepth`.
///
/// Of duplicate object keys the last value wins, at the key's first position.
/// Numbers: without fraction or exponent and within `Int64` they are
/// ``JSONValue/integer(_:)`` (`-0` is `0`), otherwise a correctly rounded
/// ``JSONValue/double(_:)``. A number too small for a double (`1e-400`) is
/// `0.0`, as rounding gives; only magnitudes too large are errors.
///
/// The parser never recurses: containers are tracked on an explicit stack,
/// so deep input costs time up to the depth limit and no stack. Keep
/// `maxDepth` modest all the same: Swift frees a nested value recursively,
/// so a value thousands of levels deep is a hazard once built.
public enum JSONParser {
    /// The depth limit used when none is given: the wire protocol's 64 levels.
    public static let defaultMaxDepth = 64

    /// Parses one JSON text strictly.
    ///
    /// - Parameter maxDepth: the deepest nesting allowed; the outermost
    ///   container is level 1, so `maxDepth: 1` accepts `[1]` and refuses `[[]]`.
    @inlinable
    public static func parse(
        _ bytes: some Collection<UInt8>,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            parse(buffer: buffer, maxDepth: maxDepth)
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            parse(buffer: buffer, maxDepth: maxDepth)
        }.get()
    }

    /// Parses one JSON text strictly, from the string's UTF-8; same rules as the byte version.
    @inlinable
    public static func parse(
        _ text: String,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var text = text  // `withUTF8` is mutating: it may first make the storage contiguous
        return try text.withUTF8 { buffer in
            parse(buffer: buffer, maxDepth: maxDepth)
        }.get()
    }

    /// The same, with the parser's stacks lent by the caller (`JSONParseStacks`): for a caller
    /// that parses many small documents on one thread, whose stacks are then allocated once
    /// instead of for every document.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        maxDepth: Int = defaultMaxDepth,
        stacks: inout JSONParseStacks
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            parse(buffer: buffer, maxDepth: maxDepth, stacks: &stacks)
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            parse(buffer: buffer, maxDepth: maxDepth, stacks: &stacks)
        }.get()
    }

    /// Parses a document that is one JSON object member by member: `visit` gets each key and
    /// value in document order (a duplicate key comes again), and no object is built for the
    /// document itself. For a reader that wants a few known members of small messages, such as a
    /// request. `false`, with nothing visited, when the document is not an object; the caller
    /// parses it with `parse` for its error or its value. Same rules and errors as `parse`.
    public static func parseObjectMembers(
        _ bytes: some Collection<UInt8>,
        maxDepth: Int = defaultMaxDepth,
        stacks: inout JSONParseStacks,
        _ visit: (String, JSONValue) -> Void
    ) throws(JSONParseError) -> Bool {
        func members(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<Bool, JSONParseError> {
            var parser = ByteParser(bytes: buffer, maxDepth: maxDepth)
            swap(&parser.stacks, &stacks)
            defer { swap(&parser.stacks, &stacks) }
            do {
                return .success(try parser.parseObjectDocument(visit))
            } catch {
                return .failure(error)
            }
        }
        if let result = bytes.withContiguousStorageIfAvailable(members) { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer(members).get()
    }

    @usableFromInline
    static func parse(
        buffer: UnsafeBufferPointer<UInt8>,
        maxDepth: Int
    ) -> Result<JSONValue, JSONParseError> {
        var stacks = JSONParseStacks()
        return parse(buffer: buffer, maxDepth: maxDepth, stacks: &stacks)
    }

    static func parse(
        buffer: UnsafeBufferPointer<UInt8>,
        maxDepth: Int,
        stacks: inout JSONParseStacks
    ) -> Result<JSONValue, JSONParseError> {
        var parser = ByteParser(bytes: buffer, maxDepth: maxDepth)
        swap(&parser.stacks, &stacks)
        defer { swap(&parser.stacks, &stacks) }
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

/// The parser's working stacks (the values of the containers still open, and the containers),
/// kept between documents by a caller that parses many: a connection's messages are a few
/// hundred bytes each, and allocating the two stacks was most of what parsing one allocated.
/// Empty between parses; only their capacity is kept.
public struct JSONParseStacks: Sendable {
    var frames: [ByteParser.Frame] = []
    var values: [JSONValue] = []

    public init() {}
}
