import Glibc
import Logging

// The gateway load benchmark (see benchmarks/load.sh): cycles of connect → startSession →
// endSession → close, or many held sessions and the gateway's memory.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(BenchmarkOptions.usage)
    exit(0)
}
let options: BenchmarkOptions
do {
    options = try BenchmarkOptions.parse(arguments)
} catch {
    StandardError.write("error: \(error)\n\n\(BenchmarkOptions.usage)\n")
    exit(2)
}

// Held sessions each take a descriptor; ask for room for all of them plus slack.
let wantedDescriptors = max(65_536, options.sessions + options.clients + 256)
let descriptors = SelfUsage.raiseFileLimit(to: wantedDescriptors)
let neededDescriptors = (options.mode == .held ? options.sessions : options.clients) + 64
if descriptors < neededDescriptors {
    StandardError.write("warning: the open-file limit is \(descriptors), below the \(neededDescriptors) this run needs\n")
}

let gateway = options.gatewayPID.map(GatewayProcess.init(pid:)) ?? GatewayProcess.find()
if let gateway, !gateway.isAlive {
    StandardError.write("error: no process \(gateway.pid)\n")
    exit(2)
}
var logger = Logger(label: "load-benchmark")
logger.logLevel = .critical
print("load tool: pid \(getpid()), open-file limit \(descriptors), gateway pid \(gateway.map { String($0.pid) } ?? "unknown")")

let succeeded: Bool
switch options.mode {
case .cycles: succeeded = await CyclesScenario(options: options, gateway: gateway, logger: logger).run()
case .held: succeeded = await HeldScenario(options: options, gateway: gateway, logger: logger).run()
}
exit(succeeded ? 0 : 1)
