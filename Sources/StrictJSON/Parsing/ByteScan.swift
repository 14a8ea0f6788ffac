/// Word-at-a-time scanning over string contents, shared by parser and writer.
///
/// Most string bytes need no attention; testing eight at a time with the
/// classic SWAR tricks ("has a zero byte", "has a byte less than n") lets
/// both sides skip them quickly and fall back to byte-wise work only in the
/// word holding something interesting.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is `"`, `\`, a control character
    /// (below 0x20) or, when `orNonASCII`, 0x80 or above.
    ///
    /// Exact as a yes/no answer; which byte it was is left to the caller.
    @inline(__always)
    static func needsAttention(_ word: UInt64, orNonASCII: Bool) -> Bool {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        var found = (word &- ones &* 0x20) & ~word
        found |= (quote &- ones) & ~quote
        found |= (backslash &- ones) & ~backslash
        if orNonASCII { found |= word }
        return found & highBits != 0
    }

    /// The first index at or after `start` whose 8-byte word needs attention,
    /// or where fewer than 8 bytes remain.
    @inline(__always)
    static func skipPlain(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, orNonASCII: Bool) -> Int {
        guard let base = bytes.baseAddress else { return start }
        var index = start
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if needsAttention(word, orNonASCII: orNonASCII) { break }
            index += 8
        }
        return index
    }
}
