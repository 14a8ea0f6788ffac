/// Comparisons whose running time does not reveal where two secrets differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    ///
    /// An early-exit comparison returns sooner the earlier the first
    /// mismatch, so an attacker who can time many guesses recovers a MAC or
    /// token byte by byte. Here every byte of equal-length inputs is visited
    /// and the differences are OR-ed together, with no branch on the data.
    /// The lengths are compared first and in the open: the length of a MAC,
    /// digest or token is public, and a length check cannot leak content.
    static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
