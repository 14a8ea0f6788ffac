import Foundation
import Logging
import Synchronization

/// The failure limit of one kind of key, counted by every instance together (SPEC §6).
///
/// Each failure is one upsert into the shared `failures` table (written in the background, so a
/// refusal's reply does not wait for it), which answers whether the key is now blocked; a start's check reads nothing from the database: it looks at the blocks this
/// instance knows of, learned from its own upserts, from the notification the instance that
/// trips a block sends, and from the poll that catches up with lost notifications. The
/// in-process sliding window (`FailureLimiter`) still counts this instance's own failures, so a
/// cluster is never more lenient than one instance, also while the database is down.
///
/// The shared count is a fixed window that starts with a key's first failure: a key blocked
/// waits until that window ends.
final class SharedFailureLimiter: FailureLimiting {
    let scope: String
    private let limit: FailureLimit
    private let local: FailureLimiter
    private let store: PostgresUserStore
    private let blocks = Mutex<[String: Date]>([:])
    private let maxKeys = 100_000

    init(scope: String, limit: FailureLimit, local: FailureLimiter, store: PostgresUserStore) {
        self.scope = scope
        self.limit = limit
        self.local = local
        self.store = store
    }

    func retryAfter(for key: String) -> Int? {
        let now = Date()
        let shared = blocks.withLock { blocks -> Int? in
            guard let until = blocks[key] else { return nil }
            guard until > now else {
                blocks[key] = nil
                return nil
            }
            return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        }
        return [local.retryAfter(for: key), shared].compactMap { $0 }.max()
    }

    /// The shared count is written in the background: the start's reply does not wait for it.
    func recordFailure(for key: String) {
        local.recordFailure(for: key)
        Task {
            do {
                if let until = try await store.countFailure(scope: scope, key: key, limit: limit) {
                    block(key, until: until)
                }
            } catch {
                store.logger.warning("counting a failed start in the database failed", metadata: [
                    "scope": "\(scope)", "error": "\(StoreHealth.describe(error))",
                ])
            }
        }
    }

    /// A block learned from the database or another instance.
    func block(_ key: String, until: Date) {
        let now = Date()
        guard until > now else { return }
        blocks.withLock { blocks in
            if blocks.count >= maxKeys { blocks = blocks.filter { $0.value > now } }
            blocks[key] = max(until, blocks[key] ?? until)
        }
    }
}
