/// Session ids: random (version 4) UUIDs in lowercase.
///
/// Made here rather than with Foundation's `UUID()`, which opens and reads /dev/urandom for each
/// one; `SystemRandomNumberGenerator` is the same kernel randomness through one `getrandom` call.
enum SessionID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
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
