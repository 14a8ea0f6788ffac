import Foundation

/// UTC timestamps as text, computed with integer arithmetic.
///
/// Every start formats a few of these (the wire's `startedAt` and `createdTime`, the log line, the
/// store's columns); Foundation's formatters cost more than the rest of a guest start together.
public enum Timestamp {
    /// A date's UTC calendar fields, to the nearest millisecond.
    public struct Fields: Sendable, Equatable {
        public var year: Int
        public var month: Int
        public var day: Int
        public var hour: Int
        public var minute: Int
        public var second: Int
        public var millisecond: Int

        public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.millisecond = millisecond
        }
    }

    /// `2026-11-25T14:00:00Z`: ISO 8601 in UTC with a `Z`, as every timestamp on the wire.
    public static func iso8601(_ date: Date) -> String {
        string(date, .iso8601)
    }

    /// `2026-11-25T14:00:00.123Z`, for log lines.
    public static func iso8601Milliseconds(_ date: Date) -> String {
        string(date, .iso8601Milliseconds)
    }

    /// `2026-11-25 14:00:00.123`, the text SQLite's date functions (and GRDB) read.
    public static func sqlText(_ date: Date) -> String {
        string(date, .sql)
    }

    /// The three forms: the separator between date and time, milliseconds or not, `Z` or not.
    public enum Format: Sendable {
        case iso8601, iso8601Milliseconds, sql

        var separator: UInt8 { self == .sql ? UInt8(ascii: " ") : UInt8(ascii: "T") }
        var milliseconds: Bool { self != .iso8601 }
        var zulu: Bool { self != .sql }
    }

    private static func string(_ date: Date, _ format: Format) -> String {
        var text = ""
        withText(date, format) { text = String(decoding: $0, as: UTF8.self) }
        return text
    }

    /// The text of `date` in `format`, as UTF-8 bytes that live only during `body`: the wire's
    /// timestamps go into replies and Lua tables this way, and the store's are bound into SQLite,
    /// without a heap `String` each (a 20-byte `String` is too long to be stored inline, and
    /// every start wrote five). Generic, and inlined into its callers around `withText`, which is
    /// not: nothing is instantiated at run time for a timestamp.
    @inlinable
    public static func withUTF8<Result>(
        _ date: Date, _ format: Format, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        var result: Result?
        try withText(date, format) { result = try body($0) }
        return result!
    }

    /// Reads `sqlText`'s format back (`yyyy-MM-dd HH:mm:ss` with an optional `.SSS`); `nil` for
    /// anything else.
    public static func parseSQLText(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 19 || bytes.count == 23, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
            else { return nil }
            func number(_ start: Int, _ count: Int) -> Int? {
                var value = 0
                for index in start..<start + count {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            var millisecond = 0
            if bytes.count == 23 {
                guard bytes[19] == UInt8(ascii: "."), let parsed = number(20, 3) else { return nil }
                millisecond = parsed
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2)
            else { return nil }
            return date(
                from: Fields(
                    year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                    millisecond: millisecond
                )
            )
        }
    }

    public static func fields(of date: Date) -> Fields {
        // A Date is a Double since 2001, so 1970 + 0.46 s may read 0.45999…: the fraction is
        // rounded to the nearest millisecond, as Foundation's formatters do.
        let interval = date.timeIntervalSince1970
        let seconds = interval.rounded(.down)
        let milliseconds = Int64(seconds) * 1000 + Int64(((interval - seconds) * 1000).rounded())
        let (days, millisecondOfDay) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let secondOfDay = Int(millisecondOfDay / 1000)
        return Fields(
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60, millisecond: Int(millisecondOfDay % 1000)
        )
    }

    /// The instant of UTC calendar fields; `nil` when a field is out of its range.
    public static func date(from fields: Fields) -> Date? {
        guard (1...12).contains(fields.month), (1...31).contains(fields.day), (0...23).contains(fields.hour),
            (0...59).contains(fields.minute), (0...60).contains(fields.second), (0...999).contains(fields.millisecond)
        else { return nil }
        let days = daysFromCivil(year: fields.year, month: fields.month, day: fields.day)
        let seconds = days * 86_400 + Int64(fields.hour * 3600 + fields.minute * 60 + fields.second)
        return Date(timeIntervalSince1970: Double(seconds * 1000 + Int64(fields.millisecond)) / 1000)
    }

    /// The longest text: four-digit year, milliseconds and `Z`.
    private static let maximumLength = 24

    @usableFromInline
    static func withText(_ date: Date, _ format: Format, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let (separator, milliseconds, zulu) = (format.separator, format.milliseconds, format.zulu)
        let fields = fields(of: date)
        guard (0...9999).contains(fields.year) else {
            // Outside four digits: rare enough for the slow path.
            var text = String(format: "%04d-%02d-%02d%@%02d:%02d:%02d", fields.year, fields.month, fields.day,
                              String(UnicodeScalar(separator)), fields.hour, fields.minute, fields.second)
                + (milliseconds ? String(format: ".%03d", fields.millisecond) : "") + (zulu ? "Z" : "")
            try text.withUTF8(body)
            return
        }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { buffer in
            var index = 0
            func put(_ value: Int, digits: Int) {
                var remaining = value
                for position in stride(from: index + digits - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
                index += digits
            }
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            put(fields.year, digits: 4)
            put(UInt8(ascii: "-"))
            put(fields.month, digits: 2)
            put(UInt8(ascii: "-"))
            put(fields.day, digits: 2)
            put(separator)
            put(fields.hour, digits: 2)
            put(UInt8(ascii: ":"))
            put(fields.minute, digits: 2)
            put(UInt8(ascii: ":"))
            put(fields.second, digits: 2)
            if milliseconds {
                put(UInt8(ascii: "."))
                put(fields.millisecond, digits: 3)
            }
            if zulu { put(UInt8(ascii: "Z")) }
            try body(UnsafeBufferPointer(rebasing: buffer[..<index]))
        }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    // Proleptic Gregorian calendar, from http://howardhinnant.github.io/date_algorithms.html
    private static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let year = Int64(month <= 2 ? year - 1 : year)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
