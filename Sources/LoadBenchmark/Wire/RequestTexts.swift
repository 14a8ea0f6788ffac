/// The request messages the tool sends (SPEC §2), built as text once per run: the load tool
/// should spend its CPU on sending load, not on encoding JSON.
struct RequestTexts: Sendable {
    /// The `ref` of every `startSession`; replies are matched by it.
    static let startRef = "s"
    /// The `ref` of every `endSession`.
    static let endRef = "e"

    /// `{"op":"endSession","ref":"e"}`, or a ping with that ref.
    let end: String
    private let authParams: String?
    private let pingOnly: Bool

    init(start: BenchmarkOptions.StartKind, password: String) {
        pingOnly = start == .ping
        end = pingOnly ? #"{"op":"ping","ref":"\#(Self.endRef)"}"# : #"{"op":"endSession","ref":"\#(Self.endRef)"}"#
        switch start {
        case .guest, .ping: authParams = nil
        case .password: authParams = #"{"password":\#(Self.jsonString(password))}"#
        }
    }

    /// The `startSession` for one username (which the options keep free of characters that need
    /// escaping), or a ping with the start's ref.
    func start(username: String) -> String {
        if pingOnly { return #"{"op":"ping","ref":"\#(Self.startRef)"}"# }
        let head = #"{"op":"startSession","ref":"\#(Self.startRef)","username":\#(Self.jsonString(username))"#
        guard let authParams else { return head + "}" }
        return head + #","authParams":\#(authParams)}"#
    }

    /// A JSON string literal of any text.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
