/// How many times each error happened, by the reply's `code` or a transport label.
struct ErrorTally: Sendable {
    private(set) var counts: [String: Int] = [:]

    var total: Int { counts.values.reduce(0, +) }

    mutating func record(_ label: String) {
        counts[label, default: 0] += 1
    }

    mutating func merge(_ other: ErrorTally) {
        counts.merge(other.counts, uniquingKeysWith: +)
    }

    /// `code=N, code=N` with the most frequent first, or `none`.
    var summary: String {
        guard !counts.isEmpty else { return "none" }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
