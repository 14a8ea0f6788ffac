import LuaRuntime

// The runtime's cost for one auth-shaped call: an event table built from Swift
// values, one protected call under a deadline, one boolean read back.
// Compare with benchmarks/runtime_bare.lua run by the bare lua5.4 interpreter.
let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let rounds = 5

let lua = try LuaState()
let source = "return function(event) return event.authParams.password == 'pw' end"
guard let function = try lua.load(Array(source.utf8), chunkName: "bench.lua", policy: .frozenAfterLoad, deadline: .none).value else {
    fatalError("the benchmark function did not load")
}

var perRound: [Double] = []
var allowed = 0
for _ in 0..<rounds {
    let started = ContinuousClock.now
    for _ in 0..<iterations {
        let result = try lua.call(function, deadline: .after(.seconds(1))) { b in
            b.pushTable(recordCapacity: 2)
            b.setField("username") { $0.push("jane") }
            b.setField("authParams") { b in
                b.pushTable(recordCapacity: 1)
                b.setField("password") { $0.push("pw") }
            }
        }
        if result.first == .boolean(true) { allowed += 1 }
    }
    let elapsed = ContinuousClock.now - started
    let (seconds, attoseconds) = elapsed.components
    perRound.append((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(iterations))
}
precondition(allowed == iterations * rounds, "every call must allow")
perRound.sort()
let figures = perRound.map { String(Int($0.rounded())) }.joined(separator: " ")
print("swift runtime: \(Int(perRound[rounds / 2].rounded())) ns/call median of \(rounds) rounds of \(iterations) calls (rounds: \(figures))")
