import Foundation

/// Reads typed fields out of a wire object, failing with a protocol error that names
/// the field, so a malformed reply never crashes the client.
struct WireFields {
    let members: JSONObject
    let what: String
    private let isObject: Bool

    init(_ value: JSONValue, what: String) {
        self.members = value.objectValue ?? [:]
        self.what = what
        self.isObject = value.objectValue != nil
    }

    private func missing(_ key: String, _ expected: String) -> SessionGateError {
        isObject
            ? .protocolError("\(what).\(key) is missing or not \(expected)")
            : .protocolError("\(what) is not an object")
    }

    func string(_ key: String) throws(SessionGateError) -> String {
        guard let value = members[key]?.stringValue else { throw missing(key, "a string") }
        return value
    }

    func optionalString(_ key: String) throws(SessionGateError) -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw missing(key, "a string or null")
        }
    }

    func integer(_ key: String) throws(SessionGateError) -> Int64 {
        guard let value = members[key]?.integerValue else { throw missing(key, "an integer") }
        return value
    }

    func bool(_ key: String) throws(SessionGateError) -> Bool {
        guard let value = members[key]?.boolValue else { throw missing(key, "a boolean") }
        return value
    }

    func object(_ key: String) throws(SessionGateError) -> JSONValue {
        guard let value = members[key], value.objectValue != nil else { throw missing(key, "an object") }
        return value
    }

    func date(_ key: String) throws(SessionGateError) -> Date {
        let text = try string(key)
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        throw missing(key, "an ISO 8601 timestamp")
    }
}
