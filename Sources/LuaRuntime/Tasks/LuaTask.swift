import CLua
import CLuaShim

/// A coroutine of a state that runs one call at a time and may wait in the middle of it
/// (OpenResty's model): a host function such as `http.request` yields the task, the owner
/// runs other tasks of the same state, and resumes this one when the answer is in.
///
/// A task belongs to its `LuaState` and to that state's thread. It keeps its own deadline:
/// the state's hook checks the deadline of whichever task is running.
public final class LuaTask {
    let thread: OpaquePointer
    let reference: Int32
    /// The deadline of the call in progress.
    public internal(set) var deadline: LuaDeadline = .none
    /// True while the task waits in a host function.
    public internal(set) var isWaiting = false

    init(thread: OpaquePointer, reference: Int32) {
        self.thread = thread
        self.reference = reference
    }
}

/// Where a task's call stands after a start or a resume.
public enum LuaTaskStep {
    /// The call returned these values; the task can take another call.
    case finished([LuaValue])
    /// A host function made it wait; resume it when that function has its answer.
    case waiting
    /// The call failed; the task is spent. A limit (`.timeout`, `.memory`, `.stackOverflow`)
    /// also marks the state unusable for new calls.
    case failed(LuaError)
}

extension LuaState {
    /// A task to run calls in; nil when the state has no memory left for one.
    public func makeTask() -> LuaTask? {
        guard isUsable else { return nil }
        var thread: OpaquePointer?
        let reference = sg_newtask(L, &thread)
        guard reference != LUA_NOREF, let thread else { return nil }
        return LuaTask(thread: thread, reference: reference)
    }

    /// Lets the state collect a task that will not run again (spent, or abandoned while it waited).
    public func discard(_ task: LuaTask) {
        sg_unref(L, task.reference)
    }

    /// Starts `function` with the arguments `arguments` pushes, in `task`, under `deadline`.
    public func start(
        _ function: LuaReference, in task: LuaTask, deadline: LuaDeadline, arguments: (inout LuaPushBuffer) -> Void
    ) -> LuaTaskStep {
        guard isUsable else { return .failed(.unusable) }
        buffer.removeAll()
        arguments(&buffer)
        let count = Int32(buffer.count)
        task.deadline = deadline
        let status = running(task) { nresults in
            buffer.withProgram { ops, nops, bytes, slots in
                sg_task_start(L, task.thread, function.id, ops, nops, bytes, count, slots, nresults)
            }
        }
        return step(task, status: status.0, results: status.1)
    }

    /// Resumes a task that waits; the host function that made it wait answers the script.
    public func resume(_ task: LuaTask) -> LuaTaskStep {
        let status = running(task) { nresults in sg_task_resume(L, task.thread, nresults) }
        return step(task, status: status.0, results: status.1)
    }

    /// Runs `body` with the task's deadline armed and this resume's limit mark cleared: tasks
    /// of one state take turns, and a limit one of them hit is its own (the state is already
    /// marked unusable for new calls by then).
    private func running(_ task: LuaTask, _ body: (UnsafeMutablePointer<Int32>) -> Int32) -> (Int32, Int32) {
        control.pointee.limit = Int32(SG_LIMIT_NONE)
        sg_set_deadline(L, task.deadline.nanoseconds)
        defer { sg_set_deadline(L, .max) }
        var nresults: Int32 = 0
        let status = body(&nresults)
        return (status, nresults)
    }

    private func step(_ task: LuaTask, status: Int32, results count: Int32) -> LuaTaskStep {
        let thread = task.thread
        task.isWaiting = false
        do {
            try checkLimits()
        } catch {
            return .failed(error)
        }
        switch status {
        case LUA_OK:
            let top = lua_gettop(thread)
            defer { lua_settop(thread, 0) }
            let reader = LuaStackReader(L: thread)
            callResults.removeAll(keepingCapacity: true)
            var index = top - count + 1
            while index <= top {
                do {
                    callResults.append(try reader.value(at: index))
                } catch {
                    callResults.removeAll(keepingCapacity: true)
                    return .failed(error)
                }
                index += 1
            }
            return .finished(callResults)
        case LUA_YIELD:
            if sg_task_is_waiting(thread, count) != 0 {
                lua_settop(thread, lua_gettop(thread) - count)
                task.isWaiting = true
                return .waiting
            }
            return .failed(.runtime(message: "attempt to yield from outside a coroutine", traceback: ""))
        default:
            return .failed(failure(status: status, on: thread))
        }
    }
}
