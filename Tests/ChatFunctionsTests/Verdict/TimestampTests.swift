import ChatFunctions
import Foundation
import Testing

/// The arithmetic formatter against Foundation's, over dates spread across four centuries.
@Suite struct TimestampTests {
    static let dates: [Date] = {
        var generator = SplitMix64(seed: 20261125)
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.001), Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: 4_107_542_399.999), Date(timeIntervalSince1970: -2_208_988_800),
        ]
        for _ in 0..<20_000 {
            // 1900 to 2300, to the millisecond.
            let milliseconds = Int64(generator.next() % 12_623_040_000_000) - 2_208_988_800_000
            dates.append(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }
        return dates
    }()

    @Test func iso8601MatchesFoundation() {
        let foundation = ISO8601DateFormatter()
        for date in Self.dates {
            let expected = foundation.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
            if Timestamp.iso8601(date) != expected {
                Issue.record("\(date.timeIntervalSince1970): \(Timestamp.iso8601(date)) != \(expected)")
                return
            }
        }
    }

    /// The bytes the wire and the store take on the stack are the text's, in both forms.
    @Test func stackTextIsTheStringsText() {
        for date in Self.dates.prefix(2_000) {
            let iso = Timestamp.withUTF8(date, .iso8601) { String(decoding: $0, as: UTF8.self) }
            let sql = Timestamp.withUTF8(date, .sql) { String(decoding: $0, as: UTF8.self) }
            guard iso == Timestamp.iso8601(date), sql == Timestamp.sqlText(date), iso.utf8.count == 20, sql.utf8.count == 23 else {
                Issue.record("\(date.timeIntervalSince1970): \(iso) / \(sql)")
                return
            }
        }
    }

    /// A year past four digits takes the slow path, with the same separators and suffix.
    @Test func aFiveDigitYearIsWrittenWhole() {
        let date = Date(timeIntervalSince1970: 253_402_300_800.5)  // 10000-01-01T00:00:00.500Z
        #expect(Timestamp.iso8601(date) == "10000-01-01T00:00:00Z")
        #expect(Timestamp.iso8601Milliseconds(date) == "10000-01-01T00:00:00.500Z")
        #expect(Timestamp.sqlText(date) == "10000-01-01 00:00:00.500")
        #expect(Timestamp.withUTF8(date, .iso8601) { String(decoding: $0, as: UTF8.self) } == "10000-01-01T00:00:00Z")
    }

    @Test func millisecondsAndSQLTextMatchFoundation() {
        let iso = DateFormatter()
        iso.locale = Locale(identifier: "en_US_POSIX")
        iso.timeZone = TimeZone(secondsFromGMT: 0)
        iso.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        let sql = DateFormatter()
        sql.locale = iso.locale
        sql.timeZone = iso.timeZone
        sql.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        for date in Self.dates {
            // Foundation rounds to the nearest millisecond; exact milliseconds make that moot.
            let exact = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
            guard Timestamp.iso8601Milliseconds(exact) == iso.string(from: exact),
                Timestamp.sqlText(exact) == sql.string(from: exact)
            else {
                Issue.record("\(exact.timeIntervalSince1970): \(Timestamp.sqlText(exact)) != \(sql.string(from: exact))")
                return
            }
        }
    }

    @Test func sqlTextReadsBackToTheMillisecond() {
        for date in Self.dates {
            let text = Timestamp.sqlText(date)
            let read = Timestamp.parseSQLText(text)
            guard let read, Timestamp.sqlText(read) == text,
                abs(read.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001
            else {
                Issue.record("\(text) read back as \(String(describing: read))")
                return
            }
        }
        #expect(Timestamp.parseSQLText("2024-02-29 12:00:00") == Date(timeIntervalSince1970: 1_709_208_000))
    }

    @Test(arguments: ["", "2024-02-29", "2024-02-29T12:00:00.000", "2024-13-01 00:00:00", "2024-02-29 12:00:00.0a0", "2024-02-29 25:00:00"])
    func otherTextIsNotReadAsSQLText(text: String) {
        #expect(Timestamp.parseSQLText(text) == nil)
    }
}

/// A small deterministic generator, so that a failure can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
