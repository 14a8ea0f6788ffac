import Dispatch
import Foundation
import Synchronization

/// Text for one file descriptor, written by a thread of its own.
///
/// Under load the gateway logs two lines per session; a `write(2)` each, under a lock every
/// connection shares, costs more than the rest of a guest start. Queued lines are written by one
/// thread in as few calls as there are wake-ups, in order. Everything goes through one buffer
/// and one write lock, so queued and immediate text never reorder.
///
/// Bounded: past `maxQueuedBytes` a caller writes itself (and waits), so a reader that stopped
/// reading slows the gateway down instead of growing its memory.
final class LineSink: Sendable {
    private static let maxQueuedBytes = 4 << 20
    private static let gatherMicroseconds: UInt32 = 2_000

    private let descriptor: Int32
    private let queued = Mutex<[UInt8]>([])
    /// Held while bytes are taken from `queued` and written, which keeps their order.
    private let writing = Mutex(())
    private let wake = DispatchSemaphore(value: 0)
    private let writerStarted = Atomic<Bool>(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func enqueue(_ text: String) {
        let (wasEmpty, isFull) = queued.withLock { bytes in
            let wasEmpty = bytes.isEmpty
            bytes.append(contentsOf: text.utf8)
            return (wasEmpty, bytes.count > Self.maxQueuedBytes)
        }
        if isFull {
            flush()
        } else if wasEmpty {
            // The writer empties the whole queue on each wake-up: only the first line after an
            // empty queue needs to wake it.
            startWriterIfNeeded()
            wake.signal()
        }
    }

    func writeNow(_ text: String) {
        writing.withLock { _ in
            var bytes = takeQueued()
            bytes.append(contentsOf: text.utf8)
            write(bytes)
        }
    }

    func flush() {
        writing.withLock { _ in write(takeQueued()) }
    }

    private func takeQueued() -> [UInt8] {
        queued.withLock { bytes in
            defer { bytes = [] }
            return bytes
        }
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { writeAll($0, to: descriptor) }
    }

    private func startWriterIfNeeded() {
        guard writerStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let thread = Thread { [self] in
            while true {
                wake.wait()
                flush()
                // Lines logged meanwhile gather for the next write: under load one wake-up and
                // one write(2) carry dozens of lines, and a signal to a thread that is not
                // waiting costs no system call.
                usleep(Self.gatherMicroseconds)
            }
        }
        thread.name = "sessiongate-log"
        thread.start()
    }
}
