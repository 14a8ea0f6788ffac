#ifndef SG_PATTERNS_H
#define SG_PATTERNS_H

#include <lua.h>

/* Replaces find, match, gmatch and gsub in the table at index `idx` (the string
   library table) with this project's own (pattern_library.c, on the matcher of
   pattern_engine.c), which call sg_checkpoint while they match. They behave like
   Lua 5.4's own, results and error messages alike (Tests/PatternDiff holds them
   to it); only the time limit can now stop them. */
void sg_install_bounded_patterns(lua_State *L, int idx);

#endif
