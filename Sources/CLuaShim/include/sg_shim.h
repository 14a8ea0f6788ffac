/*
 * The C side of sessiongate's Lua runtime: the macros Swift cannot import,
 * the capped allocator, the deadline hook, and every call that may raise a
 * Lua error. Swift never calls an API function that can raise (the manual
 * tags them 'm', 'e' or 'v'); it calls the sg_* functions below, which run
 * such work under lua_pcall. See the Safety section of the README.
 */
#ifndef SG_SHIM_H
#define SG_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Which limit a call hit; sticky until the state is thrown away. */
enum { SG_LIMIT_NONE = 0, SG_LIMIT_TIME = 1, SG_LIMIT_MEMORY = 2, SG_LIMIT_STACK = 3 };

/* What a host function produced: `nops` push operations, or an error message. */
typedef struct sg_op sg_op;
typedef struct sg_host_result {
    const sg_op *ops;
    size_t nops;
    const char *bytes;
    int nresults;       /* values the ops leave on the stack */
    int slots;          /* stack slots the ops need at most */
    const char *error;  /* non-NULL: raise this message (with the caller's position) */
    size_t error_len;
    int can_wait;       /* in: the caller can yield (it runs in a task, not under a C call) */
    int resuming;       /* in: the task was resumed after a wait; produce the call's results */
    int wait;           /* out: yield the task; when it is resumed, dispatch again with resuming */
} sg_host_result;

typedef void (*sg_log_fn)(void *ctx, int level, const char *msg, size_t len);
typedef void (*sg_dispatch_fn)(lua_State *L, void *function_box, sg_host_result *result);

/* Per-state control block, reachable from every thread through lua_getextraspace. */
typedef struct sg_control {
    size_t mem_used;
    size_t mem_limit;
    int64_t deadline_ns;   /* CLOCK_MONOTONIC; the hook fails once it has passed */
    int limit;             /* SG_LIMIT_* */
    int instructions;      /* count between hook checks */
    sg_log_fn log;
    void *log_ctx;
    sg_dispatch_fn dispatch;
    char *traceback;       /* malloc'd copy of the last error's traceback */
    size_t traceback_len;
    /* 1: no hook until sg_interrupt, a late start or a limit arms it (interrupt.c). */
    int late_hook;
    volatile sig_atomic_t armed;   /* this run's hook is armed */
    lua_State *volatile running;   /* the thread running script code, NULL between runs */
    int key_cache;         /* registry ref of the SG_OP_KEY strings by address, or LUA_NOREF */
} sg_control;

/* Push operations: a flat program that builds values in protected mode. */
enum {
    SG_OP_NIL, SG_OP_TRUE, SG_OP_FALSE, SG_OP_INT, SG_OP_NUM, SG_OP_STR,
    SG_OP_LIGHTNULL,  /* the json.null sentinel: a NULL light userdata */
    SG_OP_REF,        /* registry[i] */
    SG_OP_TABLE,      /* new table; a = array size hint, i = record size hint */
    SG_OP_RAWSET,     /* t[k] = v with t, k, v on top; pops k and v */
    SG_OP_RAWSETI,    /* t[i] = v with t, v on top; pops v */
    SG_OP_KEY         /* a string whose bytes never move (a Swift StaticString): i = address,
                         len = length; interned once per state, then found by its address */
};
struct sg_op {
    int32_t code;
    int32_t a;
    union { int64_t i; double d; size_t offset; } v;
    size_t len;
};

int64_t sg_now_ns(void);

/* A new state with the capped allocator, the deadline hook and only the safe
   standard libraries opened (base, coroutine, table, string, math, utf8, os).
   NULL when even that does not fit under the cap. */
lua_State *sg_newstate(sg_control *control);
void sg_close(lua_State *L);
sg_control *sg_control_of(lua_State *L);

/* Late hooks: installs the handler of the interrupt (SIGURG) once; 0 or -1 (errno). */
int sg_install_interrupt(void);
/* Unblocks the interrupt on the calling thread (threads inherit their creator's mask, and
   libdispatch's threads block every signal); 0 or an errno. */
int sg_receive_interrupts(void);
/* Arms the deadline hook of the run `thread` is in (if any) from another thread; 0 or an
   errno. The owner calls it at a run's deadline and only while that OS thread is alive. */
int sg_interrupt(pthread_t thread);

/* Arms the deadline for a call. */
void sg_set_deadline(lua_State *L, int64_t deadline_ns);

/* Raises the time-limit error when the deadline has passed (for long C loops). */
void sg_checkpoint(lua_State *L);

/* Runs `ops` (which need at most `slots` stack slots) in protected mode,
   leaving their values on the stack. Returns a
   LUA_* status; on error the error object is on top. */
int sg_push(lua_State *L, const sg_op *ops, size_t nops, const char *bytes, int slots);

/* Calls registry[function_ref] with the values built by `ops` as arguments,
   in protected mode with a traceback handler. On LUA_OK the results are on
   the stack above the old top; otherwise the error object is on top. */
int sg_call(lua_State *L, int function_ref, const sg_op *ops, size_t nops,
            const char *bytes, int nargs, int slots);

/* Loads a text chunk (never binary) in protected mode; the function is on top. */
int sg_load(lua_State *L, const char *source, size_t len, const char *chunkname);

/* Pops the top value into the registry; LUA_NOREF when that fails (memory). */
int sg_ref(lua_State *L);
void sg_unref(lua_State *L, int ref);
void sg_getref(lua_State *L, int ref);

/* Pushes a C closure calling the Swift dispatcher with `box`, in protected mode. */
int sg_push_host_function(lua_State *L, void *box);

/* Sets t[key] = v, t at `table_index` and v on top (pops v), in protected mode. */
int sg_setfield(lua_State *L, int table_index, const char *key);

/* The sandbox's replacements for pcall, xpcall and coroutine.resume, which
   let no limit error be caught, and print/warn routed to the log. */
int sg_push_guards(lua_State *L);

/* ---- tasks: one coroutine per authentication or trigger run ------------
   A host function that must wait (an `http` call) yields its task with a
   sentinel value; the sandbox's coroutine.resume passes that yield through a
   script's own coroutines, so it always reaches the task's resumer. */

/* A new coroutine of L, anchored in the registry: its ref (LUA_NOREF when
   memory ran out) and the thread in *thread. */
int sg_newtask(lua_State *L, lua_State **thread);

/* Pushes registry[function_ref] and the values `ops` builds onto the task's
   empty stack and resumes it. LUA_OK: *nresults results on the task's stack;
   LUA_YIELD: it yielded *nresults values; otherwise the error object is on
   the task's top and its traceback is kept in the control block. */
int sg_task_start(lua_State *L, lua_State *task, int function_ref, const sg_op *ops, size_t nops,
                  const char *bytes, int nargs, int slots, int *nresults);

/* Resumes a task that yielded, with no values. Same results as sg_task_start. */
int sg_task_resume(lua_State *L, lua_State *task, int *nresults);

/* Whether a yield of `nresults` values on the task's top is a host function's wait. */
int sg_task_is_waiting(lua_State *task, int nresults);

/* Macros and constants Swift cannot import. */
int sg_registryindex(void);
int sg_upvalueindex(int i);
void sg_pop(lua_State *L, int n);
const char *sg_typename(lua_State *L, int index);

#endif
