import LuaRuntime

extension JWTVerifier {
    /// The fields `jwt.verify` options may have. Any other field is an error,
    /// so that a misspelt `audiance` cannot silently switch a check off.
    static let optionNames: Set<String> = ["key", "algorithms", "issuer", "audience"]

    /// Reads a `jwt.verify` options table: `key` (a string, required),
    /// `algorithms` (a non-empty sequence of `"HS256"`, `"RS256"`, `"ES256"`,
    /// required), `issuer` and `audience` (strings, optional).
    public init(options: LuaTable) throws(JWTOptionsError) {
        for key in options.entries.keys {
            guard case .string(let name) = key, let text = name.string, Self.optionNames.contains(text) else {
                throw JWTOptionsError("unknown option \(Self.describe(key)) (expected key, algorithms, issuer, audience)")
            }
        }
        guard case .string(let keyBytes) = options["key"] else {
            throw JWTOptionsError("options.key must be a string, got \(options["key"].typeName)")
        }
        try self.init(
            key: JWTVerificationKey(keyBytes.bytes),
            algorithms: Self.algorithms(options["algorithms"]),
            issuer: Self.optionalString(options["issuer"], name: "issuer"),
            audience: Self.optionalString(options["audience"], name: "audience")
        )
    }

    private static func algorithms(_ value: LuaValue) throws(JWTOptionsError) -> Set<JWSAlgorithm> {
        guard case .table(let table) = value else {
            throw JWTOptionsError("options.algorithms must be a list such as {\"RS256\"}, got \(value.typeName)")
        }
        guard let names = table.sequence else {
            throw JWTOptionsError("options.algorithms must be a non-empty list such as {\"RS256\"}")
        }
        var algorithms: Set<JWSAlgorithm> = []
        for name in names {
            guard case .string(let bytes) = name, let text = bytes.string else {
                throw JWTOptionsError("options.algorithms must hold strings, got a \(name.typeName)")
            }
            guard text.lowercased() != "none" else {
                throw JWTOptionsError("options.algorithms cannot allow 'none': unsigned tokens are never accepted")
            }
            guard let algorithm = JWSAlgorithm(rawValue: text) else {
                throw JWTOptionsError("options.algorithms: unsupported algorithm '\(text.prefix(16))' (supported: HS256, RS256, ES256)")
            }
            algorithms.insert(algorithm)
        }
        return algorithms
    }

    private static func optionalString(_ value: LuaValue, name: String) throws(JWTOptionsError) -> String? {
        switch value {
        case .nil: return nil
        case .string(let bytes):
            guard let text = bytes.string else { throw JWTOptionsError("options.\(name) is not valid UTF-8") }
            return text
        default: throw JWTOptionsError("options.\(name) must be a string, got \(value.typeName)")
        }
    }

    private static func describe(_ key: LuaKey) -> String {
        if case .string(let name) = key { return "'\(name.description.prefix(32))'" }
        return "[\(key.value.typeName) key]"
    }
}
