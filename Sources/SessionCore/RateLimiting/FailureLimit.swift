/// How many failed starts one key (a username or a remote address) may have within a window
/// (`--username-failure-limit`, `--address-failure-limit`).
public struct FailureLimit: Sendable, Equatable, CustomStringConvertible {
    /// Failed starts allowed within `window`; the next start is refused. At least 1.
    public var count: Int
    /// The span over which failures are counted; positive.
    public var window: Duration

    public init(count: Int, window: Duration) {
        self.count = count
        self.window = window
    }

    /// `"10/1m"`, `"3/30s"`, `"100/500ms"` → a limit; `"off"` → `nil`.
    /// - Throws: `FailureLimitParseError` for anything else (a usage error).
    public static func parse(_ text: String) throws -> FailureLimit? {
        if text == "off" { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let count = Int(decimal: parts[0]), count >= 1,
            let window = parseWindow(parts[1])
        else { throw FailureLimitParseError(text: text) }
        return FailureLimit(count: count, window: window)
    }

    /// The form `parse` accepts, e.g. `10/1m`.
    public var description: String {
        let milliseconds = window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000
        let unit: String =
            if milliseconds % 60_000 == 0 { "\(milliseconds / 60_000)m" }
            else if milliseconds % 1000 == 0 { "\(milliseconds / 1000)s" }
            else { "\(milliseconds)ms" }
        return "\(count)/\(unit)"
    }

    private static func parseWindow(_ text: Substring) -> Duration? {
        let units: [(suffix: String, milliseconds: Int)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let amount = Int(decimal: text.dropLast(suffix.count)), amount >= 1 else { return nil }
            let (milliseconds, overflow) = amount.multipliedReportingOverflow(by: scale)
            return overflow ? nil : .milliseconds(milliseconds)
        }
        return nil
    }
}

/// A `--…-failure-limit` value that is neither `COUNT/DURATION` nor `off`.
public struct FailureLimitParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String

    public var description: String {
        "invalid failure limit \"\(text)\": expected COUNT/DURATION with a count of at least 1 and a duration in ms, s or m (e.g. 10/1m, 3/30s, 100/500ms), or off"
    }
}

extension Int {
    /// Plain ASCII digits only: `Int("+5")` would accept a sign.
    fileprivate init?(decimal text: Substring) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        self.init(text)
    }
}
