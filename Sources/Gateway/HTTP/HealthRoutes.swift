import Hummingbird
import SessionCore
import StrictJSON

extension Router {
    /// `GET /health` → `{"status":"ok","functions":N,"sessions":N,"version":"…"}` (SPEC §5, plus
    /// the active function set's content hash, which the demo page shows).
    func addHealthRoute(sessions: SessionService) {
        get("/health") { _, _ -> Response in
            let body: JSONObject = [
                "status": "ok",
                "functions": .integer(Int64(sessions.authenticator.functionCount)),
                "sessions": .integer(Int64(sessions.activeSessionCount)),
                "version": .string(sessions.authenticator.version),
            ]
            return JSONResponse.make(.object(body))
        }
    }
}
