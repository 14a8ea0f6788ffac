/// A string compared and hashed by its UTF-8 bytes.
///
/// Object keys are told apart byte for byte, as JSON (RFC 8259 §8.3) and Lua
/// do, not by Swift's canonical equivalence: `"é"` precomposed and decomposed
/// are two different keys. Byte comparison is also the cheaper one.
struct UTF8Key: Hashable {
    let string: String

    static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool {
        utf8Equal(lhs.string, rhs.string)
    }

    func hash(into hasher: inout Hasher) {
        hashUTF8(string, into: &hasher)
    }
}

/// Whether two strings hold the same UTF-8 bytes.
@inline(__always)
func utf8Equal(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8, right = rhs.utf8
    guard left.count == right.count else { return false }
    let fast = left.withContiguousStorageIfAvailable { leftBytes in
        right.withContiguousStorageIfAvailable { rightBytes in
            leftBytes.elementsEqual(rightBytes)
        }
    }
    if let fast, let answer = fast { return answer }
    return left.elementsEqual(right)
}

/// Feeds a string's UTF-8 bytes, then a terminator, to `hasher`.
func hashUTF8(_ string: String, into hasher: inout Hasher) {
    let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
    }
    if done == nil {
        for byte in string.utf8 { hasher.combine(byte) }
    }
    hasher.combine(0xFF as UInt8)  // never a UTF-8 byte: keeps ("ab","c") apart from ("a","bc")
}
