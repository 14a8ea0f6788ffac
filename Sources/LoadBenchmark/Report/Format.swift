/// Number formatting without Foundation.
enum Format {
    /// `value` with `digits` decimals, rounded half away from zero.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = scaled % Int64(scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    /// A ratio as a percentage with no decimals: 0.437 → `44%`.
    static func percent(_ ratio: Double) -> String {
        fixed(ratio * 100, 0) + "%"
    }

    /// Nanoseconds as milliseconds with two decimals.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        fixed(Double(nanoseconds) / 1e6, 2) + " ms"
    }

    /// KiB as MiB with one decimal.
    static func mebibytes(_ kibibytes: Int) -> String {
        fixed(Double(kibibytes) / 1024, 1) + " MiB"
    }

    /// `name  p50 X  p99 Y  max Z  (n=N)`, or `name  no samples`.
    static func latencyLine(_ name: String, _ samples: LatencySamples) -> String {
        let padded = name + String(repeating: " ", count: max(0, 18 - name.count))
        guard let s = samples.summary() else { return padded + "no samples" }
        return padded + "p50 \(milliseconds(s.p50))  p99 \(milliseconds(s.p99))  max \(milliseconds(s.max))  (n=\(s.count))"
    }

    /// The gateway memory line of one snapshot.
    static func memoryLine(_ label: String, _ snapshot: ResourceSnapshot) -> String {
        guard let memory = snapshot.gatewayMemory else { return "\(label): unknown" }
        return "\(label): VmRSS \(mebibytes(memory.residentKiB)) (peak VmHWM \(mebibytes(memory.peakKiB)))"
    }
}
