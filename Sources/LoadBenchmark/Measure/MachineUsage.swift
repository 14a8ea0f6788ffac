import Glibc

/// The whole machine's CPU use from `/proc/stat`, to tell how much of it other processes took.
enum MachineUsage {
    /// Online cores.
    static var cores: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Busy CPU seconds of all cores since boot: every column of the `cpu` line but idle and iowait
    /// (guest time is already inside user time and is left out to avoid counting it twice).
    static func busySeconds() -> Double? {
        guard let stat = ProcFile.read("/proc/stat"), let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else {
            return nil
        }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
