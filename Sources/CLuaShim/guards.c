/*
 * Safety: as in shim.c, every Lua API call that may raise runs inside lua_pcall or inside a C
 * function Lua itself called; no raise crosses a Swift frame.
 */
#include "sg_shim.h"
#include "shim_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- guards: limits cannot be caught ------------------------------------ */

static int ends_with(const char *s, size_t n, const char *suffix) {
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* True when the error on top comes from a limit; marks the state if so. */
static int is_limit_error(lua_State *L, int status) {
    sg_control *c = sg_control_of(L);
    if (c->limit != SG_LIMIT_NONE) return 1;
    if (status == LUA_ERRMEM) { c->limit = SG_LIMIT_MEMORY; sg_arm(c); return 1; }
    if (lua_type(L, -1) == LUA_TSTRING) {
        size_t n;
        const char *msg = lua_tolstring(L, -1, &n);
        if (ends_with(msg, n, "stack overflow")) { c->limit = SG_LIMIT_STACK; sg_arm(c); return 1; }
    }
    return 0;
}

static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        if (is_limit_error(L, status)) return lua_error(L);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int guarded_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

/* Lua runs a message handler with hooks off when the error came from a hook,
   so after a limit the script's handler is skipped: it could loop forever. */
static int guarded_handler(lua_State *L) {
    if (sg_control_of(L)->limit != SG_LIMIT_NONE) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int guarded_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/* After the real resume: stack is co, ok, values... A host function's wait
   inside the script's coroutine is passed on: this thread yields it too, and
   when resumed, resumes the inner coroutine again. */
static int resume_continue(lua_State *L, int status, lua_KContext ctx);

static int after_resume(lua_State *L) {
    int ok = lua_toboolean(L, 2);
    if (ok && lua_gettop(L) == 3 && lua_type(L, 3) == LUA_TLIGHTUSERDATA && lua_touserdata(L, 3) == &sg_wait_sentinel) {
        lua_settop(L, 1);
        lua_pushlightuserdata(L, &sg_wait_sentinel);
        return lua_yieldk(L, 1, 0, resume_continue);
    }
    if (!ok && lua_gettop(L) >= 3) {
        lua_settop(L, 3);
        if (is_limit_error(L, LUA_ERRRUN)) return lua_error(L);
    }
    lua_remove(L, 1);
    return lua_gettop(L);
}

/* Calls the function below its `nargs` arguments, the real coroutine.resume or close of the
   coroutine at index 1, with that coroutine marked as the one running script code (a late
   hook must be armed there: interrupt.c). The mark is undone before any error goes on. */
static void call_in_coroutine(lua_State *L, int nargs) {
    sg_control *c = sg_control_of(L);
    sg_running saved;
    sg_switch_to(c, lua_tothread(L, 1), &saved);
    int status = lua_pcall(L, nargs, LUA_MULTRET, 0);
    sg_switch_back(c, &saved);
    if (status != LUA_OK) lua_error(L);
}

static int resume_continue(lua_State *L, int status, lua_KContext ctx) {
    (void)status; (void)ctx;
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    call_in_coroutine(L, 1);
    return after_resume(L);
}

static int guarded_resume(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTHREAD);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 2);
    lua_pushvalue(L, 1);
    lua_insert(L, 3);  /* co, resume, co, args... */
    call_in_coroutine(L, lua_gettop(L) - 2);
    return after_resume(L);
}

/* coroutine.close runs the coroutine's pending __close handlers in that coroutine. */
static int guarded_close(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTHREAD);
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);  /* co, close, co */
    call_in_coroutine(L, 1);
    int n = lua_gettop(L) - 1;
    if (n >= 2 && !lua_toboolean(L, 2)) {
        /* A limit hit in a handler is not the script's to keep. */
        lua_settop(L, 3);
        if (is_limit_error(L, LUA_ERRRUN)) return lua_error(L);
    }
    return lua_gettop(L) - 1;
}

static int log_args(lua_State *L, int level, const char *sep) {
    sg_control *c = sg_control_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addstring(&b, sep);
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    if (c->log != NULL) c->log(c->log_ctx, level, msg, len);
    return 0;
}

static int guarded_print(lua_State *L) { return log_args(L, 1, "\t"); }

static int guarded_warn(lua_State *L) {
    if (lua_gettop(L) == 1 && lua_type(L, 1) == LUA_TSTRING && *lua_tostring(L, 1) == '@')
        return 0; /* control messages such as "@on" */
    return log_args(L, 2, "");
}

static int guards_body(lua_State *L) {
    lua_createtable(L, 0, 6);
    lua_pushcfunction(L, guarded_pcall);
    lua_setfield(L, -2, "pcall");
    lua_pushcfunction(L, guarded_xpcall);
    lua_setfield(L, -2, "xpcall");
    lua_pushcfunction(L, guarded_print);
    lua_setfield(L, -2, "print");
    lua_pushcfunction(L, guarded_warn);
    lua_setfield(L, -2, "warn");
    lua_getglobal(L, LUA_COLIBNAME);
    lua_getfield(L, -1, "resume");
    lua_pushcclosure(L, guarded_resume, 1);
    lua_setfield(L, -3, "resume");
    lua_getfield(L, -1, "close");
    lua_pushcclosure(L, guarded_close, 1);
    lua_setfield(L, -3, "close");
    lua_pop(L, 1);
    return 1;
}

int sg_push_guards(lua_State *L) {
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    lua_pushcfunction(L, guards_body);
    return lua_pcall(L, 0, 1, 0);
}

