import ChatFunctions
import Foundation
import StrictJSON

/// The start pipeline: each step either refuses with the first error that applies or hands on.
///
/// It is written with completions rather than `async` so that a start can go from the caller's
/// thread (an event loop) to a Lua worker and on to its reply without a task or a thread hop of
/// its own: a step the store can answer at once (`Immediate`) runs where the pipeline stands,
/// and only a step that must wait (a new user's commit, a store that reads over the network)
/// continues in a task.
extension SessionService {
    typealias StartCompletion = @Sendable (Result<ActiveSession, GatewayError>) -> Void

    func decide(_ request: StartRequest, onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion) {
        let username: String
        switch StartValidation.username(request.username) {
        case .success(let valid): username = valid
        case .failure(let error): return finish(.failure(error))
        }
        let authParams: JSONObject?
        switch StartValidation.authParams(request.authParams) {
        case .success(let valid): authParams = valid
        case .failure(let error): return finish(.failure(error))
        }
        if let error = rateLimit(username: username, remoteAddress: request.remoteAddress) {
            return finish(.failure(error))
        }
        guard let authParams else {
            return startGuest(username, request, onServerEnd: onServerEnd, then: finish)
        }
        startAuthenticated(username, authParams, request, onServerEnd: onServerEnd, then: finish)
    }

    /// `rate_limited` when the username or the address is over its limit; `retryAfter` is the longer wait.
    private func rateLimit(username: String, remoteAddress: String) -> GatewayError? {
        // Optionals compared directly: an array of the two was an allocation on every start.
        let byName = usernameLimiter?.retryAfter(for: username)
        let byAddress = addressLimiter?.retryAfter(for: remoteAddress)
        guard byName != nil || byAddress != nil else { return nil }
        let wait = max(byName ?? 0, byAddress ?? 0)
        return GatewayError(.rateLimited, "Too many failed starts; try again in \(wait) s", retryAfter: wait)
    }

    private func startGuest(
        _ username: String, _ request: StartRequest, onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion
    ) {
        guard options.guestsAllowed else { return finish(.failure(GatewayError(.guestSessionsDisabled))) }
        let store = self.store
        let now = Date()
        if store.sessionStartsMustCommit {
            return startCommittedGuest(username, at: now, request, onServerEnd: onServerEnd, then: finish)
        }
        switch storeNow(username, then: finish, { try store.findOrCreateGuestImmediately(named: username, at: now) }) {
        case .value(let user):
            guestFound(user, request, onServerEnd: onServerEnd, then: finish)
        case .failed:
            return
        case .pending(let pending):
            storeLater(pending, username, then: finish, waiting: { try await store.findOrCreateGuest(named: username, at: now) }) { user in
                self.guestFound(user, request, onServerEnd: onServerEnd, then: finish)
            }
        }
    }

    private func guestFound(
        _ user: StoredUser, _ request: StartRequest, onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion
    ) {
        guard user.isGuest else { return finish(.failure(GatewayError(.authenticationRequired))) }
        open(for: user, request, functionSetVersion: nil, onServerEnd: onServerEnd, then: finish)
    }

    /// A guest start on a store shared by several instances: its user and its session row in
    /// one store call (one round trip on PostgreSQL), the row committed before the reply.
    private func startCommittedGuest(
        _ username: String, at now: Date, _ request: StartRequest, onServerEnd: @escaping ServerEndHandler,
        then finish: @escaping StartCompletion
    ) {
        let store = self.store
        let start = SessionRecord(
            id: SessionID.make(at: now), userID: 0, startedAt: now, remoteAddress: request.remoteAddress, userAgent: request.userAgent
        )
        switch storeNow(username, then: finish, { try store.findOrCreateGuestImmediately(named: username, at: now, committing: start) }) {
        case .value(let user):
            committedGuestFound(user, start, onServerEnd: onServerEnd, then: finish)
        case .failed:
            return
        case .pending(let pending):
            storeLater(pending, username, then: finish,
                       waiting: { try await store.findOrCreateGuest(named: username, at: now, committing: start) }) { user in
                self.committedGuestFound(user, start, onServerEnd: onServerEnd, then: finish)
            }
        }
    }

    private func committedGuestFound(
        _ user: StoredUser, _ start: SessionRecord, onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion
    ) {
        guard user.isGuest else { return finish(.failure(GatewayError(.authenticationRequired))) }
        let session = ActiveSession(
            id: start.id, startedAt: start.startedAt, user: user.snapshot(online: true),
            remoteAddress: start.remoteAddress, userAgent: start.userAgent
        )
        finish(activate(session, onServerEnd: onServerEnd))
    }

    private func startAuthenticated(
        _ username: String, _ authParams: JSONObject, _ request: StartRequest,
        onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion
    ) {
        let store = self.store
        switch storeNow(username, then: finish, { try store.userImmediately(named: username) }) {
        case .value(let stored):
            callFunctions(username, authParams, stored: stored, request, onServerEnd: onServerEnd, then: finish)
        case .failed:
            return
        case .pending(let pending):
            storeLater(pending, username, then: finish, waiting: { try await store.user(named: username) }) { stored in
                self.callFunctions(username, authParams, stored: stored, request, onServerEnd: onServerEnd, then: finish)
            }
        }
    }

    private func callFunctions(
        _ username: String, _ authParams: JSONObject, stored: StoredUser?, _ request: StartRequest,
        onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion
    ) {
        let event = AuthenticationEvent(
            username: username, authParams: authParams, remoteAddress: request.remoteAddress,
            userAgent: request.userAgent, origin: request.origin,
            user: stored.map { $0.snapshot(online: registry.isOnline(userID: $0.id)) }
        )
        // Read before the call: a reload during the call must not be credited with this verdict.
        let functionSetVersion = authenticator.version
        authenticator.authenticate(event) { verdict in
            self.afterVerdict(verdict, username: username, stored: stored, request, functionSetVersion: functionSetVersion,
                              onServerEnd: onServerEnd, then: finish)
        }
    }

    private func afterVerdict(
        _ verdict: Verdict, username: String, stored: StoredUser?, _ request: StartRequest, functionSetVersion: String,
        onServerEnd: @escaping ServerEndHandler, then finish: @escaping StartCompletion
    ) {
        switch verdict {
        case .allowed(let profile):
            let store = self.store
            let now = Date()
            switch storeNow(username, then: finish, {
                try store.createOrUpgradeImmediately(named: username, profile: profile, at: now, knownUser: stored)
            }) {
            case .value(let user):
                open(for: user, request, functionSetVersion: functionSetVersion, onServerEnd: onServerEnd, then: finish)
            case .failed:
                return
            case .pending(let pending):
                storeLater(pending, username, then: finish, waiting: {
                    try await store.createOrUpgrade(named: username, profile: profile, at: now, knownUser: stored)
                }) { user in
                    self.open(for: user, request, functionSetVersion: functionSetVersion, onServerEnd: onServerEnd, then: finish)
                }
            }
        case .denied(let message, let reason):
            let message = message.isEmpty ? ErrorCode.accessDenied.defaultMessage : message
            finish(.failure(GatewayError(.accessDenied, message, reason: reason)))
        case .functionError(let failure):
            logger.error(
                "chat function failed",
                metadata: [
                    "username": "\(username)", "file": "\(failure.file)", "error": "\(failure.message)",
                    "traceback": "\(failure.traceback)", "function_set": "\(functionSetVersion)",
                ]
            )
            finish(.failure(GatewayError(.functionError)))
        case .timedOut:
            finish(.failure(GatewayError(.functionTimeout)))
        case .outOfMemory:
            finish(.failure(GatewayError(.functionMemory)))
        case .overloaded:
            finish(.failure(GatewayError(.overloaded)))
        }
    }

    /// What a store step's immediate call gave.
    private enum StoreNow<Value: Sendable> {
        case value(Value)
        /// The store failed and `finish` has had the error.
        case failed
        /// The store answers later (`Immediate.later` or `.mustWait`): go on with `storeLater`.
        case pending(Immediate<Value>)
    }

    /// A store step's fast path: the store's answer where the pipeline stands, when it has one.
    /// Split from `storeLater` so that a step answered at once makes none of the closures that
    /// only a wait needs (each was an allocation per start). A failing store ends the start
    /// with `overloaded`.
    private func storeNow<Value: Sendable>(
        _ username: String, then finish: StartCompletion, _ immediately: () throws -> Immediate<Value>
    ) -> StoreNow<Value> {
        do {
            let answer = try immediately()
            if case .done(let value) = answer { return .value(value) }
            return .pending(answer)
        } catch {
            finish(.failure(storeFailed(error, username: username)))
            return .failed
        }
    }

    /// A store step that must wait: through the store's callback when it answers later (the
    /// PostgreSQL store's batches), else awaited in a task.
    private func storeLater<Value: Sendable>(
        _ pending: Immediate<Value>, _ username: String, then finish: @escaping StartCompletion,
        waiting: @escaping @Sendable () async throws -> Value,
        next: @escaping @Sendable (Value) -> Void
    ) {
        switch pending {
        case .done(let value):
            next(value)
        case .later(let later):
            later.start { result in
                switch result {
                case .success(let value): next(value)
                case .failure(let error): finish(.failure(self.storeFailed(error, username: username)))
                }
            }
        case .mustWait:
            Task {
                let value: Value
                do {
                    value = try await waiting()
                } catch {
                    return finish(.failure(self.storeFailed(error, username: username)))
                }
                next(value)
            }
        }
    }

    /// Records the session's start and makes it active. The user is already committed.
    /// A store shared by several instances commits the start first (`sessionStartsMustCommit`),
    /// in a task; any other queues it and the session is active at once.
    private func open(
        for user: StoredUser, _ request: StartRequest, functionSetVersion: String?, onServerEnd: @escaping ServerEndHandler,
        then finish: @escaping StartCompletion
    ) {
        let startedAt = Date()
        let session = ActiveSession(
            id: SessionID.make(at: startedAt), startedAt: startedAt, user: user.snapshot(online: true),
            remoteAddress: request.remoteAddress, userAgent: request.userAgent
        )
        let record = SessionRecord(
            id: session.id, userID: user.id, startedAt: session.startedAt, remoteAddress: session.remoteAddress,
            userAgent: session.userAgent, functionSetVersion: functionSetVersion
        )
        let store = self.store
        switch storeNow(user.name, then: finish, {
            guard !store.sessionStartsMustCommit else { return try store.commitSessionStartImmediately(record) }
            try store.recordSessionStart(record)
            return .done(())
        }) {
        case .value:
            finish(activate(session, onServerEnd: onServerEnd))
        case .failed:
            return
        case .pending(let pending):
            storeLater(pending, user.name, then: finish, waiting: { try await store.commitSessionStart(record) }) { _ in
                finish(self.activate(session, onServerEnd: onServerEnd))
            }
        }
    }

    private func activate(_ session: ActiveSession, onServerEnd: @escaping ServerEndHandler) -> Result<ActiveSession, GatewayError> {
        guard registry.add(session, onServerEnd: onServerEnd) else {
            try? store.recordSessionEnd(id: session.id, at: Date(), reason: .serverShutdown)
            return .failure(GatewayError(.overloaded, "The gateway is shutting down"))
        }
        return .success(session)
    }

    private func storeFailed(_ error: any Error, username: String) -> GatewayError {
        if error is CancellationError {
            // The connection went away mid-start: nobody will read the reply, nothing is wrong.
            logger.debug("start cancelled", metadata: ["username": "\(username)"])
        } else {
            logger.error("user store failed", metadata: ["username": "\(username)", "error": "\(error)"])
        }
        return GatewayError(.overloaded, "The user store is unavailable; try again later")
    }
}
