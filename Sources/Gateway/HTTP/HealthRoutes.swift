import Hummingbird
import SessionCore
import StrictJSON

extension Router {
    /// `GET /health` → `{"status":"ok","functions":N,"sessions":N}` (SPEC §5).
    func addHealthRoute(sessions: SessionService) {
        get("/health") { _, _ -> Response in
            let body: JSONObject = [
                "status": "ok",
                "functions": .integer(Int64(sessions.authenticator.functionCount)),
                "sessions": .integer(Int64(sessions.activeSessionCount)),
            ]
            return JSONResponse.make(.object(body))
        }
    }
}
