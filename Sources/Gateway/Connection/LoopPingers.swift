import NIOCore

/// The pings of every WebSocket connection, from one timer per event loop.
///
/// A repeated task per connection cost its scheduling when a connection opened and its
/// cancelling when it closed; with the HTTP idle timer that was about a tenth of a short
/// connection's CPU (BENCHMARKS.md §3). One timer per loop walks that loop's connections
/// instead. A connection gets its first ping within one interval of opening, and is lost when
/// its ping is still unanswered at the next tick, as before.
final class LoopPingers: Sendable {
    private let pingers: [ObjectIdentifier: Pinger]

    /// Starts one timer on each loop of `group`; `stop()` ends them.
    init(group: any EventLoopGroup, interval: TimeAmount) {
        var pingers: [ObjectIdentifier: Pinger] = [:]
        for loop in group.makeIterator() {
            pingers[ObjectIdentifier(loop)] = Pinger(loop: loop, interval: interval)
        }
        self.pingers = pingers
    }

    /// The pinger of `loop`, which the caller must be running on; `nil` for a loop of
    /// another group.
    func pinger(on loop: any EventLoop) -> Pinger? {
        loop.assertInEventLoop()
        return pingers[ObjectIdentifier(loop)]
    }

    func stop() {
        for pinger in pingers.values { pinger.stop() }
    }
}

/// One loop's connections and their timer.
///
/// `@unchecked Sendable`: made off the loop, then touched only on its loop (`add`, `remove`
/// and `tick` run there; `stop` and the timer's start hop there).
final class Pinger: @unchecked Sendable {
    private let loop: any EventLoop
    private var connections: [ObjectIdentifier: SessionChannelHandler] = [:]
    private var task: RepeatedTask?

    init(loop: any EventLoop, interval: TimeAmount) {
        self.loop = loop
        loop.execute { [self] in
            task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in tick() }
        }
    }

    func add(_ connection: SessionChannelHandler) {
        connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: SessionChannelHandler) {
        connections[ObjectIdentifier(connection)] = nil
    }

    fileprivate func stop() {
        loop.execute { [self] in
            task?.cancel()
            task = nil
            connections = [:]
        }
    }

    private func tick() {
        // A ping may close its connection, which removes it from `connections`.
        for connection in Array(connections.values) { connection.pingDue() }
    }
}
