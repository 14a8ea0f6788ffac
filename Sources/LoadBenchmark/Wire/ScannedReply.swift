/// The few fields of a server message the tool needs (`ref`, `succeeded`, `error.code`,
/// `event`), found by a scan for `"key":` rather than by a JSON parser, to keep the tool's
/// CPU share small. Good enough for the gateway's replies, whose user fields are the tool's
/// own plain usernames; not a general JSON reader.
struct ScannedReply: Sendable, Equatable {
    var ref: String?
    var succeeded: Bool?
    var code: String?
    var event: String?

    init(ref: String? = nil, succeeded: Bool? = nil, code: String? = nil, event: String? = nil) {
        self.ref = ref
        self.succeeded = succeeded
        self.code = code
        self.event = event
    }

    init(scanning text: String) {
        var copy = text
        self = copy.withUTF8 { ScannedReply(scanning: $0) }
    }

    /// Scans UTF-8 bytes in place: the raw transport's frames, without a String per message.
    init(scanning bytes: UnsafeBufferPointer<UInt8>) {
        self.init(
            ref: Self.stringValue(of: "ref", in: bytes),
            succeeded: Self.boolValue(of: "succeeded", in: bytes),
            code: Self.stringValue(of: "code", in: bytes),
            event: Self.stringValue(of: "event", in: bytes)
        )
    }

    /// The error label of a failed reply: its code, or a note that it had none.
    var failureLabel: String {
        code ?? "reply_without_code"
    }

    private static func stringValue(of key: String, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard var index = valueStart(of: key, in: bytes), index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard index < bytes.count else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private static func boolValue(of key: String, in bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let index = valueStart(of: key, in: bytes), index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    /// The index just after `"key"`, whitespace, `:` and whitespace, at the first occurrence
    /// of the quoted key that is followed by a colon (so a value equal to the key is skipped).
    private static func valueStart(of key: String, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let pattern = Array("\"\(key)\"".utf8)
        var at = 0
        while at + pattern.count <= bytes.count {
            if bytes[at] == pattern[0], matches(pattern, in: bytes, at: at) {
                var index = skipSpace(in: bytes, from: at + pattern.count)
                if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                    index = skipSpace(in: bytes, from: index + 1)
                    return index
                }
            }
            at += 1
        }
        return nil
    }

    private static func matches(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        for offset in pattern.indices where bytes[start + offset] != pattern[offset] {
            return false
        }
        return true
    }

    private static func skipSpace(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return index
    }
}
