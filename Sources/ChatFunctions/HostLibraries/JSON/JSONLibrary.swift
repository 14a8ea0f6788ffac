import LuaRuntime
import StrictJSON

/// The `json` global of SPEC §3.
///
/// - `json.encode(value)` returns compact JSON text. Tables convert by these
///   rules: **an empty table encodes as `{}`** (an object, never `[]`; Lua
///   cannot tell the two apart, so the rule is fixed here); a table whose keys
///   are exactly `1…n` is an array; a table whose keys are all strings is an
///   object, its keys written in byte order so the same table always gives
///   the same text. `nil` and `json.null` encode as `null`, integers stay
///   integers, floats keep a fraction or exponent. Refused with an error a
///   script can catch: cycles, mixed or sparse keys, non-string keys other
///   than `1…n`, functions and other userdata, NaN and infinities, strings
///   that are not valid UTF-8, and nesting deeper than the runtime copies.
/// - `json.decode(text)` parses strictly (``JSONParser``, at most 64 levels
///   deep) and returns the value as SPEC §3 converts `authParams`: objects to
///   string-keyed tables, arrays to sequences from 1, `null` to `json.null`,
///   integers to integers, other numbers to floats. A bad text raises
///   `json.decode: <what is wrong> at offset N`.
/// - `json.null` is the sentinel for JSON `null` (a light userdata). Because
///   a Lua table cannot hold `nil`, `{a = json.null}` is how a script writes
///   `{"a": null}`.
public enum JSONLibrary {
    /// The deepest nesting `json.decode` accepts, as on the wire.
    public static let maxDecodeDepth = 64

    /// Defines the read-only `json` global in `lua`.
    public static func install(into lua: LuaState) throws(LuaError) {
        try lua.defineLibrary(
            "json",
            functions: ["encode": encode, "decode": decode],
            constants: { b in b.setField("null") { $0.pushJSONNull() } }
        )
    }

    static func encode(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        guard args.count >= 1 else { throw args.argumentError(1, "value expected") }
        // Copying refuses cycles, unconvertible keys and excessive depth, as a
        // `bad argument #1 to 'json.encode' (table contains a cycle)` error.
        let value = try args.value(1)
        do {
            results.push(bytes: try JSONValue(lua: value).encodedBytes())
        } catch {
            throw LuaHostError("json.encode: \(error.message)")
        }
    }

    static func decode(_ args: LuaArguments, _ results: inout LuaPushBuffer) throws(LuaHostError) {
        let text = try args.string(1)
        do {
            try JSONParser.parse(text.bytes, maxDepth: maxDecodeDepth).push(into: &results)
        } catch {
            throw LuaHostError("json.decode: \(error.message)")
        }
    }
}
