import Hummingbird
import Prometheus

extension Router {
    /// `GET /metrics`: the Prometheus text exposition of `registry` (SPEC §5).
    func addMetricsRoute(registry: PrometheusCollectorRegistry) {
        get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let bytes = registry.emitToBuffer()
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
