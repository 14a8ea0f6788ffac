/// Encodes the client's WebSocket frames (RFC 6455 §5.2) into one buffer reused for every
/// frame: FIN set, the payload length in its 7-, 16- or 64-bit form, and masked, as a client
/// must, with a key per frame from a cheap generator (SplitMix64). The key only has to vary;
/// nothing here needs it to be unpredictable.
struct FrameEncoder {
    enum Opcode: UInt8 {
        case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
    }

    /// The last frame encoded.
    private(set) var bytes: [UInt8] = []
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
        bytes.reserveCapacity(1024)
    }

    mutating func encode(_ opcode: Opcode, payload: UnsafeRawBufferPointer) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(0x80 | opcode.rawValue)
        let count = payload.count
        if count < 126 {
            bytes.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            bytes.append(0x80 | 126)
            bytes.append(UInt8(count >> 8))
            bytes.append(UInt8(count & 0xFF))
        } else {
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF))
            }
        }
        let key = nextKey()
        // The key's bytes go out most significant first; payload byte i is masked with key byte i % 4.
        func keyByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: key >> UInt32(24 - 8 * (index & 3))) }
        for index in 0..<4 {
            bytes.append(keyByte(index))
        }
        for index in 0..<count {
            bytes.append(payload[index] ^ keyByte(index))
        }
    }

    /// A 32-bit masking key (SplitMix64's output, high half).
    private mutating func nextKey() -> UInt32 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: (z ^ (z >> 31)) >> 32)
    }
}
