#if canImport(Glibc)
import Glibc
#endif
import CLuaShim

/// When a state's deadline hook starts checking the clock.
///
/// Lua calls a count hook's machinery before every instruction once any hook is set, which
/// costs a short function about a fifth of its run. A state whose owner watches its runs can
/// leave the hook off and arm it only when a run is over its time.
public enum LuaDeadlineChecks: Sendable {
    /// The hook is set from the first instruction: nothing else needs to watch the state.
    case fromTheStart
    /// A task runs without the hook until its owner calls `LuaInterrupt.send(to:)` at the
    /// deadline, or until the run hits a limit or starts or resumes past its deadline. Calls
    /// outside tasks (loading files) keep the hook from the start. The owner must send the
    /// interrupt, or a runaway task never stops.
    case afterInterrupt
}

/// Arms the deadline hook of a state created with `.afterInterrupt` from another thread.
///
/// The interrupt is a signal (SIGURG, which is ignored by default) delivered to the OS
/// thread that runs the state; its handler arms the hook of the Lua thread running there, and
/// that run fails its next check. A signal that lands between runs does nothing.
public enum LuaInterrupt {
    /// Lets the calling OS thread take interrupts and returns it, for `send(to:)`. A thread
    /// inherits its creator's signal mask, and libdispatch's threads (Swift concurrency's
    /// among them) block every signal, so a thread that runs late-hook states calls this first.
    public static func receiveOnCurrentThread() -> pthread_t {
        _ = sg_receive_interrupts()
        return pthread_self()
    }

    /// Interrupts `thread`'s run. Call it only while `thread` is alive.
    public static func send(to thread: pthread_t) {
        _ = sg_interrupt(thread)
    }
}
