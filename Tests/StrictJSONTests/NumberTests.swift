import StrictJSON
import Testing

@Suite("Numbers")
struct NumberTests {
    static let accepted: [AcceptedInput] = [
        // Integers: no fraction, no exponent, fits Int64.
        AcceptedInput("0", .integer(0)),
        AcceptedInput("-0", .integer(0)),
        AcceptedInput("7", .integer(7)),
        AcceptedInput("-7", .integer(-7)),
        AcceptedInput("1234567890", .integer(1_234_567_890)),
        AcceptedInput("9223372036854775807", .integer(.max)),
        AcceptedInput("-9223372036854775808", .integer(.min)),
        AcceptedInput("-9223372036854775807", .integer(-9_223_372_036_854_775_807)),
        // Beyond Int64: doubles.
        AcceptedInput("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        AcceptedInput("-9223372036854775809", .double(-9_223_372_036_854_775_809.0)),
        AcceptedInput("18446744073709551616", .double(18_446_744_073_709_551_616.0)),
        AcceptedInput("123456789012345678901234567890", .double(1.2345678901234568e29)),
        // Fractions and exponents are always doubles.
        AcceptedInput("1.0", .double(1.0)),
        AcceptedInput("-0.0", .double(-0.0)),
        AcceptedInput("0.5", .double(0.5)),
        AcceptedInput("-1.25", .double(-1.25)),
        AcceptedInput("1e2", .double(100)),
        AcceptedInput("1E2", .double(100)),
        AcceptedInput("1e+2", .double(100)),
        AcceptedInput("1e-2", .double(0.01)),
        AcceptedInput("0e0", .double(0)),
        AcceptedInput("2.5E-3", .double(0.0025)),
        AcceptedInput("1e007", .double(1e7)),
        AcceptedInput("0.1", .double(0.1)),
        AcceptedInput("3.141592653589793", .double(3.141592653589793)),
        // Extremes of the double range.
        AcceptedInput("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        AcceptedInput("-1.7976931348623157e308", .double(-.greatestFiniteMagnitude)),
        AcceptedInput("2.2250738585072014e-308", .double(.leastNormalMagnitude)),
        AcceptedInput("4.9406564584124654e-324", .double(.leastNonzeroMagnitude)),
        AcceptedInput("5e-324", .double(.leastNonzeroMagnitude)),
        // Below the smallest subnormal: rounds to zero, which is in range.
        AcceptedInput("1e-400", .double(0)),
        AcceptedInput("2e-324", .double(0)),
        // Correct rounding (halfway and near-halfway cases).
        AcceptedInput("9007199254740993", .integer(9_007_199_254_740_993)),
        AcceptedInput("9007199254740993.0", .double(9_007_199_254_740_992.0)),
        AcceptedInput("9007199254740995.0", .double(9_007_199_254_740_996.0)),
        AcceptedInput("2.2250738585072011e-308", .double(Double.leastNormalMagnitude.nextDown)),
        AcceptedInput("0.30000000000000004", .double(0.1 + 0.2)),
        AcceptedInput("[1,-1,1.5]", [.integer(1), .integer(-1), .double(1.5)]),
        AcceptedInput("{\"n\":-0}", ["n": .integer(0)]),
    ]

    @Test("numbers become integers or correctly rounded doubles", arguments: accepted)
    func validNumberParses(_ input: AcceptedInput) {
        let value = parsed(input.text)
        #expect(value == input.expected)
        if case .double(let expected) = input.expected, case .double(let actual) = value {
            #expect(actual.bitPattern == expected.bitPattern, "sign and bits must match exactly")
        }
    }

    static let refused: [RefusedInput] = [
        RefusedInput("1e400", at: 0, "number out of the range of a double"),
        RefusedInput("-1e400", at: 0, "out of the range of a double"),
        RefusedInput("1.8e308", at: 0, "out of the range of a double"),
        RefusedInput("[0, 1e309]", at: 4, "out of the range of a double"),
        RefusedInput(String(repeating: "9", count: 400), at: 0, "out of the range of a double"),
        RefusedInput("01", at: 0, "leading zeros are not allowed"),
        RefusedInput("00", at: 0, "leading zeros"),
        RefusedInput("-01", at: 0, "leading zeros"),
        RefusedInput("[1,012]", at: 3, "leading zeros"),
        RefusedInput("+1", at: 0, "must not start with '+'"),
        RefusedInput(".5", at: 0, "must start with a digit"),
        RefusedInput("-.5", at: 1, "expected a digit after '-'"),
        RefusedInput("-", at: 1, "expected a digit after '-'"),
        RefusedInput("- 1", at: 1, "expected a digit after '-'"),
        RefusedInput("1.", at: 2, "expected a digit after the decimal point"),
        RefusedInput("1.e5", at: 2, "expected a digit after the decimal point"),
        RefusedInput("[1.]", at: 3, "expected a digit after the decimal point"),
        RefusedInput("1e", at: 2, "expected a digit in the exponent"),
        RefusedInput("1e+", at: 3, "expected a digit in the exponent"),
        RefusedInput("1E-", at: 3, "expected a digit in the exponent"),
        RefusedInput("1e+-2", at: 3, "expected a digit in the exponent"),
        RefusedInput("0x10", at: 1, "unexpected character 'x' after the value"),
        RefusedInput("1.5.2", at: 3, "after the value"),
        RefusedInput("1_000", at: 1, "after the value"),
        RefusedInput("-NaN", at: 1, "expected a digit after '-'"),
    ]

    @Test("malformed or out-of-range numbers are refused", arguments: refused)
    func invalidNumberIsRefused(_ input: RefusedInput) {
        expectRefused(input)
    }

    @Test("integers at every magnitude survive parse and encode unchanged")
    func integerPowersRoundTrip() throws {
        var magnitude: Int64 = 1
        for _ in 0..<19 {
            for candidate in [magnitude, magnitude - 1, -magnitude, -(magnitude - 1)] {
                let text = String(candidate)
                #expect(try JSONParser.parse(text) == .integer(candidate))
                #expect(JSONValue.integer(candidate).encoded() == text)
            }
            if magnitude <= Int64.max / 10 { magnitude *= 10 }
        }
    }
}
