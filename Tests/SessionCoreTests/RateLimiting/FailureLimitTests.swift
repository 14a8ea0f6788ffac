import Testing
@testable import SessionCore

@Suite struct FailureLimitTests {
    @Test(arguments: [
        ("10/1m", 10, Duration.seconds(60)),
        ("3/30s", 3, .seconds(30)),
        ("100/500ms", 100, .milliseconds(500)),
        ("1/1s", 1, .seconds(1)),
        ("007/2m", 7, .seconds(120)),
    ])
    func countSlashDurationIsALimit(text: String, count: Int, window: Duration) throws {
        #expect(try FailureLimit.parse(text) == FailureLimit(count: count, window: window))
    }

    @Test func offDisablesTheLimit() throws {
        #expect(try FailureLimit.parse("off") == nil)
    }

    @Test(arguments: [
        "", "10", "10/", "/1m", "0/1m", "10/0s", "10/1h", "10/1", "-1/1m", "+1/1m", "10/1.5s", "10/1 m", " 10/1m",
        "10/1m ", "Off", "OFF", "10/1m/2", "ten/1m", "10/1M", "99999999999999999999/1m", "1/99999999999999999m",
    ])
    func anythingElseIsAUsageError(text: String) {
        #expect(throws: FailureLimitParseError(text: text)) { try FailureLimit.parse(text) }
    }

    @Test func theErrorSaysWhatIsAccepted() {
        let description = FailureLimitParseError(text: "often").description
        #expect(description.contains("\"often\""))
        #expect(description.contains("10/1m"))
        #expect(description.contains("off"))
    }

    @Test(arguments: ["10/1m", "3/30s", "100/500ms", "5/90s", "2/1500ms"])
    func descriptionParsesBackToTheSameLimit(text: String) throws {
        let limit = try #require(try FailureLimit.parse(text))
        #expect(try FailureLimit.parse(limit.description) == limit)
    }
}
