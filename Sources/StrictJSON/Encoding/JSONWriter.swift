/// Writes compact JSON into a byte buffer.
///
/// Recursive over containers: values come from the parser (depth-limited)
/// or from code that builds them, and a value too deep to write would be
/// too deep to deallocate as well.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Set when a non-finite double was written as `null`.
    private(set) var sawNonFinite = false

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        sawNonFinite = false
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null:
            append("null")
        case .bool(let flag):
            append(flag ? "true" : "false")
        case .integer(let number):
            writeInteger(number)
        case .double(let number):
            writeDouble(number)
        case .string(let text):
            writeString(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                write(member)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    mutating func append(_ literal: StaticString) {
        // Most literals here are a byte or two (`{`, `,`, `":`): appended byte by byte, they
        // skip the bulk append's checks, which cost more than the bytes.
        let count = literal.utf8CodeUnitCount
        if count <= 2 {
            guard count > 0 else { return }
            bytes.append(literal.utf8Start.pointee)
            if count == 2 { bytes.append(literal.utf8Start[1]) }
            return
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: count))
    }

    mutating func writeInteger(_ number: Int64) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude != 0
        // Swapped in place: reversing `bytes[start...]` went through a copy of the slice.
        var low = start
        var high = bytes.count - 1
        while low < high {
            bytes.swapAt(low, high)
            low += 1
            high -= 1
        }
    }

    /// Shortest round-trip form, always recognisable as a float: Swift's
    /// `description` gives `3.0`, `0.5`, `1e-07`, `1e+20`, all valid JSON.
    private mutating func writeDouble(_ number: Double) {
        guard number.isFinite else {
            sawNonFinite = true
            append("null")
            return
        }
        let text = number.description
        var hasFloatMarker = false
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") { hasFloatMarker = true }
        }
        if !hasFloatMarker { append(".0") }  // defensive: keep the value a double on re-parse
    }

    /// Escapes `"`, `\` and U+0000–U+001F; everything else, `/` and non-ASCII
    /// included, is copied as is (Swift strings are always valid UTF-8).
    mutating func writeString(_ text: String) {
        var text = text  // `withUTF8` is mutating: it may first make the storage contiguous
        text.withUTF8 { writeString(utf8: $0) }
    }

    mutating func writeString(utf8 text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        writeEscaped(text)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        while true {
            index = ByteScan.skipPlain(utf8, from: index, orNonASCII: false)
            guard index < utf8.count else { break }
            let byte = utf8[index]
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            writeEscape(for: byte)
            index += 1
            runStart = index
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
    }

    private mutating func writeEscape(for byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            append("\\u00")
            bytes.append(hexDigits.utf8Start[Int(byte >> 4)])
            bytes.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }
}
