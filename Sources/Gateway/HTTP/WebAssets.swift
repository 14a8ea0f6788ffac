import Foundation
import Hummingbird

/// The demo page and the browser client, read once from the module's `Web` resources.
struct WebAssets: Sendable {
    var indexHTML: ByteBuffer?
    var clientScript: ByteBuffer?

    /// Reads `Web/index.html` and `Web/sessiongate.js`; a missing file stays `nil` (served as 404).
    static func load() -> WebAssets {
        WebAssets(indexHTML: resource("index", "html"), clientScript: resource("sessiongate", "js"))
    }

    private static func resource(_ name: String, _ type: String) -> ByteBuffer? {
        guard let url = Bundle.module.url(forResource: name, withExtension: type, subdirectory: "Web"),
              let data = try? Data(contentsOf: url)
        else { return nil }
        return ByteBuffer(bytes: data)
    }
}

extension Router {
    /// `GET /` (the demo page, unless disabled) and `GET /sessiongate.js` (SPEC §5).
    func addWebRoutes(_ assets: WebAssets, demoEnabled: Bool) {
        get("/") { _, _ -> Response in
            guard demoEnabled, let page = assets.indexHTML else {
                return JSONResponse.error("Not found", status: .notFound)
            }
            return webFile(page, contentType: "text/html; charset=utf-8")
        }
        get("/sessiongate.js") { _, _ -> Response in
            guard let script = assets.clientScript else {
                return JSONResponse.error("Not found", status: .notFound)
            }
            return webFile(script, contentType: "text/javascript; charset=utf-8")
        }
        // A plain GET on the WebSocket endpoint: say what it expects instead of a bare 404.
        get("/v1/session") { _, _ -> Response in
            var response = JSONResponse.error("This endpoint takes a WebSocket upgrade", status: .upgradeRequired)
            response.headers[.upgrade] = "websocket"
            return response
        }
    }
}

private func webFile(_ bytes: ByteBuffer, contentType: String) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = contentType
    headers[.cacheControl] = "no-cache"
    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
}
