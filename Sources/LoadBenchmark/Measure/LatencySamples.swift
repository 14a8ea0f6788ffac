/// Every latency of one kind a run measured, in nanoseconds; percentiles by nearest rank.
struct LatencySamples: Sendable {
    private(set) var nanoseconds: [Int64] = []

    var count: Int { nanoseconds.count }

    mutating func record(_ duration: Duration) {
        nanoseconds.append(duration.totalNanoseconds)
    }

    mutating func merge(_ other: LatencySamples) {
        nanoseconds.append(contentsOf: other.nanoseconds)
    }

    /// p50, p99 and max, or nil without samples.
    func summary() -> LatencySummary? {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        func rank(_ p: Double) -> Int64 {
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        return LatencySummary(count: sorted.count, p50: rank(0.50), p99: rank(0.99), max: sorted[sorted.count - 1])
    }
}

/// The percentiles a report prints.
struct LatencySummary: Sendable {
    let count: Int
    let p50: Int64
    let p99: Int64
    let max: Int64
}

extension Duration {
    /// The whole duration in nanoseconds (saturating far beyond any latency measured here).
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration in seconds, as a Double.
    var inSeconds: Double {
        Double(totalNanoseconds) / 1e9
    }
}
