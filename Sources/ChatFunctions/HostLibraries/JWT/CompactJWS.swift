import StrictJSON

/// A JWT in the JWS compact serialization (RFC 7515 §7.1), parsed strictly
/// but not yet verified: exactly three dot-separated parts, each unpadded
/// base64url with canonical final characters; a header that is a JSON object
/// with a string `alg`, an optional string `typ` and no `crit`; a payload
/// that is a JSON object.
struct CompactJWS {
    /// The header's `alg`, as written.
    let algorithm: String
    let claims: JSONObject
    let signature: [UInt8]
    /// `BASE64URL(header) "." BASE64URL(payload)`, the bytes the signature covers.
    let signingInput: [UInt8]

    /// Headers and payloads are shallow; this only stops pathological input early.
    private static let maxDepth = 64

    init(_ token: [UInt8]) throws(JWTRejection) {
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("expected 3 dot-separated parts, found \(parts.count)")
        }
        let header = try Self.object(parts[0], part: "header")
        guard case .string(let algorithm)? = header["alg"] else {
            throw .malformed("the header has no 'alg' string")
        }
        if let type = header["typ"], type.stringValue == nil {
            throw .malformed("the header's 'typ' is not a string")
        }
        // RFC 7515 §4.1.11: a token that needs extensions we do not implement is invalid.
        guard header["crit"] == nil else {
            throw .malformed("the header lists critical extensions ('crit'), which are not supported")
        }
        self.algorithm = algorithm
        self.claims = try Self.object(parts[1], part: "payload")
        do {
            self.signature = try Base64Codec.urlUnpadded.decode(parts[2])
        } catch {
            throw .malformed("the signature is not valid base64url (\(error.message))")
        }
        self.signingInput = Array(token[parts[0].startIndex..<parts[1].endIndex])
    }

    private static func object(_ encoded: ArraySlice<UInt8>, part: String) throws(JWTRejection) -> JSONObject {
        guard !encoded.isEmpty else { throw .malformed("the \(part) is empty") }
        let bytes: [UInt8]
        do {
            bytes = try Base64Codec.urlUnpadded.decode(encoded)
        } catch {
            throw .malformed("the \(part) is not valid base64url (\(error.message))")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: maxDepth)
        } catch {
            throw .malformed("the \(part) is not valid JSON (\(error.message))")
        }
        guard case .object(let object) = value else { throw .malformed("the \(part) is not a JSON object") }
        return object
    }
}
