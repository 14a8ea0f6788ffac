/*
 * Safety: as in shim.c, every Lua API call that may raise runs inside lua_pcall or inside a C
 * function Lua itself called; no raise crosses a Swift frame.
 */
#include "sg_shim.h"
#include "shim_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- tasks ------------------------------------------------------------- */

static int newtask_body(lua_State *L) {
    lua_State **out = lua_touserdata(L, 1);
    *out = lua_newthread(L);
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

int sg_newtask(lua_State *L, lua_State **thread) {
    *thread = NULL;
    if (!lua_checkstack(L, 3)) return LUA_NOREF;
    lua_pushcfunction(L, newtask_body);
    lua_pushlightuserdata(L, thread);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) { lua_pop(L, 1); *thread = NULL; return LUA_NOREF; }
    int ref = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return ref;
}

static int task_traceback_body(lua_State *L) {
    luaL_traceback(L, lua_touserdata(L, 1), NULL, 0);
    sg_keep_traceback(L);
    return 0;
}

static int task_resume(lua_State *L, lua_State *task, int nargs, int *nresults) {
    sg_control *c = sg_control_of(L);
    sg_running saved;
    sg_switch_to(c, task, &saved);
    int status = lua_resume(task, L, nargs, nresults);
    sg_switch_back(c, &saved);
    /* Without a hook nobody looked at the clock: a run that ends past its deadline is over its
       time, as one the hook had stopped (the watchdog's interrupt may not have landed yet). */
    if (c->late_hook && status == LUA_OK && c->limit == SG_LIMIT_NONE && sg_now_ns() >= c->deadline_ns)
        c->limit = SG_LIMIT_TIME;
    if (status != LUA_OK && status != LUA_YIELD) {
        *nresults = 0;
        if (lua_checkstack(L, 2)) {
            /* The traceback allocates, and a collection may run a script's finalizer. */
            sg_switch_to(c, L, &saved);
            lua_pushcfunction(L, task_traceback_body);
            lua_pushlightuserdata(L, task);
            if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
            sg_leave_main_thread(c, &saved);
        }
    }
    return status;
}

int sg_task_start(lua_State *L, lua_State *task, int function_ref, const sg_op *ops, size_t nops,
                  const char *bytes, int nargs, int slots, int *nresults) {
    *nresults = 0;
    int base = lua_gettop(L);
    sg_program p = {ops, nops, bytes, LUA_NOREF, 0, 0, slots};
    if (!lua_checkstack(L, 3) || !lua_checkstack(task, nargs + 2)) return LUA_ERRMEM;
    lua_rawgeti(L, LUA_REGISTRYINDEX, function_ref);
    lua_pushcfunction(L, sg_push_body);
    lua_pushlightuserdata(L, &p);
    /* Building the arguments allocates, and a collection may run a script's finalizer. */
    sg_control *c = sg_control_of(L);
    sg_running saved;
    sg_switch_to(c, L, &saved);
    int status = lua_pcall(L, 1, LUA_MULTRET, 0);
    sg_leave_main_thread(c, &saved);
    if (status != LUA_OK) {
        /* No script code ran: the state is still sound. */
        lua_settop(L, base);
        if (status == LUA_ERRMEM) sg_control_of(L)->limit = SG_LIMIT_NONE;
        return LUA_ERRMEM;
    }
    lua_xmove(L, task, lua_gettop(L) - base);
    return task_resume(L, task, nargs, nresults);
}

int sg_task_resume(lua_State *L, lua_State *task, int *nresults) {
    return task_resume(L, task, 0, nresults);
}

int sg_task_is_waiting(lua_State *task, int nresults) {
    return nresults == 1 && lua_type(task, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(task, -1) == &sg_wait_sentinel;
}

