import ChatFunctions
import Foundation
import Synchronization
@testable import SessionCore

/// A memory store that answers the start pipeline's steps later, through callbacks from a task of
/// its own (as the PostgreSQL store's batches do), and commits session starts before the reply.
final class CallbackUserStore: ForwardingUserStore {
    let inner = MemoryUserStore()
    /// While true, every answer given later is a failure.
    let failing = Atomic<Bool>(false)
    /// How many answers went through a callback.
    let answeredLater = Atomic<Int>(0)

    struct Unreachable: Error {}

    private func later<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) -> Immediate<Value> {
        .later(Later { completion in
            Task {
                self.answeredLater.add(1, ordering: .relaxed)
                if self.failing.load(ordering: .relaxed) { return completion(.failure(Unreachable())) }
                do { completion(.success(try await work())) } catch { completion(.failure(error)) }
            }
        })
    }

    var sessionStartsMustCommit: Bool { true }

    func userImmediately(named name: String) throws -> Immediate<StoredUser?> {
        later { try await self.inner.user(named: name) }
    }

    func findOrCreateGuestImmediately(named name: String, at now: Date, committing start: SessionRecord) throws -> Immediate<StoredUser> {
        later { try await self.inner.findOrCreateGuest(named: name, at: now, committing: start) }
    }

    func commitSessionStartImmediately(_ session: SessionRecord) throws -> Immediate<Void> {
        later { try await self.inner.commitSessionStart(session) }
    }
}
