/*
 * string.find, string.match, string.gmatch and string.gsub on top of the
 * matcher in pattern_engine.c. Arguments are checked in the same order and
 * with the same auxiliary-library calls as liblua's, so that a script sees
 * the same results and the same error messages; the differential test in
 * Tests/PatternDiff holds the two side by side.
 */
#include "pattern_engine.h"
#include "sg_patterns.h"

#include <ctype.h>
#include <lauxlib.h>
#include <string.h>

#define ESCAPE '%'

/* A 1-based start position as the manual defines `init`: negative counts
   from the end, and anything before the start means the start. */
static size_t start_offset(lua_Integer init, size_t length) {
    if (init > 0) return (size_t)init - 1;
    if (init == 0 || init < -(lua_Integer)length) return 0;
    return length - (size_t)(-init);
}

/* Without any of these bytes find compares plainly, as liblua does. */
static int has_pattern_characters(const char *p, size_t length) {
    for (size_t i = 0; i < length; i++) {
        if (p[i] != '\0' && strchr("^$*+?.([%-", p[i]) != NULL) return 1;
    }
    return 0;
}

static const char *find_plain(pattern_meter *meter, const char *s, size_t length,
                              const char *needle, size_t needle_length) {
    if (needle_length == 0) return s;
    if (needle_length > length) return NULL;
    const char *last = s + (length - needle_length);
    /* A long needle makes each comparison cost more; the meter counts that. */
    long cost = 1 + (long)(needle_length >> 6);
    while (s <= last) {
        const char *hit = memchr(s, needle[0], (size_t)(last - s) + 1);
        if (hit == NULL) return NULL;
        if (memcmp(hit + 1, needle + 1, needle_length - 1) == 0) return hit;
        pattern_spend(meter, cost);
        s = hit + 1;
    }
    return NULL;
}

static int find_or_match(lua_State *L, int is_find) {
    size_t subject_len, pattern_len;
    const char *subject = luaL_checklstring(L, 1, &subject_len);
    const char *pattern = luaL_checklstring(L, 2, &pattern_len);
    size_t offset = start_offset(luaL_optinteger(L, 3, 1), subject_len);
    if (offset > subject_len) {
        luaL_pushfail(L);
        return 1;
    }
    if (is_find && (lua_toboolean(L, 4) || !has_pattern_characters(pattern, pattern_len))) {
        pattern_meter meter;
        pattern_meter_start(&meter, L);
        const char *hit = find_plain(&meter, subject + offset, subject_len - offset, pattern, pattern_len);
        if (hit != NULL) {
            lua_pushinteger(L, (lua_Integer)(hit - subject) + 1);
            lua_pushinteger(L, (lua_Integer)(hit - subject + pattern_len));
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    int anchored = pattern_len > 0 && pattern[0] == '^';
    if (anchored) {
        pattern++;
        pattern_len--;
    }
    pattern_run run;
    pattern_run_start(&run, L, subject, subject_len, pattern, pattern_len);
    const char *at = subject + offset;
    do {
        const char *end = pattern_match_at(&run, at);
        if (end != NULL) {
            if (!is_find) return pattern_push_captures(&run, at, end);
            lua_pushinteger(L, (lua_Integer)(at - subject) + 1);
            lua_pushinteger(L, (lua_Integer)(end - subject));
            return 2 + pattern_push_captures(&run, NULL, NULL);
        }
    } while (at++ < run.subject_end && !anchored);
    luaL_pushfail(L);
    return 1;
}

static int bounded_find(lua_State *L) { return find_or_match(L, 1); }
static int bounded_match(lua_State *L) { return find_or_match(L, 0); }

/* ---- gmatch -------------------------------------------------------------- */

/* The iterator's upvalues keep both strings alive, and Lua never moves a
   string, so their addresses hold for as long as the iterator lives. */
typedef struct gmatch_position {
    const char *subject, *pattern;
    size_t subject_len, pattern_len;
    size_t next;       /* where the next search starts */
    size_t last_end;   /* where the previous match ended */
    int matched;       /* whether last_end is set */
} gmatch_position;

static int gmatch_next(lua_State *L) {
    gmatch_position *position = lua_touserdata(L, lua_upvalueindex(3));
    const char *subject = position->subject;
    size_t subject_len = position->subject_len;
    pattern_run run;
    pattern_run_start(&run, L, subject, subject_len, position->pattern, position->pattern_len);
    for (size_t at = position->next; at <= subject_len; at++) {
        const char *end = pattern_match_at(&run, subject + at);
        /* An empty match right where the previous one ended does not count. */
        if (end != NULL && !(position->matched && (size_t)(end - subject) == position->last_end)) {
            position->next = position->last_end = (size_t)(end - subject);
            position->matched = 1;
            return pattern_push_captures(&run, subject + at, end);
        }
    }
    position->next = subject_len + 1;
    return 0;
}

static int bounded_gmatch(lua_State *L) {
    size_t subject_len, pattern_len;
    const char *subject = luaL_checklstring(L, 1, &subject_len);
    const char *pattern = luaL_checklstring(L, 2, &pattern_len);
    size_t offset = start_offset(luaL_optinteger(L, 3, 1), subject_len);
    if (offset > subject_len) offset = subject_len + 1;
    lua_settop(L, 2);
    gmatch_position *position = lua_newuserdatauv(L, sizeof *position, 0);
    position->subject = subject;
    position->subject_len = subject_len;
    position->pattern = pattern;
    position->pattern_len = pattern_len;
    position->next = offset;
    position->last_end = 0;
    position->matched = 0;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* ---- gsub ---------------------------------------------------------------- */

/* The replacement string: '%%' is a '%', '%0' the match, '%1'..'%9' captures. */
static void append_template(pattern_run *run, luaL_Buffer *out, const char *start, const char *end) {
    lua_State *L = run->meter.L;
    size_t length;
    const char *text = lua_tolstring(L, 3, &length);
    const char *text_end = text + length;
    const char *escape;
    while ((escape = memchr(text, ESCAPE, (size_t)(text_end - text))) != NULL) {
        luaL_addlstring(out, text, (size_t)(escape - text));
        char code = escape[1];  /* the string's NUL when '%' is last */
        if (code == ESCAPE) {
            luaL_addchar(out, ESCAPE);
        } else if (code == '0') {
            luaL_addlstring(out, start, (size_t)(end - start));
        } else if (isdigit((unsigned char)code)) {
            pattern_push_capture(run, code - '1', start, end);
            luaL_tolstring(L, -1, NULL);
            lua_remove(L, -2);
            luaL_addvalue(out);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", ESCAPE);
        }
        text = escape + 2;
    }
    luaL_addlstring(out, text, (size_t)(text_end - text));
}

static void append_replacement(pattern_run *run, luaL_Buffer *out, const char *start, const char *end,
                               int replacement_type) {
    lua_State *L = run->meter.L;
    if (replacement_type == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int count = pattern_push_captures(run, start, end);
        lua_call(L, count, 1);
    } else if (replacement_type == LUA_TTABLE) {
        pattern_push_capture(run, 0, start, end);
        lua_gettable(L, 3);
    } else {
        append_template(run, out, start, end);
        return;
    }
    if (!lua_toboolean(L, -1)) {  /* nil or false keeps the match as it was */
        lua_pop(L, 1);
        luaL_addlstring(out, start, (size_t)(end - start));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(out);
    }
}

static int bounded_gsub(lua_State *L) {
    size_t subject_len, pattern_len;
    const char *subject = luaL_checklstring(L, 1, &subject_len);
    const char *pattern = luaL_checklstring(L, 2, &pattern_len);
    int replacement_type = lua_type(L, 3);
    lua_Integer max_replacements = luaL_optinteger(L, 4, (lua_Integer)subject_len + 1);
    luaL_argexpected(L, replacement_type == LUA_TNUMBER || replacement_type == LUA_TSTRING ||
                            replacement_type == LUA_TFUNCTION || replacement_type == LUA_TTABLE,
                     3, "string/function/table");
    int anchored = pattern_len > 0 && pattern[0] == '^';
    if (anchored) {
        pattern++;
        pattern_len--;
    }
    luaL_Buffer out;
    luaL_buffinit(L, &out);
    pattern_run run;
    pattern_run_start(&run, L, subject, subject_len, pattern, pattern_len);
    const char *at = subject, *last_end = NULL;
    lua_Integer replaced = 0;
    while (replaced < max_replacements) {
        const char *end = pattern_match_at(&run, at);
        if (end != NULL && end != last_end) {
            replaced++;
            append_replacement(&run, &out, at, end, replacement_type);
            at = last_end = end;
        } else if (at < run.subject_end) {
            luaL_addchar(&out, *at++);
        } else {
            break;
        }
        if (anchored) break;
    }
    luaL_addlstring(&out, at, (size_t)(run.subject_end - at));
    luaL_pushresult(&out);
    lua_pushinteger(L, replaced);
    return 2;
}

void sg_install_bounded_patterns(lua_State *L, int idx) {
    static const luaL_Reg functions[] = {
        {"find", bounded_find}, {"match", bounded_match},
        {"gmatch", bounded_gmatch}, {"gsub", bounded_gsub}, {NULL, NULL}};
    idx = lua_absindex(L, idx);
    for (const luaL_Reg *f = functions; f->name != NULL; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, idx, f->name);
    }
}
