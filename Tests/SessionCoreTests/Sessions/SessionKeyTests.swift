@testable import SessionCore
import Testing

/// Session ids as dictionary keys: hashed by their tail, compared byte for byte.
@Suite struct SessionKeyTests {
    @Test func idsThatDifferAnywhereAreDifferentKeys() {
        let id = SessionID.make()
        var twin = Array(id.utf8)
        twin[0] = twin[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let other = String(decoding: twin, as: UTF8.self)
        #expect(SessionKey(id) != SessionKey(other))
        // The same text from another storage is the same key, with the same hash.
        let copy = String(decoding: Array(id.utf8), as: UTF8.self)
        #expect(SessionKey(id) == SessionKey(copy))
        #expect(SessionKey(id).hashValue == SessionKey(copy).hashValue)
    }

    /// `String` calls these two equal (the Kelvin sign is canonically a K); as keys they are
    /// not, so a client's id never matches another id by normalization.
    @Test func keysCompareBytesNotCanonicalEquivalence() {
        #expect("K" == "\u{212A}")
        #expect(SessionKey("K") != SessionKey("\u{212A}"))
        #expect(SessionKey("") == SessionKey(""))
        #expect(SessionKey("abc") != SessionKey("abcd"))
    }

    @Test func aDictionaryOfManyIdsFindsEachAndOnlyThem() {
        var index: [SessionKey: Int] = [:]
        let ids = (0..<5_000).map { _ in SessionID.make() } + ["short", "", "x"]
        for (position, id) in ids.enumerated() { index[SessionKey(id)] = position }
        #expect(index.count == ids.count)
        for (position, id) in ids.enumerated() { #expect(index[SessionKey(id)] == position) }
        #expect(index[SessionKey(SessionID.make())] == nil)
    }
}
