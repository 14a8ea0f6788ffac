import LuaRuntime
import StrictJSON

extension FunctionRunner {
    /// Starts `run` on this runner (or goes on with it, after `needsFreshState`).
    public func begin(_ run: ChainRun) -> ChainRunProgress {
        run.runner = self
        return advance(run, from: nil)
    }

    /// Resumes a waiting run with the answer to its request.
    public func resume(_ run: ChainRun, with result: ScriptHTTPResult) -> ChainRunProgress {
        guard let task = run.task, task.isWaiting else { return .finished(.timedOut) }
        run.outgoing = nil
        run.delivered = result
        calls.run = run
        defer { calls.run = nil }
        return advance(run, from: lua.resume(task))
    }

    /// Ends the file the run waits in with `error` (its budget ran out while it waited) and goes
    /// on as after any failure: an authentication ends, a trigger moves to the next file.
    public func giveUp(_ run: ChainRun, because error: LuaError) -> ChainRunProgress {
        abandon(run)
        return advance(run, from: .failed(error))
    }

    /// Lets go of a run that will not be resumed (answered by the watchdog, the pool stopping).
    public func abandon(_ run: ChainRun) {
        if let task = run.task { lua.discard(task) }
        run.task = nil
    }

    /// Runs the chain for one event under `deadline`, answering every `http` call with a
    /// failure: for callers without a pool (tests of the chain itself).
    public func authenticate(_ event: AuthenticationEvent, deadline: LuaDeadline) -> Verdict {
        let run = ChainRun(id: 0, kind: .authentication(event),
                           budget: .nanoseconds(max(0, deadline.nanoseconds &- LuaClock.nowNanoseconds)))
        var progress = begin(run)
        while true {
            switch progress {
            case .finished(let verdict): return verdict
            case .waiting: progress = resume(run, with: .failure("http is not available here"))
            case .needsFreshState: return .functionError(FunctionFailure(file: run.currentFile, message: "the Lua state was lost"))
            }
        }
    }

    private func advance(_ run: ChainRun, from first: LuaTaskStep?) -> ChainRunProgress {
        var step = first
        while true {
            if let current = step {
                switch current {
                case .waiting:
                    return .waiting
                case .finished(let values):
                    if let task = run.task { recycle(task) }
                    run.task = nil
                    switch run.kind {
                    case .authentication:
                        if case .verdict(let verdict) = VerdictMapping.outcome(of: values, file: run.currentFile) {
                            return .finished(verdict)
                        }
                    case .trigger:
                        run.triggerOutcomes.append(TriggerOutcome(file: run.currentFile, result: .ok))
                    }
                case .failed(let error):
                    if let task = run.task { lua.discard(task) }
                    run.task = nil
                    switch run.kind {
                    case .authentication:
                        return .finished(Self.verdict(for: error, file: run.currentFile))
                    case .trigger:
                        run.triggerOutcomes.append(Self.outcome(of: error, file: run.currentFile))
                    }
                }
            }
            guard let next = nextLink(after: run.link, for: run.kind) else {
                return .finished(.denied(message: Verdict.noFunctionAllowed, reason: nil))
            }
            // Another run of this state hit a limit: the rest of this one goes on in a fresh state.
            guard lua.isUsable else { return .needsFreshState }
            run.link = next
            step = start(chain[next], for: run)
        }
    }

    private func nextLink(after index: Int, for kind: ChainRun.Kind) -> Int? {
        var next = index + 1
        while next < chain.count {
            switch kind {
            case .authentication: if chain[next].authenticate != nil { return next }
            case .trigger(let name, _): if chain[next].function(for: name) != nil { return next }
            }
            next += 1
        }
        return nil
    }

    private func start(_ link: Link, for run: ChainRun) -> LuaTaskStep {
        run.currentFile = link.file
        guard let task = idleTasks.popLast() ?? lua.makeTask() else { return .failed(.memory) }
        run.task = task
        calls.run = run
        defer { calls.run = nil }
        switch run.kind {
        case .authentication(let event):
            return lua.start(link.authenticate!, in: task, deadline: run.deadline) { b in
                pushEvent(event, into: &b)
                pushContext(event.user, log: link.log, into: &b)
            }
        case .trigger(let name, let event):
            // Each file's trigger has a budget of its own (SPEC §3: the same budgets as authenticate).
            run.setDeadline(.after(run.budget))
            return lua.start(link.function(for: name)!, in: task, deadline: run.deadline) { b in
                event.push(into: &b)
                pushContext(nil, log: link.log, into: &b)
            }
        }
    }

    private func recycle(_ task: LuaTask) {
        if idleTasks.count < 16 { idleTasks.append(task) } else { lua.discard(task) }
    }

    static func verdict(for error: LuaError, file: String) -> Verdict {
        switch error {
        case .timeout: return .timedOut
        case .memory: return .outOfMemory
        case .runtime(let message, let traceback):
            return .functionError(FunctionFailure(file: file, message: message, traceback: traceback))
        case .stackOverflow:
            return .functionError(FunctionFailure(file: file, message: "\(file): stack overflow"))
        default:
            return .functionError(FunctionFailure(file: file, message: "\(file): \(error)"))
        }
    }

    static func outcome(of error: LuaError, file: String) -> TriggerOutcome {
        switch error {
        case .timeout: return TriggerOutcome(file: file, result: .timeout)
        case .memory: return TriggerOutcome(file: file, result: .memory)
        case .runtime(let message, _): return TriggerOutcome(file: file, result: .error, message: message)
        default: return TriggerOutcome(file: file, result: .error, message: "\(file): \(error)")
        }
    }
}

/// Where a run stands after the runner advanced it.
public enum ChainRunProgress {
    /// An authentication's verdict, or a trigger that ran every file (its verdict is unused).
    case finished(Verdict)
    /// The run waits on `run.outgoing`: send it, then resume the run with the answer.
    case waiting
    /// The state can take no new call (another run hit a limit): begin the run again on a
    /// fresh runner, where it goes on from the file it reached.
    case needsFreshState
}
