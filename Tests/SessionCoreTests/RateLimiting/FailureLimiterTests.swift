import Testing
@testable import SessionCore

@Suite struct FailureLimiterTests {
    let clock = ManualClock()

    func limiter(_ count: Int, per window: Duration, maxKeys: Int = 100_000) -> FailureLimiter {
        let clock = clock
        return FailureLimiter(limit: FailureLimit(count: count, window: window), maxKeys: maxKeys, now: { clock.now })
    }

    @Test func aKeyIsRefusedOnceItReachesTheLimit() {
        let limiter = limiter(3, per: .seconds(30))
        for _ in 0..<2 {
            limiter.recordFailure(for: "jane")
        }
        #expect(limiter.retryAfter(for: "jane") == nil)
        limiter.recordFailure(for: "jane")
        #expect(limiter.retryAfter(for: "jane") == 30)
    }

    @Test func keysAreCountedApart() {
        let limiter = limiter(1, per: .seconds(60))
        limiter.recordFailure(for: "jane")
        #expect(limiter.retryAfter(for: "jane") == 60)
        #expect(limiter.retryAfter(for: "joe") == nil)
    }

    @Test func theWindowSlidesWithTheOldestFailure() {
        let limiter = limiter(3, per: .seconds(30))
        limiter.recordFailure(for: "jane")
        clock.advance(by: .seconds(10))
        limiter.recordFailure(for: "jane")
        clock.advance(by: .seconds(10))
        limiter.recordFailure(for: "jane")
        #expect(limiter.retryAfter(for: "jane") == 10, "the first failure leaves the window at t=30")
        clock.advance(by: .milliseconds(9_500))
        #expect(limiter.retryAfter(for: "jane") == 1, "0.5 s left rounds up to 1")
        clock.advance(by: .milliseconds(500))
        #expect(limiter.retryAfter(for: "jane") == nil)
        limiter.recordFailure(for: "jane")
        #expect(limiter.retryAfter(for: "jane") == 10, "now the failure of t=10 is the oldest that counts")
    }

    @Test func retryAfterRoundsUpToWholeSeconds() {
        let limiter = limiter(1, per: .seconds(30))
        limiter.recordFailure(for: "jane")
        clock.advance(by: .milliseconds(20_800))
        #expect(limiter.retryAfter(for: "jane") == 10)
    }

    @Test func retryAfterIsAtLeastOneSecondForShortWindows() {
        let limiter = limiter(2, per: .milliseconds(500))
        limiter.recordFailure(for: "jane")
        limiter.recordFailure(for: "jane")
        #expect(limiter.retryAfter(for: "jane") == 1)
        clock.advance(by: .milliseconds(500))
        #expect(limiter.retryAfter(for: "jane") == nil)
    }

    @Test func expiredKeysAreDropped() {
        let limiter = limiter(5, per: .seconds(60))
        for index in 0..<1_000 {
            limiter.recordFailure(for: "user-\(index)")
        }
        #expect(limiter.trackedKeyCount == 1_000)
        clock.advance(by: .seconds(61))
        limiter.recordFailure(for: "late")
        #expect(limiter.trackedKeyCount == 1)
    }

    @Test func aFloodOfNewKeysStaysWithinTheKeyBound() {
        let limiter = limiter(5, per: .seconds(60), maxKeys: 500)
        for index in 0..<10_000 {
            limiter.recordFailure(for: "random-\(index)")
        }
        #expect(limiter.trackedKeyCount <= 500)
        #expect(limiter.trackedKeyCount >= 400)
    }

    @Test func evictionDropsTheKeysWithTheOldestFailuresFirst() {
        let limiter = limiter(1, per: .seconds(600), maxKeys: 10)
        limiter.recordFailure(for: "old")
        clock.advance(by: .seconds(1))
        limiter.recordFailure(for: "recent")
        for index in 0..<8 {
            limiter.recordFailure(for: "filler-\(index)")
        }
        limiter.recordFailure(for: "newest")
        #expect(limiter.retryAfter(for: "old") == nil, "evicted")
        #expect(limiter.retryAfter(for: "recent") != nil)
        #expect(limiter.retryAfter(for: "newest") != nil)
    }

    @Test func aLimitBelowTheMinimumIsRaisedToIt() {
        let limiter = limiter(0, per: .zero)
        #expect(limiter.limit == FailureLimit(count: 1, window: .milliseconds(1)))
        limiter.recordFailure(for: "jane")
        #expect(limiter.retryAfter(for: "jane") == 1)
    }
}
