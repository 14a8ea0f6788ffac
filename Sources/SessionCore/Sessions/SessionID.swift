import Foundation

/// Session ids: time-ordered (version 7) UUIDs in lowercase: 48 bits of the Unix time in
/// milliseconds, then 74 random bits.
///
/// Time-ordered because every store keeps its sessions in an index on the id: random ids put
/// each start on a random leaf page of it, and on PostgreSQL each such page's first change after
/// a checkpoint writes the whole page to the WAL; ids in start order all land on the last pages.
/// 74 random bits still make an id unguessable (ids are not credentials anyway: ending or
/// revoking a session takes its connection or the admin token).
///
/// Made here rather than with Foundation's `UUID()`, which opens and reads /dev/urandom for each
/// one; `SystemRandomNumberGenerator` is the same kernel randomness through one `getrandom` call.
enum SessionID {
    static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let high = milliseconds << 16 | 0x7000 | generator.next() & 0x0FFF
        let low = generator.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        appendHex(high, to: &bytes, dashesAfter: [8, 12])
        bytes.append(UInt8(ascii: "-"))
        appendHex(low, to: &bytes, dashesAfter: [4])
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func appendHex(_ value: UInt64, to bytes: inout [UInt8], dashesAfter: [Int]) {
        for index in 0..<16 {
            if dashesAfter.contains(index) { bytes.append(UInt8(ascii: "-")) }
            bytes.append(digits[Int(value >> (60 - 4 * UInt64(index)) & 0xF)])
        }
    }
}
