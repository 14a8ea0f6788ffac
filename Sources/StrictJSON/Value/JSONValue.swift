/// A JSON value, as parsed strictly by ``JSONParser`` or built in code.
///
/// Numbers keep the distinction the Lua contract needs (SPEC §3): a literal
/// without fraction or exponent that fits a signed 64-bit integer is
/// ``integer(_:)``; every other number is ``double(_:)``. The two cases never
/// compare equal to each other: `.integer(1) != .double(1.0)`.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits `Int64`.
    case integer(Int64)
    /// Any other number. The parser only produces finite values; a non-finite
    /// value built in code encodes as `null` (see ``encoded()``).
    case double(Double)
    /// A string; never holds a lone surrogate.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with ordered, unique keys.
    case object(JSONObject)
}
