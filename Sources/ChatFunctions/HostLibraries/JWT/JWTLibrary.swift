import LuaRuntime

/// The `jwt` global of SPEC §3:
/// `jwt.verify(token, {key = …, algorithms = {…}, issuer = …, audience = …})`.
///
/// Returns the token's claims as a table (converted from the payload JSON like
/// `event.authParams`: every claim, integers as integers), or `nil` and a
/// message. A bad token, including a token that is not a string, never raises;
/// a bad options table does (missing or unusable key, missing or unknown
/// algorithms, an algorithm the key cannot verify, an unknown option), since
/// that is a mistake in the script. See ``JWTVerifier`` for the checks, and
/// ``JWTVerificationKey`` for the keys: HS256 takes the secret's bytes, RS256
/// and ES256 a PEM public key or certificate. `exp` and `nbf` allow 60 s of
/// clock skew.
public enum JWTLibrary {
    /// Defines the read-only `jwt` global in `lua`.
    ///
    /// - Parameter now: the wall clock, in seconds since the epoch; a test
    ///   runner passes its frozen clock here.
    public static func install(into lua: LuaState, now: @escaping () -> Double) throws(LuaError) {
        try lua.defineLibrary("jwt", functions: [
            "verify": { args, results throws(LuaHostError) in try verify(args, &results, now: now()) }
        ])
    }

    static func verify(_ args: LuaArguments, _ results: inout LuaPushBuffer, now: Double) throws(LuaHostError) {
        let options = try args.table(2)
        let verifier: JWTVerifier
        do {
            verifier = try JWTVerifier(options: options)
        } catch {
            throw args.argumentError(2, error.message)
        }
        guard args.typeName(1) == "string" else {
            results.pushNil()
            results.push("token must be a string, got \(args.typeName(1))")
            return
        }
        switch verifier.verify(try args.string(1).bytes, now: now) {
        case .success(let claims):
            claims.push(into: &results)
        case .failure(let rejection):
            results.pushNil()
            results.push(rejection.message)
        }
    }
}
