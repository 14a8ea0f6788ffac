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

    /// `{"error":{"message":…}}`, the shape of every HTTP error this gateway writes itself.
    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        make(["error": ["message": .string(message)]], status: status)
    }
}
