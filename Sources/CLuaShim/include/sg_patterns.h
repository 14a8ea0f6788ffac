#ifndef SG_PATTERNS_H
#define SG_PATTERNS_H

#include <lua.h>

/* Replaces find, match, gmatch and gsub in the table at index `idx` (the string
   library table) with versions that call sg_checkpoint while they match.
   They behave like Lua 5.4's own; only the time limit can now stop them. */
void sg_install_bounded_patterns(lua_State *L, int idx);

#endif
