import CLua
import CLuaShim

/// Copies values from a Lua stack into Swift (mlua's `FromLua` side).
///
/// Safety: it calls only API functions that cannot raise (tagged '-' in the
/// manual), plus `lua_next` on tables it does not change and `lua_tolstring`
/// on values that already are strings (no conversion, no allocation).
struct LuaStackReader {
    let L: OpaquePointer
    /// Tables nested deeper than this are refused.
    var maxDepth = 100

    func value(at index: Int32) throws(LuaError) -> LuaValue {
        var visiting: Set<UnsafeRawPointer> = []
        return try value(at: lua_absindex(L, index), depth: 0, visiting: &visiting)
    }

    func type(at index: Int32) -> Int32 { lua_type(L, index) }

    func string(at index: Int32) -> LuaString? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let chars = lua_tolstring(L, index, &length) else { return nil }
        return LuaString(bytes: Array(UnsafeRawBufferPointer(start: chars, count: length)))
    }

    private func value(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>) throws(LuaError) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return .string(string(at: index)!)
        case LUA_TLIGHTUSERDATA:
            return lua_touserdata(L, index) == nil ? .jsonNull : .opaque("userdata")
        case LUA_TTABLE: return .table(try table(at: index, depth: depth, visiting: &visiting))
        default: return .opaque(String(cString: sg_typename(L, index)))
        }
    }

    private func table(at index: Int32, depth: Int, visiting: inout Set<UnsafeRawPointer>) throws(LuaError) -> LuaTable {
        guard depth < maxDepth else { throw .conversion("table nested deeper than \(maxDepth) levels") }
        guard let identity = lua_topointer(L, index) else { return LuaTable() }
        guard visiting.insert(identity).inserted else { throw .conversion("table contains a cycle") }
        defer { visiting.remove(identity) }
        guard lua_checkstack(L, 3) != 0 else { throw .memory }
        var entries: [LuaKey: LuaValue] = [:]
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let top = lua_gettop(L)
            let key: LuaKey
            do {
                key = try self.key(at: top - 1)
                entries[key] = try value(at: top, depth: depth + 1, visiting: &visiting)
            } catch {
                sg_pop(L, 2)
                throw error
            }
            sg_pop(L, 1)
        }
        return LuaTable(entries)
    }

    private func key(at index: Int32) throws(LuaError) -> LuaKey {
        switch lua_type(L, index) {
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return .string(string(at: index)!)
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        default:
            throw .conversion("a table key of type \(String(cString: sg_typename(L, index))) cannot be converted")
        }
    }

    /// The message of the error object on top, described without running Lua code.
    func errorMessage(at index: Int32) -> String {
        switch lua_type(L, index) {
        case LUA_TSTRING: return string(at: index)!.description
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return String(lua_tointegerx(L, index, nil)) }
            return String(lua_tonumberx(L, index, nil))
        case LUA_TNIL: return "nil"
        default: return "(error object is a \(String(cString: sg_typename(L, index))) value)"
        }
    }
}
