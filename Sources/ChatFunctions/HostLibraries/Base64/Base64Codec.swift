/// Base64 of RFC 4648, binary-safe: bytes in, bytes out.
///
/// Decoding is strict: only the alphabet's characters, no whitespace, `=`
/// only as trailing padding, and the unused bits of the last character must be
/// zero, so every byte string has exactly one accepted encoding (RFC 4648
/// §3.5). That matters for JWT signatures, where a second spelling of the same
/// bytes would let a token change without the signature noticing.
public struct Base64Codec: Sendable {
    /// Standard alphabet (`+`, `/`), padded with `=` (RFC 4648 §4).
    public static let standard = Base64Codec(extra62: UInt8(ascii: "+"), extra63: UInt8(ascii: "/"), padding: .required)
    /// URL- and filename-safe alphabet (`-`, `_`); encodes without padding and
    /// decodes with or without it (RFC 4648 §5).
    public static let url = Base64Codec(extra62: UInt8(ascii: "-"), extra63: UInt8(ascii: "_"), padding: .optional)
    /// URL-safe alphabet, padding refused: the JWS compact serialization (RFC 7515 §2).
    public static let urlUnpadded = Base64Codec(extra62: UInt8(ascii: "-"), extra63: UInt8(ascii: "_"), padding: .forbidden)

    /// What `=` padding the codec writes and accepts.
    public enum Padding: Sendable {
        /// Written on encode; required on decode.
        case required
        /// Not written on encode; accepted on decode when it is correct.
        case optional
        /// Never written, never accepted.
        case forbidden
    }

    private let alphabet: [UInt8]
    private let padding: Padding
    /// Character → 6-bit value; 0xFF for characters outside the alphabet.
    private let lookup: [UInt8]

    private init(extra62: UInt8, extra63: UInt8, padding: Padding) {
        var alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        alphabet.append(extra62)
        alphabet.append(extra63)
        var lookup = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { lookup[Int(character)] = UInt8(value) }
        self.alphabet = alphabet
        self.padding = padding
        self.lookup = lookup
    }

    /// The encoding of `bytes`.
    public func encode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] as [UInt32] { output.append(alphabet[Int(chunk >> shift & 0x3F)]) }
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let chunk = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            if rest == 2 { output.append(alphabet[Int(chunk >> 6 & 0x3F)]) }
            if padding == .required { output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - rest)) }
        }
        return output
    }

    /// The bytes `text` encodes, or why it is not a valid encoding.
    public func decode(_ text: some Collection<UInt8>) throws(Base64DecodingError) -> [UInt8] {
        let input = Array(text)
        let padded = input.count - (input.firstIndex(of: UInt8(ascii: "=")) ?? input.count)
        if padded > 0 {
            guard padding != .forbidden else { throw Base64DecodingError("padding '=' is not allowed", at: input.count - padded) }
            guard padded <= 2, input.suffix(padded).allSatisfy({ $0 == UInt8(ascii: "=") }) else {
                throw Base64DecodingError("'=' is only allowed as padding at the end", at: input.count - padded)
            }
        }
        let data = input.dropLast(padded)

        var output: [UInt8] = []
        output.reserveCapacity(data.count / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var bits = 0
        for (offset, character) in data.enumerated() {
            let value = lookup[Int(character)]
            guard value != 0xFF else {
                throw Base64DecodingError("invalid character \(Self.describe(character))", at: offset)
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }

        if padded > 0, input.count % 4 != 0 {
            throw Base64DecodingError("padded input must be a multiple of 4 characters long")
        } else if padded == 0, padding == .required, data.count % 4 != 0 {
            throw Base64DecodingError("input must be a multiple of 4 characters long (with '=' padding)")
        }
        guard data.count % 4 != 1 else { throw Base64DecodingError("truncated input: a lone character at the end") }
        guard accumulator == 0 else {
            throw Base64DecodingError("the last character has non-zero unused bits", at: data.count - 1)
        }
        return output
    }

    /// A byte for an error message: printable ASCII quoted, anything else in hex.
    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}
