import Hummingbird
import SessionCore
import StrictJSON

extension Router {
    /// The admin API (SPEC §5), behind `Authorization: Bearer <token>`. Not registered at all
    /// without a token, so every `/v1/admin/*` path is then a plain 404.
    func addAdminRoutes(sessions: SessionService, token: String) {
        let admin = group("/v1/admin").add(middleware: BearerTokenMiddleware(token: token))

        admin.get("/sessions") { _, _ -> Response in
            guard let listed = try? await sessions.listSessions() else { return storeUnavailable }
            return JSONResponse.make(["sessions": .array(listed.map(\.adminJSONValue))])
        }

        admin.delete("/sessions/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let revoked = try? await sessions.revokeAnywhere(sessionID: id) else { return storeUnavailable }
            guard revoked else {
                return JSONResponse.error("No active session with this id", status: .notFound)
            }
            return JSONResponse.make(["id": .string(id), "ended": true, "reason": .string(SessionEndReason.revoked.rawValue)])
        }
    }
}

/// The shared store could not be asked where a session is (SPEC §6).
private var storeUnavailable: Response {
    JSONResponse.error("The user store is unavailable; try again later", status: .serviceUnavailable)
}

/// Lets a request through only with the right bearer token; anything else is 401.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], BearerToken.matches(header, token: token) else {
            var response = JSONResponse.error("Missing or wrong bearer token", status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }
}

/// The `Authorization: Bearer <token>` check.
enum BearerToken {
    /// Compares in time independent of where the first difference is.
    static func matches(_ header: String, token: String) -> Bool {
        let prefix = "bearer "
        guard header.utf8.count > prefix.utf8.count,
              header.prefix(prefix.count).lowercased() == prefix
        else { return false }
        let given = Array(header.utf8.dropFirst(prefix.utf8.count))
        let expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
