/// Just enough XML writing for the JUnit report: escaped text and attributes, characters XML
/// 1.0 forbids replaced with U+FFFD, attributes in a stable order.
enum XMLText {
    static func element(_ name: String, _ attributes: [String: String], children: [String]) -> String {
        let open = "<\(name)\(attributeText(attributes))"
        guard !children.isEmpty else { return open + "/>" }
        // One element per line, no indentation: indenting would change the text of messages.
        return open + ">\n" + children.joined(separator: "\n") + "\n</\(name)>"
    }

    static func element(_ name: String, _ attributes: [String: String], text: String) -> String {
        "<\(name)\(attributeText(attributes))>\(escape(text, attribute: false))</\(name)>"
    }

    private static let attributeOrder = ["name", "classname", "file", "line", "tests", "failures", "errors", "skipped",
                                         "time", "message", "type"]

    private static func attributeText(_ attributes: [String: String]) -> String {
        attributes.sorted { rank($0.key) < rank($1.key) || (rank($0.key) == rank($1.key) && $0.key < $1.key) }
            .map { " \($0.key)=\"\(escape($0.value, attribute: true))\"" }
            .joined()
    }

    private static func rank(_ key: String) -> Int { attributeOrder.firstIndex(of: key) ?? attributeOrder.count }

    static func escape(_ text: String, attribute: Bool) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                let allowed = scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}
