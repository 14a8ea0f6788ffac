import Hummingbird
import StrictJSON

/// Responses whose body is compact JSON.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = value.encodedBytes()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"error":{"message":…}}`, the shape of every HTTP error this gateway writes itself
    /// (here and on the edge, `HTTPFront`).
    static func errorBody(_ message: String) -> JSONValue {
        ["error": ["message": .string(message)]]
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        make(errorBody(message), status: status)
    }
}
