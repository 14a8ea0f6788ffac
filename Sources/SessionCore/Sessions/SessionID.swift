import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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
/// one. The random bits are the kernel's, taken a few kilobytes at a time: a `getrandom` call
/// per id was a measurable part of a start.
enum SessionID {
    static func make(at date: Date = Date()) -> String {
        let random = RandomPool.shared.next()
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let high = milliseconds << 16 | 0x7000 | random.0 & 0x0FFF
        let low = random.1 & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { text in
            var index = 0
            func hex(_ value: UInt64, nibbles: Range<Int>) {
                for nibble in nibbles {
                    text[index] = digits[Int(value >> (60 - 4 * UInt64(nibble)) & 0xF)]
                    index += 1
                }
            }
            func dash() {
                text[index] = UInt8(ascii: "-")
                index += 1
            }
            hex(high, nibbles: 0..<8)
            dash()
            hex(high, nibbles: 8..<12)
            dash()
            hex(high, nibbles: 12..<16)
            dash()
            hex(low, nibbles: 0..<4)
            dash()
            hex(low, nibbles: 4..<16)
            return index
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Kernel randomness, read 4 KiB at a time from `/dev/urandom` (kept open) and handed out 16
/// bytes at a time; each byte is handed out once.
final class RandomPool: Sendable {
    static let shared = RandomPool()

    private let device: Int32 = {
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        precondition(descriptor >= 0, "cannot open /dev/urandom: \(errno)")
        return descriptor
    }()

    private struct Buffer {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512
    }

    private let buffer = Mutex(Buffer())

    func next() -> (UInt64, UInt64) {
        buffer.withLock { buffer in
            if buffer.next + 2 > buffer.words.count {
                buffer.words.withUnsafeMutableBytes { bytes in
                    var filled = 0
                    while filled < bytes.count {
                        let got = read(device, bytes.baseAddress! + filled, bytes.count - filled)
                        if got > 0 { filled += got } else if got == 0 || errno != EINTR { fatalError("reading /dev/urandom failed: \(errno)") }
                    }
                }
                buffer.next = 0
            }
            defer { buffer.next += 2 }
            return (buffer.words[buffer.next], buffer.words[buffer.next + 1])
        }
    }
}

/// A session id as a dictionary key (the registry, the history's pending rows), hashed by its
/// last eight bytes and compared byte for byte.
///
/// Every start and end looks a session up by id a few times, and hashing the whole 36-byte
/// string each time was a measurable part of the loops' work. The last eight characters of a
/// version-7 id are 32 of its random bits, so they spread keys as well as the whole id would.
/// Byte equality, not `String`'s canonical equivalence, keeps equal keys' hashes equal for any
/// id a client sends.
struct SessionKey: Hashable, Sendable {
    let id: String

    init(_ id: String) {
        self.id = id
    }

    static func == (lhs: SessionKey, rhs: SessionKey) -> Bool {
        let equal = lhs.id.utf8.withContiguousStorageIfAvailable { left in
            rhs.id.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
        if let equal = equal ?? nil { return equal }
        return lhs.id.utf8.elementsEqual(rhs.id.utf8)
    }

    func hash(into hasher: inout Hasher) {
        if id.utf8.withContiguousStorageIfAvailable({ Self.combineTail(of: $0, into: &hasher) }) == nil {
            Array(id.utf8).withUnsafeBufferPointer { Self.combineTail(of: $0, into: &hasher) }
        }
    }

    private static func combineTail(of bytes: UnsafeBufferPointer<UInt8>, into hasher: inout Hasher) {
        if bytes.count >= 8 {
            hasher.combine(UnsafeRawPointer(bytes.baseAddress! + bytes.count - 8).loadUnaligned(as: UInt64.self))
        } else {
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        hasher.combine(bytes.count)
    }
}
