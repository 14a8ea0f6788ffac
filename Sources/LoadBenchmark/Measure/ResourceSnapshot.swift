/// The CPU times (the tool's own and the gateway's) and the gateway's memory at one instant;
/// two snapshots bracket a run.
struct ResourceSnapshot: Sendable {
    let at: ContinuousClock.Instant
    let toolCPU: (user: Double, system: Double)
    let gatewayCPU: Double?
    let gatewayMemory: (residentKiB: Int, peakKiB: Int)?
    /// CPU seconds every process on the machine has used since boot (busy, not idle).
    let machineBusyCPU: Double?

    static func take(gateway: GatewayProcess?) -> ResourceSnapshot {
        ResourceSnapshot(
            at: .now,
            toolCPU: SelfUsage.cpuSeconds(),
            gatewayCPU: gateway?.cpuSeconds(),
            gatewayMemory: gateway?.memory(),
            machineBusyCPU: MachineUsage.busySeconds()
        )
    }

    /// The report lines for the run between `self` and `later`: the tool's CPU and the
    /// gateway's, each as seconds and as a share of one core over the wall time.
    func cpuLines(until later: ResourceSnapshot, gateway: GatewayProcess?) -> [String] {
        let wall = (later.at - at).inSeconds
        let user = later.toolCPU.user - toolCPU.user
        let system = later.toolCPU.system - toolCPU.system
        var lines = [
            "load tool CPU: user \(Format.fixed(user, 2)) s + sys \(Format.fixed(system, 2)) s over \(Format.fixed(wall, 2)) s wall"
                + " = \(Format.percent((user + system) / wall)) of one core",
        ]
        if let gateway, let before = gatewayCPU, let after = later.gatewayCPU {
            let used = after - before
            lines.append(
                "gateway CPU (pid \(gateway.pid)): \(Format.fixed(used, 2)) s (user+sys) over \(Format.fixed(wall, 2)) s wall"
                    + " = \(Format.percent(used / wall)) of one core")
        } else {
            lines.append("gateway CPU: unknown (no gateway process found; pass --gateway-pid)")
        }
        // What the rest of the machine did meanwhile: other builds on a shared box skew every figure.
        if let before = machineBusyCPU, let after = later.machineBusyCPU {
            let busy = after - before
            var others = busy - user - system
            if let gatewayBefore = gatewayCPU, let gatewayAfter = later.gatewayCPU { others -= gatewayAfter - gatewayBefore }
            lines.append(
                "machine CPU: \(Format.fixed(busy / wall, 2)) of \(MachineUsage.cores) cores busy;"
                    + " other processes: \(Format.fixed(max(others, 0) / wall, 2)) cores")
        }
        return lines
    }
}
