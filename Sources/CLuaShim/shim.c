/*
 * Safety: every Lua API call that may raise ('m', 'e' or 'v' in the manual)
 * happens in this file, inside a function run by lua_pcall, or inside a C
 * function that Lua itself called (a library function, a hook, a host
 * trampoline). A raise therefore unwinds only C frames up to the nearest
 * lua_pcall; it never crosses a Swift frame. Swift calls only the sg_*
 * entry points and API functions tagged '-'.
 */
#include "sg_shim.h"
#include "sg_patterns.h"
#include "shim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t sg_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

sg_control *sg_control_of(lua_State *L) {
    return *(sg_control **)lua_getextraspace(L);
}

/* The allocator counts every live byte and refuses to pass the cap. A refusal
   marks the state: even if the script catches the error, the call fails. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    sg_control *c = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        c->mem_used -= old;
        return NULL;
    }
    if (nsize > old && c->mem_used - old + nsize > c->mem_limit) {
        if (c->limit == SG_LIMIT_NONE) c->limit = SG_LIMIT_MEMORY;
        /* A late hook is armed now: `load` returns a memory error as a value, and a loop
           around it would otherwise run on until the deadline. */
        sg_arm(c);
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (block == NULL) {
        if (c->limit == SG_LIMIT_NONE) c->limit = SG_LIMIT_MEMORY;
        sg_arm(c);
        return NULL;
    }
    c->mem_used = c->mem_used - old + nsize;
    return block;
}

static void raise_limit(lua_State *L, sg_control *c) {
    /* From now on fail at every instruction, so that no pcall loop outlives it. */
    sg_arm(c);
    sg_arm_thread(c, L);
    if (c->limit == SG_LIMIT_MEMORY) luaL_error(L, "not enough memory");
    if (c->limit == SG_LIMIT_STACK) luaL_error(L, "stack overflow");
    luaL_error(L, "time limit exceeded");
}

void sg_deadline_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    sg_control *c = sg_control_of(L);
    if (c->limit == SG_LIMIT_NONE) {
        if (sg_now_ns() < c->deadline_ns) return;
        c->limit = SG_LIMIT_TIME;
    }
    raise_limit(L, c);
}

void sg_checkpoint(lua_State *L) {
    sg_control *c = sg_control_of(L);
    if (c->limit == SG_LIMIT_NONE) {
        if (sg_now_ns() < c->deadline_ns) return;
        c->limit = SG_LIMIT_TIME;
    }
    raise_limit(L, c);
}

void sg_set_deadline(lua_State *L, int64_t deadline_ns) {
    sg_control_of(L)->deadline_ns = deadline_ns;
}

static int panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "sessiongate: unprotected Lua error: %s\n", msg ? msg : "?");
    abort();
}

static int open_safe_libs(lua_State *L) {
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_COLIBNAME, luaopen_coroutine},
        {LUA_TABLIBNAME, luaopen_table},  {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math},  {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_OSLIBNAME, luaopen_os},      {NULL, NULL}};
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lua_getglobal(L, LUA_STRLIBNAME);
    sg_install_bounded_patterns(L, lua_gettop(L));
    lua_pop(L, 1);
    return 0;
}

lua_State *sg_newstate(sg_control *c) {
    c->mem_used = 0;
    c->limit = SG_LIMIT_NONE;
    c->deadline_ns = INT64_MAX;
    c->armed = 0;
    c->running = NULL;
    c->key_cache = LUA_NOREF;
    if (c->instructions <= 0) c->instructions = 1000;
    lua_State *L = lua_newstate(capped_alloc, c);
    if (L == NULL) return NULL;
    *(sg_control **)lua_getextraspace(L) = c;
    lua_atpanic(L, panic);
    /* Threads created later inherit this hook (lua_newthread copies it). A late hook is
       armed when needed instead (interrupt.c). */
    if (c->late_hook && sg_install_interrupt() != 0) c->late_hook = 0;
    if (!c->late_hook) lua_sethook(L, sg_deadline_hook, LUA_MASKCOUNT, c->instructions);
    lua_pushcfunction(L, open_safe_libs);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    return L;
}

void sg_close(lua_State *L) {
    sg_control *c = sg_control_of(L);
    lua_close(L);
    free(c->traceback);
    c->traceback = NULL;
}

/* ---- push programs ---------------------------------------------------- */

/* The strings of SG_OP_KEY, found by their bytes' address: a key pushed on every call (the
   event's and context.user's field names) is hashed and interned once per state instead of
   by lua_pushlstring each time. The table sits below the program's values while it runs, at
   `cache`, and leaves with run_ops. */
static int push_key_cache(lua_State *L, const sg_op *ops, size_t nops) {
    size_t i = 0;
    while (i < nops && ops[i].code != SG_OP_KEY) i++;
    if (i == nops) return 0;
    sg_control *c = sg_control_of(L);
    if (c->key_cache == LUA_NOREF) {
        lua_newtable(L);
        c->key_cache = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->key_cache);
    return lua_gettop(L);
}

static void push_key(lua_State *L, int cache, const char *key, size_t len) {
    if (lua_rawgetp(L, cache, key) == LUA_TSTRING) return;
    lua_pop(L, 1);
    lua_pushlstring(L, key, len);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, cache, key);
}

static void run_ops(lua_State *L, const sg_op *ops, size_t nops, const char *bytes, int slots) {
    luaL_checkstack(L, slots + 2, "building a value");
    int cache = push_key_cache(L, ops, nops);
    for (size_t i = 0; i < nops; i++) {
        const sg_op *op = &ops[i];
        switch (op->code) {
            case SG_OP_NIL: lua_pushnil(L); break;
            case SG_OP_TRUE: lua_pushboolean(L, 1); break;
            case SG_OP_FALSE: lua_pushboolean(L, 0); break;
            case SG_OP_INT: lua_pushinteger(L, (lua_Integer)op->v.i); break;
            case SG_OP_NUM: lua_pushnumber(L, (lua_Number)op->v.d); break;
            case SG_OP_STR: lua_pushlstring(L, bytes + op->v.offset, op->len); break;
            case SG_OP_LIGHTNULL: lua_pushlightuserdata(L, NULL); break;
            case SG_OP_REF: lua_rawgeti(L, LUA_REGISTRYINDEX, (lua_Integer)op->v.i); break;
            case SG_OP_TABLE: lua_createtable(L, op->a, (int)op->v.i); break;
            case SG_OP_RAWSET: lua_rawset(L, -3); break;
            case SG_OP_RAWSETI: lua_rawseti(L, -2, (lua_Integer)op->v.i); break;
            case SG_OP_KEY: push_key(L, cache, (const char *)(intptr_t)op->v.i, op->len); break;
            default: luaL_error(L, "bad push operation %d", (int)op->code);
        }
    }
    if (cache != 0) lua_remove(L, cache);
}

int sg_push_body(lua_State *L) {
    const sg_program *p = lua_touserdata(L, 1);
    run_ops(L, p->ops, p->nops, p->bytes, p->slots);
    return lua_gettop(L) - 1;
}

int sg_push(lua_State *L, const sg_op *ops, size_t nops, const char *bytes, int slots) {
    sg_program p = {ops, nops, bytes, LUA_NOREF, 0, 0, slots};
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    lua_pushcfunction(L, sg_push_body);
    lua_pushlightuserdata(L, &p);
    return lua_pcall(L, 1, LUA_MULTRET, 0);
}

/* Keeps the traceback on top of the stack in the control block, outside Lua's heap. */
void sg_keep_traceback(lua_State *L) {
    sg_control *c = sg_control_of(L);
    size_t len;
    const char *tb = lua_tolstring(L, -1, &len);
    char *copy = malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, tb, len + 1);
        free(c->traceback);
        c->traceback = copy;
        c->traceback_len = len;
    }
}

static int traceback_handler(lua_State *L) {
    luaL_traceback(L, L, NULL, 1);
    sg_keep_traceback(L);
    lua_settop(L, 1);
    return 1;
}

static int call_body(lua_State *L) {
    const sg_program *p = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->function_ref);
    run_ops(L, p->ops, p->nops, p->bytes, p->slots);
    ((sg_program *)p)->started = 1;
    lua_call(L, p->nargs, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

int sg_call(lua_State *L, int function_ref, const sg_op *ops, size_t nops,
            const char *bytes, int nargs, int slots) {
    sg_program p = {ops, nops, bytes, function_ref, nargs, 0, slots};
    if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
    int handler = lua_gettop(L) + 1;
    lua_pushcfunction(L, traceback_handler);
    lua_pushcfunction(L, call_body);
    lua_pushlightuserdata(L, &p);
    sg_control *c = sg_control_of(L);
    sg_running saved;
    sg_switch_to(c, L, &saved);
    /* Calls outside a task (loading a file, the test runner) have no watchdog to interrupt
       them: under a deadline the call is armed from the start, coroutines it resumes too. */
    if (c->deadline_ns != INT64_MAX) sg_arm(c);
    int status = lua_pcall(L, 1, LUA_MULTRET, handler);
    sg_leave_main_thread(c, &saved);
    lua_remove(L, handler);
    /* Building the arguments ran out of memory before any script code ran:
       Lua leaves the state consistent after a memory error, so it stays usable. */
    if (status == LUA_ERRMEM && !p.started) sg_control_of(L)->limit = SG_LIMIT_NONE;
    return status;
}

int sg_load(lua_State *L, const char *source, size_t len, const char *chunkname) {
    if (!lua_checkstack(L, 1)) return LUA_ERRMEM;
    return luaL_loadbufferx(L, source, len, chunkname, "t");
}

static int ref_body(lua_State *L) {
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

int sg_ref(lua_State *L) {
    if (!lua_checkstack(L, 2)) { lua_pop(L, 1); return LUA_NOREF; }
    lua_pushcfunction(L, ref_body);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) { lua_pop(L, 1); return LUA_NOREF; }
    int ref = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return ref;
}

static int unref_body(lua_State *L) {
    luaL_unref(L, LUA_REGISTRYINDEX, (int)lua_tointeger(L, 1));
    return 0;
}

void sg_unref(lua_State *L, int ref) {
    if (ref == LUA_NOREF || ref == LUA_REFNIL || !lua_checkstack(L, 2)) return;
    lua_pushcfunction(L, unref_body);
    lua_pushinteger(L, ref);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
}

void sg_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }

/* ---- host functions ---------------------------------------------------- */

/* A host function's wait yields this address; nothing a script holds can equal it. */
char sg_wait_sentinel;

/* Raises the host function's error or pushes its results. The Swift frame
   has returned: raising from here unwinds C frames only. */
static int host_finish(lua_State *L, const sg_host_result *r) {
    if (r->error != NULL) {
        luaL_where(L, 1);
        lua_pushlstring(L, r->error, r->error_len);
        lua_concat(L, 2);
        return lua_error(L);
    }
    int base = lua_gettop(L);
    run_ops(L, r->ops, r->nops, r->bytes, r->slots);
    return lua_gettop(L) - base;
}

static int host_continue(lua_State *L, int status, lua_KContext ctx) {
    (void)status; (void)ctx;
    /* Time spent waiting counts: past the deadline the script sees no result. */
    sg_checkpoint(L);
    sg_control *c = sg_control_of(L);
    sg_host_result r = {0};
    r.resuming = 1;
    c->dispatch(L, lua_touserdata(L, lua_upvalueindex(1)), &r);
    return host_finish(L, &r);
}

static int host_trampoline(lua_State *L) {
    sg_control *c = sg_control_of(L);
    sg_host_result r = {0};
    r.can_wait = lua_isyieldable(L);
    c->dispatch(L, lua_touserdata(L, lua_upvalueindex(1)), &r);
    if (r.wait && r.error == NULL && r.can_wait) {
        lua_settop(L, 0);
        lua_pushlightuserdata(L, &sg_wait_sentinel);
        return lua_yieldk(L, 1, 0, host_continue);
    }
    return host_finish(L, &r);
}

static int host_function_body(lua_State *L) {
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, host_trampoline, 1);
    return 1;
}

int sg_push_host_function(lua_State *L, void *box) {
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    lua_pushcfunction(L, host_function_body);
    lua_pushlightuserdata(L, box);
    return lua_pcall(L, 1, 1, 0);
}

static int setfield_body(lua_State *L) {
    /* 1: table, 2: value, 3: key (light userdata to a C string) */
    lua_pushstring(L, lua_touserdata(L, 3));
    lua_pushvalue(L, 2);
    lua_rawset(L, 1);
    return 0;
}

int sg_setfield(lua_State *L, int table_index, const char *key) {
    table_index = lua_absindex(L, table_index);
    if (!lua_checkstack(L, 4)) { lua_pop(L, 1); return LUA_ERRMEM; }
    lua_pushcfunction(L, setfield_body);
    lua_pushvalue(L, table_index);
    lua_pushvalue(L, -3);
    lua_pushlightuserdata(L, (void *)key);
    int status = lua_pcall(L, 3, 0, 0);
    if (status == LUA_OK) lua_pop(L, 1); else lua_remove(L, -2);
    return status;
}

/* ---- macros ------------------------------------------------------------- */

int sg_registryindex(void) { return LUA_REGISTRYINDEX; }
int sg_upvalueindex(int i) { return lua_upvalueindex(i); }
void sg_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
const char *sg_typename(lua_State *L, int index) { return lua_typename(L, lua_type(L, index)); }
