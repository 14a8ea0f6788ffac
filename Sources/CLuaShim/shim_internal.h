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

#endif
