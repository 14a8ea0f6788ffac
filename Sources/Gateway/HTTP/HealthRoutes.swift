import Hummingbird
import SessionCore
import StrictJSON

extension Router {
    /// `GET /health` → `{"status":"ok","functions":N,"sessions":N,"instance":ID,"version":"…"}` (SPEC §5,
    /// plus the active function set's content hash, which the demo page shows); 503 with
    /// `"status":"unavailable"` while the user store cannot be reached.
    func addHealthRoute(sessions: SessionService) {
        get("/health") { _, _ -> Response in
            let reachable = sessions.isStoreReachable
            let body: JSONObject = [
                "status": reachable ? "ok" : "unavailable",
                "functions": .integer(Int64(sessions.authenticator.functionCount)),
                "sessions": .integer(Int64(sessions.activeSessionCount)),
                "instance": .string(sessions.instanceID),
                "version": .string(sessions.authenticator.version),
            ]
            return JSONResponse.make(.object(body), status: reachable ? .ok : .serviceUnavailable)
        }
    }
}
