import NetworkAddresses
import ArgumentParser
import Foundation
import Logging

/// Parsing of `serve`'s option values (SPEC §1). Every bad value is a usage error (exit 2)
/// whose message names the option and shows what was expected.
enum OptionValues {
    /// `250ms`, `1s`, `1.5s`, `1m`; must be positive.
    static func duration(_ text: String, option: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 1e-3), ("s", 1), ("m", 60)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let value = decimal(number), value > 0 {
                let nanoseconds = (value * seconds * 1e9).rounded()
                if nanoseconds >= 1, nanoseconds < 1e18 { return .nanoseconds(Int64(nanoseconds)) }
            }
            break
        }
        throw ValidationError("Invalid value '\(text)' for \(option): expected a duration such as 250ms, 1s or 1m")
    }

    /// `32MiB`, `512KiB`, `1GiB`, or a plain number of bytes; must be positive.
    static func size(_ text: String, option: String) throws -> Int {
        let units: [(String, Double)] = [("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024 * 1024 * 1024), ("B", 1), ("", 1)]
        for (suffix, bytes) in units where text.hasSuffix(suffix) {
            if let value = decimal(text.dropLast(suffix.count)), value > 0 {
                let total = (value * bytes).rounded()
                if total >= 1, total < 1e15 { return Int(total) }
            }
            break
        }
        throw ValidationError("Invalid value '\(text)' for \(option): expected a size such as 512KiB, 32MiB or 1GiB")
    }

    /// `https://app.example.com,https://admin.example.com`: each a scheme and a host, with an
    /// optional port, and nothing after it (browsers send origins in that form).
    static func origins(_ text: String, option: String) throws -> [String] {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { throw ValidationError("Invalid value '\(text)' for \(option): expected origins such as https://app.example.com") }
        for entry in entries {
            let parts = entry.components(separatedBy: "://")
            let host = parts.count == 2 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "/")) : ""
            guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
                  !host.isEmpty, !host.contains("/")
            else {
                throw ValidationError("Invalid value '\(entry)' for \(option): expected an origin such as https://app.example.com")
            }
        }
        return entries
    }

    /// `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, in any case.
    static func bool(_ text: String, option: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ValidationError("Invalid value '\(text)' for \(option): expected true or false")
        }
    }

    /// A whole number within `range`.
    static func integer(_ text: String, option: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError("Invalid value '\(text)' for \(option): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `debug`, `info`, `warn`, `error`.
    static func logLevel(_ text: String, option: String) throws -> Logger.Level {
        switch text.lowercased() {
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warning
        case "error": return .error
        default: throw ValidationError("Invalid value '\(text)' for \(option): expected debug, info, warn or error")
        }
    }

    /// `text` or `json`.
    static func logFormat(_ text: String, option: String) throws -> LogFormat {
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw ValidationError("Invalid value '\(text)' for \(option): expected text or json")
        }
        return format
    }

    /// Digits with an optional fraction: no sign, exponent, or spaces.
    private static func decimal(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.first != ".", text.last != ".",
              text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              text.filter({ $0 == "." }).count <= 1
        else { return nil }
        return Double(text)
    }

    /// `--http-allow`: hosts, `*.domain`, `HOST:PORT`, addresses and CIDRs, comma-separated.
    static func httpAllow(_ text: String, option: String) throws -> HTTPAllowList {
        do {
            return try HTTPAllowList(text)
        } catch {
            throw ValidationError("Invalid value for \(option): \(error.description)")
        }
    }
}
