extension JSONValue {
    /// Why a value could not be written as JSON.
    public struct EncodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What went wrong, for a person.
        public let description: String
    }

    /// Compact JSON text of this value, object keys sorted.
    ///
    /// Fails only for a `double` that is NaN or infinite, which JSON cannot express.
    public func jsonText() throws(EncodingError) -> String {
        var output = ""
        try write(to: &output, ranking: [:])
        return output
    }

    /// Compact JSON text with the keys named in `keyOrder` first, in that order, at every
    /// level, and the other keys sorted after them.
    public func jsonText(keyOrder: [String]) throws(EncodingError) -> String {
        var output = ""
        let ranking = Dictionary(keyOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        try write(to: &output, ranking: ranking)
        return output
    }

    private func write(to output: inout String, ranking: [String: Int]) throws(EncodingError) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .integer(let value):
            output += String(value)
        case .double(let value):
            guard value.isFinite else {
                throw EncodingError(description: "\(value) is not a JSON number")
            }
            // Swift prints the shortest text that reads back to the same double, and
            // keeps ".0" on whole values, so a float stays a float on the other side.
            output += value.description
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                try element.write(to: &output, ranking: ranking)
            }
            output += "]"
        case .object(let members):
            output += "{"
            let keys = members.keys.sorted { left, right in
                let (leftRank, rightRank) = (ranking[left] ?? Int.max, ranking[right] ?? Int.max)
                return leftRank != rightRank ? leftRank < rightRank : left < right
            }
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                try members[key]!.write(to: &output, ranking: ranking)
            }
            output += "}"
        }
    }

    private static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension JSONValue: CustomStringConvertible {
    /// The JSON text, or a note when the value holds a number JSON cannot express.
    public var description: String {
        (try? jsonText()) ?? "<not JSON: non-finite number>"
    }
}

extension JSONValue {
    /// The order SPEC §2's examples give the keys of replies, errors, sessions, users and
    /// events, merged into one ranking; for output that reads like the wire.
    static let wireKeyOrder = [
        "event", "ref", "succeeded", "session", "error", "pong",
        "id", "type", "code", "message", "sessionId", "reason", "retryAfter",
        "startedAt", "user", "name", "displayName", "displayPictureUrl", "isGuest",
        "presence", "status", "online", "properties", "createdTime",
    ]
}
