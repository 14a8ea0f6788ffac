/*
 * What the shim's C files share and Swift does not see: the push program that builds values
 * in protected mode, the traceback kept outside Lua's heap, and the value a host function's
 * wait yields.
 */
#ifndef SG_SHIM_INTERNAL_H
#define SG_SHIM_INTERNAL_H

#include "sg_shim.h"

typedef struct sg_program {
    const sg_op *ops;
    size_t nops;
    const char *bytes;
    int function_ref;
    int nargs;
    int started;  /* the callee began running: the failure may be the script's */
    int slots;
} sg_program;

/* lua_CFunction: runs the program given as light userdata at index 1, leaving its values. */
int sg_push_body(lua_State *L);

/* Copies the string on top (a traceback) into the control block. */
void sg_keep_traceback(lua_State *L);

/* A host function's wait yields this address; nothing a script holds can equal it. */
extern char sg_wait_sentinel;

/* ---- which thread runs script code (interrupt.c) ------------------------ */

/* The count hook that fails once the deadline has passed or a limit was hit. */
void sg_deadline_hook(lua_State *L, lua_Debug *ar);

/* What a switch replaced, for sg_switch_back. */
typedef struct sg_running {
    sg_control *control;
    lua_State *thread;
} sg_running;

/* Script code of `c` now runs in thread L on this OS thread (a task's start or resume when
   nothing of c runs yet, a coroutine's resume or close otherwise); arms L when the run is armed. */
void sg_switch_to(sg_control *c, lua_State *L, sg_running *saved);
/* Back to what sg_switch_to replaced; arms that thread when the run was armed meanwhile. */
void sg_switch_back(sg_control *c, const sg_running *saved);

/* sg_switch_back from the state's main thread, whose hook a late-hook state clears first:
   tasks copy it when they are made. */
void sg_leave_main_thread(sg_control *c, const sg_running *saved);

/* A late hook's state: arms the running thread now (a limit was hit). No-op otherwise. */
void sg_arm(sg_control *c);
/* Sets the deadline hook on L: every `instructions`, or every instruction after a limit. */
void sg_arm_thread(sg_control *c, lua_State *L);

#endif
