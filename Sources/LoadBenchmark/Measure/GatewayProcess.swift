import Glibc

/// The gateway's process as the kernel reports it: CPU time from `/proc/PID/stat`,
/// resident memory from `/proc/PID/status`.
struct GatewayProcess: Sendable {
    let pid: Int32

    /// User plus system CPU time the process has used so far, in seconds.
    func cpuSeconds() -> Double? {
        guard let stat = ProcFile.read("/proc/\(pid)/stat"), let commEnd = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) " the fields start at field 3 (state); utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: commEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `VmRSS` (resident now) and `VmHWM` (the peak), in KiB.
    func memory() -> (residentKiB: Int, peakKiB: Int)? {
        guard let status = ProcFile.read("/proc/\(pid)/status") else { return nil }
        var resident: Int?
        var peak: Int?
        for line in status.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { resident = Self.kibValue(line) }
            if line.hasPrefix("VmHWM:") { peak = Self.kibValue(line) }
        }
        guard let resident, let peak else { return nil }
        return (resident, peak)
    }

    /// Whether the process still exists.
    var isAlive: Bool {
        kill(pid, 0) == 0
    }

    /// The one running `sessiongate serve` found in `/proc`, or nil when there is none or
    /// several (then pass `--gateway-pid`).
    static func find() -> GatewayProcess? {
        guard let directory = opendir("/proc") else { return nil }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), let commandLine = ProcFile.read("/proc/\(pid)/cmdline") else { continue }
            let arguments = commandLine.split(separator: "\0")
            if arguments.count >= 2, arguments[0].hasSuffix("sessiongate"), arguments[1] == "serve" {
                found.append(pid)
            }
        }
        return found.count == 1 ? GatewayProcess(pid: found[0]) : nil
    }

    private static func kibValue(_ line: Substring) -> Int? {
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0.trimmingTabs()) }
    }
}

extension Substring {
    fileprivate func trimmingTabs() -> Substring {
        var text = self
        while text.first == "\t" { text = text.dropFirst() }
        return text
    }
}
