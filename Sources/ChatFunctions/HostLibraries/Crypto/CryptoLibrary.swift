import Crypto
import LuaRuntime
import _CryptoExtras

/// The `crypto` global of SPEC §3, on swift-crypto. Strings are bytes in and
/// out; digests and derived keys are raw bytes (wrap them in `crypto.hex` or
/// `base64.encode` to print them).
///
/// | function | returns |
/// |---|---|
/// | `sha256(s)` | the 32-byte SHA-256 digest |
/// | `hmac_sha256(key, s)` | the 32-byte HMAC-SHA-256 of `s` under `key` |
/// | `hex(s)` | the bytes as lowercase hex |
/// | `equals(a, b)` | whether two strings are equal, in time that does not depend on where they differ |
/// | `random(n)` | `n` bytes from the system CSPRNG, 1 ≤ n ≤ 4096 |
/// | `pbkdf2_sha256(password, salt, iterations, length)` | a `length`-byte PBKDF2-HMAC-SHA-256 key |
///
/// Host functions bound their own work: the Lua time limit cannot interrupt
/// Swift code. `pbkdf2_sha256` accepts 1 ≤ iterations ≤ 1,000,000 and
/// 1 ≤ length ≤ 1024, and at most 1,000,000 HMAC block computations in total
/// (iterations × ⌈length / 32⌉), about a second of one core; anything past
/// that raises. The hashes run over strings already in the state, so the
/// memory limit bounds them.
public enum CryptoLibrary {
    /// The most bytes `crypto.random` returns in one call.
    public static let maxRandomBytes = 4096
    /// The most iterations `crypto.pbkdf2_sha256` runs.
    public static let maxPBKDF2Iterations = 1_000_000
    /// The longest key `crypto.pbkdf2_sha256` derives.
    public static let maxPBKDF2Length = 1024
    /// The most PBKDF2 work in one call: iterations × ⌈length / 32⌉.
    public static let maxPBKDF2Work = 1_000_000

    /// Defines the read-only `crypto` global in `lua`.
    public static func install(into lua: LuaState) throws(LuaError) {
        try lua.defineLibrary("crypto", functions: [
            "sha256": sha256,
            "hmac_sha256": hmacSHA256,
            "hex": hex,
            "equals": equals,
            "random": random,
            "pbkdf2_sha256": pbkdf2SHA256,
        ])
    }

    static func sha256(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let message = try args.string(1)
        results.push(bytes: Array(SHA256.hash(data: message.bytes)))
    }

    static func hmacSHA256(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let key = try args.string(1)
        let message = try args.string(2)
        let code = HMAC<SHA256>.authenticationCode(for: message.bytes, using: SymmetricKey(data: key.bytes))
        results.push(bytes: Array(code))
    }

    static func hex(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let digits = Array("0123456789abcdef".utf8)
        let bytes = try args.string(1).bytes
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        results.push(bytes: text)
    }

    static func equals(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let a = try args.string(1).bytes
        let b = try args.string(2).bytes
        results.push(ConstantTime.equals(a, b))
    }

    static func random(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let count = try args.integer(1)
        guard (1...Int64(maxRandomBytes)).contains(count) else {
            throw args.argumentError(1, "byte count must be between 1 and \(maxRandomBytes), got \(count)")
        }
        // SystemRandomNumberGenerator is the OS CSPRNG (getrandom on Linux,
        // arc4random on Darwin), documented as cryptographically secure.
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(count) + 7)
        while bytes.count < Int(count) {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        results.push(bytes: bytes.prefix(Int(count)))
    }

    static func pbkdf2SHA256(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let password = try args.string(1)
        let salt = try args.string(2)
        let iterations = try args.integer(3)
        let length = try args.integer(4)
        guard (1...Int64(maxPBKDF2Iterations)).contains(iterations) else {
            throw args.argumentError(3, "iterations must be between 1 and \(maxPBKDF2Iterations), got \(iterations)")
        }
        guard (1...Int64(maxPBKDF2Length)).contains(length) else {
            throw args.argumentError(4, "length must be between 1 and \(maxPBKDF2Length), got \(length)")
        }
        let blocks = (length + 31) / 32
        guard iterations * blocks <= Int64(maxPBKDF2Work) else {
            throw LuaHostError(
                "crypto.pbkdf2_sha256: too much work: iterations × ⌈length / 32⌉ is \(iterations * blocks), at most \(maxPBKDF2Work) allowed"
            )
        }
        do {
            // The checked variant refuses fewer than 210,000 rounds; scripts
            // may need fewer to check hashes made elsewhere, and the bounds
            // above already keep the cost in hand.
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: password.bytes, salt: salt.bytes, using: .sha256,
                outputByteCount: Int(length), unsafeUncheckedRounds: Int(iterations)
            )
            key.withUnsafeBytes { results.push(bytes: $0) }
        } catch {
            throw LuaHostError("crypto.pbkdf2_sha256: key derivation failed: \(error)")
        }
    }
}
