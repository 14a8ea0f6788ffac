extension JSONValue {
    /// Compact JSON text (no spaces), object keys in stored order.
    ///
    /// Never fails: a non-finite double (which JSON cannot express) is written
    /// as `null`. Use ``encodedStrict()`` to refuse such values instead.
    public func encoded() -> String {
        String(decoding: encodedBytes(), as: UTF8.self)
    }

    /// ``encoded()`` as UTF-8 bytes, ready for a socket.
    public func encodedBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// Compact JSON text like ``encoded()``, but refuses non-finite doubles.
    public func encodedStrict() throws(JSONEncodingError) -> String {
        var writer = JSONWriter()
        writer.write(self)
        if writer.sawNonFinite, let (path, number) = firstNonFinite() {
            throw JSONEncodingError(message: "cannot encode \(number) at \(path)", path: path)
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The path and value of the first non-finite double, depth first.
    private func firstNonFinite() -> (path: String, number: Double)? {
        var pending: [(value: JSONValue, path: String)] = [(self, "$")]
        while let (value, path) = pending.popLast() {
            switch value {
            case .double(let number) where !number.isFinite:
                return (path, number)
            case .array(let elements):
                for (index, element) in elements.enumerated().reversed() {
                    pending.append((element, "\(path)[\(index)]"))
                }
            case .object(let object):
                for (key, member) in object.reversed() {
                    pending.append((member, path + Self.pathStep(key)))
                }
            default:
                break
            }
        }
        return nil
    }

    /// `.key` for identifier-like keys, `["any other key"]` otherwise.
    private static func pathStep(_ key: String) -> String {
        func isWordByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
        guard let first = key.utf8.first, first > UInt8(ascii: "9"), key.utf8.allSatisfy(isWordByte) else {
            return "[\(JSONValue.string(key).encoded())]"
        }
        return ".\(key)"
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { encoded() }
}
