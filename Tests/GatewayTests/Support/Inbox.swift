/// A queue of values pushed by one task and awaited, with a timeout, by another.
actor Inbox<Element: Sendable> {
    private var items: [Element] = []
    private var finished = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Element?, Never>)?
    private var nextWaiterID = 0

    func push(_ item: Element) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: item)
        } else {
            items.append(item)
        }
    }

    func finish() {
        finished = true
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: nil)
        }
    }

    /// The next value; `nil` once finished and empty, or when `timeout` passes first.
    func next(timeout: Duration) async -> Element? {
        if !items.isEmpty { return items.removeFirst() }
        if finished { return nil }
        nextWaiterID += 1
        let id = nextWaiterID
        return await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
