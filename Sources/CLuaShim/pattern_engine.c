/*
 * The matcher. A pattern is a sequence of items; each item is tried at the
 * current subject position and, when it can match in more than one way, the
 * rest of the pattern is tried for each way in the order the manual gives
 * (longest first for '*' and '+', shortest first for '-', with before without
 * for '?'). Only those choices, and captures, recurse; every other item is
 * consumed in a loop. Scripts can see the difference: the recursion depth is
 * capped at PATTERN_MAX_DEPTH and passing it raises "pattern too complex"
 * exactly where liblua would.
 */
#include "pattern_engine.h"
#include "sg_shim.h"

#include <ctype.h>
#include <lauxlib.h>
#include <string.h>

#define ESCAPE '%'

/* About a few microseconds of matching between two looks at the clock. */
#define METER_INTERVAL 2048

void pattern_meter_start(pattern_meter *meter, lua_State *L) {
    meter->L = L;
    meter->left = METER_INTERVAL;
}

void pattern_meter_refill(pattern_meter *meter) {
    meter->left = METER_INTERVAL;
    sg_checkpoint(meter->L);
}

void pattern_run_start(pattern_run *run, lua_State *L, const char *subject, size_t subject_len,
                       const char *pattern, size_t pattern_len) {
    run->subject = subject;
    run->subject_end = subject + subject_len;
    run->pattern = pattern;
    run->pattern_end = pattern + pattern_len;
    pattern_meter_start(&run->meter, L);
    run->depth_left = PATTERN_MAX_DEPTH;
    run->capture_count = 0;
}

/* ---- single-character items ------------------------------------------- */

/* %a, %d, ... and their upper-case complements; any other byte after '%'
   stands for itself. Classification follows the C library, like liblua's. */
static int class_contains(int class_letter, int c) {
    int member;
    /* Only A-Z become class letters this way, which is all tolower would do
       for them; the call itself showed in profiles. */
    switch (class_letter | 0x20) {
        case 'a': member = isalpha(c); break;
        case 'c': member = iscntrl(c); break;
        case 'd': member = isdigit(c); break;
        case 'g': member = isgraph(c); break;
        case 'l': member = islower(c); break;
        case 'p': member = ispunct(c); break;
        case 's': member = isspace(c); break;
        case 'u': member = isupper(c); break;
        case 'w': member = isalnum(c); break;
        case 'x': member = isxdigit(c); break;
        case 'z': member = c == 0; break;  /* gone from the manual, still in liblua */
        default: return class_letter == c;
    }
    if (class_letter < 'a') return !member;  /* an upper-case class letter */
    return member != 0;
}

/* `open` is the '[' of a set whose closing ']' is at `close`. */
static int set_contains(const char *open, const char *close, int c) {
    const char *p = open + 1;
    int wanted = 1;
    if (*p == '^') {
        wanted = 0;
        p++;
    }
    while (p < close) {
        if (*p == ESCAPE) {
            if (class_contains((unsigned char)p[1], c)) return wanted;
            p += 2;
        } else if (p[1] == '-' && p + 2 < close) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return wanted;
            p += 3;
        } else {
            if ((unsigned char)*p == c) return wanted;
            p++;
        }
    }
    return !wanted;
}

/* Reading a set costs in proportion to its length, and a pattern may hold a
   set of a megabyte: the meter is charged for it, or the deadline would be
   looked at once per set instead of once per few microseconds. */
#define SET_COST(length) ((long)(length) >> 4)

/* Where the single-character item at `p` ends. Lua strings end in a NUL
   byte, so looking one byte past the pattern's length is safe. */
static const char *item_end(pattern_run *run, const char *p) {
    const char *start = p;
    char first = *p++;
    if (first == ESCAPE) {
        if (p >= run->pattern_end) luaL_error(run->meter.L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (first != '[') return p;
    if (*p == '^') p++;
    /* The first member is taken as is, so that "[]]" is a set holding ']'. */
    do {
        if (p >= run->pattern_end) luaL_error(run->meter.L, "malformed pattern (missing ']')");
        char member = *p++;
        if (member == ESCAPE && p < run->pattern_end) p++;
    } while (*p != ']');
    pattern_spend(&run->meter, SET_COST(p - start));
    return p + 1;
}

/* What one test of the item against a byte costs the meter. */
static long item_cost(const char *item, const char *end) {
    return *item == '[' ? 1 + SET_COST(end - item) : 1;
}

static int item_matches(const pattern_run *run, const char *s, const char *item, const char *end) {
    if (s >= run->subject_end) return 0;
    int c = (unsigned char)*s;
    switch (*item) {
        case '.': return 1;
        case ESCAPE: return class_contains((unsigned char)item[1], c);
        case '[': return set_contains(item, end - 1, c);
        default: return (unsigned char)*item == c;
    }
}

/* ---- the items that consume without choices --------------------------- */

/* %bxy at `s`: an x, then text up to the y that balances it. */
static const char *match_balanced(pattern_run *run, const char *s, const char *args) {
    if (args + 1 >= run->pattern_end)
        luaL_error(run->meter.L, "malformed pattern (missing arguments to '%%b')");
    char open = args[0], close = args[1];
    if (s >= run->subject_end || *s != open) return NULL;
    int depth = 1;
    for (s++; s < run->subject_end; s++) {
        pattern_spend(&run->meter, 1);
        /* The closing byte is checked first: with x equal to y, %bxx spans two x. */
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

/* %1..%9 at `s`: the same text as an earlier, closed capture. */
static const char *match_back_reference(pattern_run *run, const char *s, char digit) {
    int index = digit - '1';
    if (index < 0 || index >= run->capture_count || run->captures[index].length == CAPTURE_OPEN)
        luaL_error(run->meter.L, "invalid capture index %%%d", index + 1);
    ptrdiff_t length = run->captures[index].length;
    /* A position capture holds no text, and liblua never matches it. */
    if (length < 0 || run->subject_end - s < length) return NULL;
    pattern_spend(&run->meter, length >> 6);
    if (memcmp(run->captures[index].start, s, (size_t)length) != 0) return NULL;
    return s + length;
}

/* ---- the items that choose: each choice tries the rest of the pattern ---- */

static const char *match_rest(pattern_run *run, const char *s, const char *p);

static const char *longest_first(pattern_run *run, const char *s, const char *item, const char *end) {
    long cost = item_cost(item, end);
    ptrdiff_t count = 0;
    while (item_matches(run, s + count, item, end)) {
        count++;
        pattern_spend(&run->meter, cost);
    }
    for (; count >= 0; count--) {
        const char *result = match_rest(run, s + count, end + 1);
        if (result != NULL) return result;
    }
    return NULL;
}

static const char *shortest_first(pattern_run *run, const char *s, const char *item, const char *end) {
    long cost = item_cost(item, end);
    for (;;) {
        const char *result = match_rest(run, s, end + 1);
        if (result != NULL) return result;
        pattern_spend(&run->meter, cost);
        if (!item_matches(run, s, item, end)) return NULL;
        s++;
    }
}

static const char *with_capture_opened(pattern_run *run, const char *s, const char *rest, ptrdiff_t kind) {
    if (run->capture_count >= PATTERN_MAX_CAPTURES) luaL_error(run->meter.L, "too many captures");
    pattern_capture *capture = &run->captures[run->capture_count++];
    capture->start = s;
    capture->length = kind;
    const char *result = match_rest(run, s, rest);
    if (result == NULL) run->capture_count--;
    return result;
}

static const char *with_capture_closed(pattern_run *run, const char *s, const char *rest) {
    int index = run->capture_count - 1;
    while (index >= 0 && run->captures[index].length != CAPTURE_OPEN) index--;
    if (index < 0) luaL_error(run->meter.L, "invalid pattern capture");
    run->captures[index].length = s - run->captures[index].start;
    const char *result = match_rest(run, s, rest);
    if (result == NULL) run->captures[index].length = CAPTURE_OPEN;
    return result;
}

/* ---- the pattern, item by item ------------------------------------------ */

static const char *match_items(pattern_run *run, const char *s, const char *p) {
    for (;;) {
        pattern_spend(&run->meter, 1);
        if (p == run->pattern_end) return s;
        switch (*p) {
            case '(':
                if (p[1] == ')') return with_capture_opened(run, s, p + 2, CAPTURE_POSITION);
                return with_capture_opened(run, s, p + 1, CAPTURE_OPEN);
            case ')':
                return with_capture_closed(run, s, p + 1);
            case '$':
                if (p + 1 == run->pattern_end) return s == run->subject_end ? s : NULL;
                break;  /* elsewhere '$' is an ordinary character */
            case ESCAPE:
                if (p[1] == 'b') {
                    s = match_balanced(run, s, p + 2);
                    if (s == NULL) return NULL;
                    p += 4;
                    continue;
                }
                if (p[1] == 'f') {
                    const char *set = p + 2;
                    if (*set != '[') luaL_error(run->meter.L, "missing '[' after '%%f' in pattern");
                    const char *after = item_end(run, set);
                    int before = s == run->subject ? 0 : (unsigned char)s[-1];
                    int here = s < run->subject_end ? (unsigned char)*s : 0;
                    if (set_contains(set, after - 1, before) || !set_contains(set, after - 1, here)) return NULL;
                    p = after;
                    continue;
                }
                if (isdigit((unsigned char)p[1])) {
                    s = match_back_reference(run, s, p[1]);
                    if (s == NULL) return NULL;
                    p += 2;
                    continue;
                }
                break;
            default:
                break;
        }
        const char *end = item_end(run, p);
        char suffix = end < run->pattern_end ? *end : '\0';
        if (!item_matches(run, s, p, end)) {
            /* Items that may match nothing are simply passed over. */
            if (suffix != '*' && suffix != '?' && suffix != '-') return NULL;
            p = end + 1;
            continue;
        }
        switch (suffix) {
            case '?': {
                const char *result = match_rest(run, s + 1, end + 1);
                if (result != NULL) return result;
                p = end + 1;
                continue;
            }
            case '+': return longest_first(run, s + 1, p, end);
            case '*': return longest_first(run, s, p, end);
            case '-': return shortest_first(run, s, p, end);
            default:
                s++;
                p = end;
                continue;
        }
    }
}

/* Every choice point goes one level deeper; the depth comes back on return. */
static const char *match_rest(pattern_run *run, const char *s, const char *p) {
    if (run->depth_left-- == 0) luaL_error(run->meter.L, "pattern too complex");
    const char *result = match_items(run, s, p);
    run->depth_left++;
    return result;
}

const char *pattern_match_at(pattern_run *run, const char *at) {
    run->capture_count = 0;
    run->depth_left = PATTERN_MAX_DEPTH;
    return match_rest(run, at, run->pattern);
}

/* ---- captures as Lua values -------------------------------------------- */

void pattern_push_capture(pattern_run *run, int index, const char *start, const char *end) {
    lua_State *L = run->meter.L;
    if (index >= run->capture_count) {
        if (index != 0) luaL_error(L, "invalid capture index %%%d", index + 1);
        lua_pushlstring(L, start, (size_t)(end - start));
        return;
    }
    const pattern_capture *capture = &run->captures[index];
    if (capture->length == CAPTURE_OPEN) luaL_error(L, "unfinished capture");
    if (capture->length == CAPTURE_POSITION)
        lua_pushinteger(L, (lua_Integer)(capture->start - run->subject) + 1);
    else
        lua_pushlstring(L, capture->start, (size_t)capture->length);
}

int pattern_push_captures(pattern_run *run, const char *start, const char *end) {
    int count = run->capture_count == 0 && start != NULL ? 1 : run->capture_count;
    luaL_checkstack(run->meter.L, count, "too many captures");
    for (int i = 0; i < count; i++) pattern_push_capture(run, i, start, end);
    return count;
}
