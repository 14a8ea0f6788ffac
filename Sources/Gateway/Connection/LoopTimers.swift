import NIOCore

/// One repeated timer per event loop, calling `tick` on every member registered on that loop:
/// the WebSocket connections' pings and the HTTP connections' idle checks.
///
/// A timer per connection cost its scheduling when a connection opened and its cancelling when
/// it closed; with both timers that was about a tenth of a short connection's CPU
/// (BENCHMARKS.md §3). Per loop, a member is only added to and removed from a dictionary.
final class LoopTimers<Member: AnyObject>: Sendable {
    private let timers: [ObjectIdentifier: LoopTimer<Member>]

    /// Starts one timer on each loop of `group`; `stop()` ends them.
    init(group: any EventLoopGroup, interval: TimeAmount, tick: @escaping @Sendable (Member) -> Void) {
        var timers: [ObjectIdentifier: LoopTimer<Member>] = [:]
        for loop in group.makeIterator() {
            timers[ObjectIdentifier(loop)] = LoopTimer(loop: loop, interval: interval, tick: tick)
        }
        self.timers = timers
    }

    /// The timer of `loop`, which the caller must be running on; `nil` for a loop of another
    /// group.
    func timer(on loop: any EventLoop) -> LoopTimer<Member>? {
        loop.assertInEventLoop()
        return timers[ObjectIdentifier(loop)]
    }

    func stop() {
        for timer in timers.values { timer.stop() }
    }
}

/// One loop's members and its timer.
///
/// `@unchecked Sendable`: made off the loop, then touched only on its loop (`add`, `remove`
/// and the ticks run there; starting and `stop` hop there).
final class LoopTimer<Member: AnyObject>: @unchecked Sendable {
    private let loop: any EventLoop
    private let tick: @Sendable (Member) -> Void
    private var members: [ObjectIdentifier: Member] = [:]
    private var task: RepeatedTask?

    init(loop: any EventLoop, interval: TimeAmount, tick: @escaping @Sendable (Member) -> Void) {
        self.loop = loop
        self.tick = tick
        loop.execute { [self] in
            task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in tickAll() }
        }
    }

    func add(_ member: Member) {
        members[ObjectIdentifier(member)] = member
    }

    func remove(_ member: Member) {
        members[ObjectIdentifier(member)] = nil
    }

    fileprivate func stop() {
        loop.execute { [self] in
            task?.cancel()
            task = nil
            members = [:]
        }
    }

    private func tickAll() {
        // A tick may close its member's connection, which removes it from `members`.
        for member in Array(members.values) { tick(member) }
    }
}

/// Every WebSocket connection's pings: a connection gets its first ping within one interval of
/// opening, and is lost when its ping is still unanswered at the next tick.
typealias LoopPingers = LoopTimers<SessionChannelHandler>

extension LoopTimers where Member == SessionChannelHandler {
    convenience init(group: any EventLoopGroup, pingInterval: TimeAmount) {
        self.init(group: group, interval: pingInterval) { $0.pingDue() }
    }
}
