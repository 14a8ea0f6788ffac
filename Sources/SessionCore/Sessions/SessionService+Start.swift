import ChatFunctions
import Foundation
import StrictJSON

/// The start pipeline: each step either refuses with the first error that applies or hands on.
extension SessionService {
    func decide(_ request: StartRequest, onServerEnd: @escaping ServerEndHandler) async -> Result<ActiveSession, GatewayError> {
        let username: String
        switch StartValidation.username(request.username) {
        case .success(let valid): username = valid
        case .failure(let error): return .failure(error)
        }
        let authParams: JSONObject?
        switch StartValidation.authParams(request.authParams) {
        case .success(let valid): authParams = valid
        case .failure(let error): return .failure(error)
        }
        if let error = rateLimit(username: username, remoteAddress: request.remoteAddress) {
            return .failure(error)
        }
        guard let authParams else {
            return await startGuest(username, request, onServerEnd: onServerEnd)
        }
        return await startAuthenticated(username, authParams, request, onServerEnd: onServerEnd)
    }

    /// `rate_limited` when the username or the address is over its limit; `retryAfter` is the longer wait.
    private func rateLimit(username: String, remoteAddress: String) -> GatewayError? {
        let waits = [usernameLimiter?.retryAfter(for: username), addressLimiter?.retryAfter(for: remoteAddress)]
        guard let wait = waits.compactMap({ $0 }).max() else { return nil }
        return GatewayError(.rateLimited, "Too many failed starts; try again in \(wait) s", retryAfter: wait)
    }

    private func startGuest(
        _ username: String, _ request: StartRequest, onServerEnd: @escaping ServerEndHandler
    ) async -> Result<ActiveSession, GatewayError> {
        guard options.guestsAllowed else { return .failure(GatewayError(.guestSessionsDisabled)) }
        let user: StoredUser
        do {
            user = try await store.findOrCreateGuest(named: username, at: Date())
        } catch {
            return .failure(storeFailed(error, username: username))
        }
        guard user.isGuest else { return .failure(GatewayError(.authenticationRequired)) }
        return await open(for: user, request, functionSetVersion: nil, onServerEnd: onServerEnd)
    }

    private func startAuthenticated(
        _ username: String, _ authParams: JSONObject, _ request: StartRequest,
        onServerEnd: @escaping ServerEndHandler
    ) async -> Result<ActiveSession, GatewayError> {
        let stored: StoredUser?
        do {
            stored = try await store.user(named: username)
        } catch {
            return .failure(storeFailed(error, username: username))
        }
        let event = AuthenticationEvent(
            username: username, authParams: authParams, remoteAddress: request.remoteAddress,
            userAgent: request.userAgent, origin: request.origin,
            user: stored.map { $0.snapshot(online: registry.isOnline(userID: $0.id)) }
        )
        // Read before the call: a reload during the call must not be credited with this verdict.
        let functionSetVersion = authenticator.version
        switch await authenticator.authenticate(event) {
        case .allowed(let profile):
            let user: StoredUser
            do {
                user = try await store.createOrUpgrade(named: username, profile: profile, at: Date(), knownUser: stored)
            } catch {
                return .failure(storeFailed(error, username: username))
            }
            return await open(for: user, request, functionSetVersion: functionSetVersion, onServerEnd: onServerEnd)
        case .denied(let message, let reason):
            let message = message.isEmpty ? ErrorCode.accessDenied.defaultMessage : message
            return .failure(GatewayError(.accessDenied, message, reason: reason))
        case .functionError(let failure):
            logger.error(
                "chat function failed",
                metadata: [
                    "username": "\(username)", "file": "\(failure.file)", "error": "\(failure.message)",
                    "traceback": "\(failure.traceback)", "function_set": "\(functionSetVersion)",
                ]
            )
            return .failure(GatewayError(.functionError))
        case .timedOut:
            return .failure(GatewayError(.functionTimeout))
        case .outOfMemory:
            return .failure(GatewayError(.functionMemory))
        case .overloaded:
            return .failure(GatewayError(.overloaded))
        }
    }

    /// Records the session's start and makes it active. The user is already committed.
    private func open(
        for user: StoredUser, _ request: StartRequest, functionSetVersion: String?,
        onServerEnd: @escaping ServerEndHandler
    ) async -> Result<ActiveSession, GatewayError> {
        let session = ActiveSession(
            id: SessionID.make(), startedAt: Date(), user: user.snapshot(online: true),
            remoteAddress: request.remoteAddress, userAgent: request.userAgent
        )
        let record = SessionRecord(
            id: session.id, userID: user.id, startedAt: session.startedAt, remoteAddress: session.remoteAddress,
            userAgent: session.userAgent, functionSetVersion: functionSetVersion
        )
        do {
            try await store.recordSessionStart(record)
        } catch {
            return .failure(storeFailed(error, username: user.name))
        }
        guard registry.add(session, onServerEnd: onServerEnd) else {
            try? await store.recordSessionEnd(id: session.id, at: Date(), reason: .serverShutdown)
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
