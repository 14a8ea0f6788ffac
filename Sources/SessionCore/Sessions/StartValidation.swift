import StrictJSON

/// The shape checks of a start, before anything is looked up (SPEC §2).
enum StartValidation {
    static let maxUsernameBytes = 256
    /// The authParams object itself is level 1.
    static let maxAuthParamsDepth = 32

    /// The username, or `invalid_username`: missing, not a string, empty, over 256 UTF-8 bytes,
    /// or holding a C0 or C1 control character (U+0000–U+001F, U+007F–U+009F).
    static func username(_ value: JSONValue?) -> Result<String, GatewayError> {
        guard let value else { return .failure(invalidUsername("The username is missing")) }
        guard case .string(let username) = value else {
            return .failure(invalidUsername("The username must be a string"))
        }
        guard !username.isEmpty else { return .failure(invalidUsername("The username is empty")) }
        guard username.utf8.count <= maxUsernameBytes else {
            return .failure(invalidUsername("The username is longer than \(maxUsernameBytes) bytes"))
        }
        guard !username.unicodeScalars.contains(where: isControl) else {
            return .failure(invalidUsername("The username holds a control character"))
        }
        return .success(username)
    }

    /// The auth params of an authenticated start, `nil` for a guest start, or `invalid_auth_params`:
    /// not an object, or nested deeper than 32 levels.
    static func authParams(_ value: JSONValue?) -> Result<JSONObject?, GatewayError> {
        switch value {
        case nil, .null?:
            return .success(nil)
        case .object(let object)?:
            guard JSONValue.object(object).depth <= maxAuthParamsDepth else {
                return .failure(
                    GatewayError(.invalidAuthParams, "authParams are nested deeper than \(maxAuthParamsDepth) levels")
                )
            }
            return .success(object)
        case _?:
            return .failure(GatewayError(.invalidAuthParams, "authParams must be an object or null"))
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x00...0x1F).contains(scalar.value) || (0x7F...0x9F).contains(scalar.value)
    }

    private static func invalidUsername(_ message: String) -> GatewayError {
        GatewayError(.invalidUsername, message)
    }
}
