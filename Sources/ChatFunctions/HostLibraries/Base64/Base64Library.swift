import LuaRuntime

/// The `base64` global of SPEC §3. Binary-safe: Lua strings are bytes, and so
/// are the results.
///
/// | function | |
/// |---|---|
/// | `encode(s)` | standard alphabet, `=` padding |
/// | `decode(s)` | standard alphabet, padding required; raises on invalid input |
/// | `urlencode(s)` | URL-safe alphabet (`-`, `_`), no padding |
/// | `urldecode(s)` | URL-safe alphabet, padding optional; raises on invalid input |
///
/// Decoding is strict (see ``Base64Codec``): whitespace, characters of the
/// other alphabet and non-canonical final characters are errors a script can
/// catch with `pcall`, e.g. `base64.decode: invalid character '*' at offset 3`.
public enum Base64Library {
    /// Defines the read-only `base64` global in `lua`.
    public static func install(into lua: LuaState) throws(LuaError) {
        try lua.defineLibrary("base64", functions: [
            "encode": encoder(.standard),
            "decode": decoder(.standard, name: "base64.decode"),
            "urlencode": encoder(.url),
            "urldecode": decoder(.url, name: "base64.urldecode"),
        ])
    }

    private static func encoder(_ codec: Base64Codec) -> HostFunction {
        { args, results throws(LuaHostError) in
            results.push(bytes: codec.encode(try args.string(1).bytes))
        }
    }

    private static func decoder(_ codec: Base64Codec, name: String) -> HostFunction {
        { args, results throws(LuaHostError) in
            let text = try args.string(1)
            do throws(Base64DecodingError) {
                results.push(bytes: try codec.decode(text.bytes))
            } catch {
                throw LuaHostError("\(name): \(error.message)")
            }
        }
    }
}
