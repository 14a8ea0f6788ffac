import Glibc

/// The load tool's own resources: the CPU it used (so a reader can tell whether the tool,
/// not the gateway, was the bottleneck) and its file-descriptor limit.
enum SelfUsage {
    /// User and system CPU seconds this process has used so far.
    static func cpuSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return (0, 0) }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    /// Raises the soft limit on open files towards `wanted` (at most the hard limit) and
    /// returns the limit now in force.
    static func raiseFileLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return -1 }
        let target = min(rlim_t(wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return Int(limit.rlim_cur)
    }
}
