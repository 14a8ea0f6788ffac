extension ByteParser {
    /// Parses the string whose opening quote is at `position`.
    ///
    /// Strings without escapes (nearly all of them) are validated in one pass
    /// and turned into a `String` straight from the input slice.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = position + 1
        var index = start
        while true {
            index = ByteScan.skipPlain(bytes, from: index, orNonASCII: true)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(start: start, firstEscape: index)
            }
            if byte < 0x20 { throw controlCharacterError(byte, at: index) }
            index = byte < 0x80 ? index + 1 : try endOfUTF8Sequence(at: index)
        }
        throw JSONParseError("unterminated string", at: position)
    }

    /// The slow path: copies the string into `scratch`, decoding escapes.
    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var index = firstEscape
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                index = try decodeEscape(at: index)
            } else if byte < 0x20 {
                throw controlCharacterError(byte, at: index)
            } else if byte < 0x80 {
                scratch.append(byte)
                index += 1
            } else {
                let end = try endOfUTF8Sequence(at: index)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
            }
        }
        throw JSONParseError("unterminated string", at: start - 1)
    }

    /// Decodes the escape whose backslash is at `index` into `scratch`;
    /// returns the index after it.
    private mutating func decodeEscape(at index: Int) throws(JSONParseError) -> Int {
        guard index + 1 < bytes.count else {
            throw JSONParseError("unterminated string", at: index)
        }
        let decoded: UInt8
        switch bytes[index + 1] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: index)
        default:
            throw JSONParseError("invalid escape '\\' followed by \(describe(bytes[index + 1]))", at: index)
        }
        scratch.append(decoded)
        return index + 2
    }

    /// Decodes `\uXXXX`, or a surrogate pair `\uD83D\uDE00`; a surrogate
    /// that is not part of a well-formed pair is an error wherever it stands.
    private mutating func decodeUnicodeEscape(at index: Int) throws(JSONParseError) -> Int {
        let unit = try hexQuad(at: index + 2, escapeAt: index)
        var scalarValue = UInt32(unit)
        var end = index + 6
        switch unit {
        case 0xD800...0xDBFF:
            guard end + 1 < bytes.count,
                  bytes[end] == UInt8(ascii: "\\"), bytes[end + 1] == UInt8(ascii: "u")
            else {
                throw JSONParseError("lone surrogate escape \\u\(hex(unit)) (not followed by a low surrogate)", at: index)
            }
            let low = try hexQuad(at: end + 2, escapeAt: end)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONParseError("lone surrogate escape \\u\(hex(unit)) (not followed by a low surrogate)", at: index)
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            end += 6
        case 0xDC00...0xDFFF:
            throw JSONParseError("lone surrogate escape \\u\(hex(unit)) (low surrogate without a high one)", at: index)
        default:
            break
        }
        appendUTF8(scalarValue)
        return end
    }

    /// Appends a scalar value (never a surrogate here) as UTF-8.
    private mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            scratch.append(UInt8(value))
        case 0x80..<0x800:
            scratch.append(0xC0 | UInt8(value >> 6))
            scratch.append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x10000:
            scratch.append(0xE0 | UInt8(value >> 12))
            scratch.append(0x80 | UInt8(value >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(value >> 18))
            scratch.append(0x80 | UInt8(value >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(value >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        }
    }

    private func hexQuad(at start: Int, escapeAt escape: Int) throws(JSONParseError) -> UInt16 {
        guard start + 4 <= bytes.count else {
            throw JSONParseError("invalid \\u escape (needs four hex digits)", at: escape)
        }
        var value: UInt16 = 0
        for index in start..<start + 4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError("invalid \\u escape (needs four hex digits)", at: escape)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func hex(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    private func controlCharacterError(_ byte: UInt8, at index: Int) -> JSONParseError {
        JSONParseError("raw control character \(describe(byte)) in a string (must be escaped)", at: index)
    }

    /// Validates the multi-byte UTF-8 sequence led by the byte at `index`
    /// (RFC 3629 §4: no overlongs, no surrogates, nothing above U+10FFFF) and
    /// returns the index after it.
    @inline(__always)
    func endOfUTF8Sequence(at index: Int) throws(JSONParseError) -> Int {
        let lead = bytes[index]
        let continuationCount: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
        switch lead {
        case 0xC2...0xDF: continuationCount = 1
        case 0xE0: continuationCount = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
        case 0xED: continuationCount = 2; high = 0x9F
        case 0xF0: continuationCount = 3; low = 0x90
        case 0xF1...0xF3: continuationCount = 3
        case 0xF4: continuationCount = 3; high = 0x8F
        default: throw invalidUTF8(at: index)
        }
        guard index + continuationCount < bytes.count else { throw invalidUTF8(at: index) }
        let second = bytes[index + 1]
        guard second >= low, second <= high else { throw invalidUTF8(at: index) }
        var next = index + 2
        while next <= index + continuationCount {
            guard bytes[next] & 0xC0 == 0x80 else { throw invalidUTF8(at: index) }
            next += 1
        }
        return next
    }

    private func invalidUTF8(at index: Int) -> JSONParseError {
        JSONParseError("invalid UTF-8 sequence starting with \(describe(bytes[index]))", at: index)
    }
}
