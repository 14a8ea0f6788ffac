/// Where a test failed and why.
public struct TestFailure: Error, Sendable, Equatable {
    /// The file Lua named in the error: the test file for a failed assertion, a module or a
    /// function file when the error came from there.
    public var file: String
    /// The line, when Lua gave one (an error raised with level 0 has none).
    public var line: Int?
    /// The message without its position.
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE`, or `FILE` without a line.
    public var location: String { line.map { "\(file):\($0)" } ?? file }

    /// Splits `file.lua:12: message`, as Lua positions its errors; without a position, the
    /// failure is put at `fallbackFile:fallbackLine`.
    static func parse(_ text: String, fallbackFile: String, fallbackLine: Int?) -> TestFailure {
        let firstLine = text.prefix { $0 != "\n" }
        var search = firstLine.startIndex
        while let colon = firstLine[search...].firstIndex(of: ":") {
            let digits = firstLine[firstLine.index(after: colon)...].prefix { $0.isASCII && $0.isNumber }
            let afterDigits = digits.endIndex
            if !digits.isEmpty, colon > firstLine.startIndex,
                text[afterDigits...].hasPrefix(": "), let line = Int(digits)
            {
                let message = text[text.index(afterDigits, offsetBy: 2)...]
                return TestFailure(file: String(text[..<colon]), line: line, message: String(message))
            }
            search = firstLine.index(after: colon)
        }
        return TestFailure(file: fallbackFile, line: fallbackLine, message: text)
    }
}
