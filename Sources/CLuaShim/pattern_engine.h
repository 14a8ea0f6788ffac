/*
 * The backtracking matcher behind sessiongate's string.find, match, gmatch and
 * gsub: Lua 5.4's pattern language (reference manual §6.4.1), interpreted
 * straight from the pattern text so that a malformed part is reported only
 * when matching reaches it, as liblua does. It counts its work and calls
 * sg_checkpoint now and then, so that the deadline can stop a pathological
 * pattern.
 */
#ifndef SG_PATTERN_ENGINE_H
#define SG_PATTERN_ENGINE_H

#include <lua.h>
#include <stddef.h>

/* Lua's own limits, which scripts can observe through errors. */
#define PATTERN_MAX_CAPTURES 32
#define PATTERN_MAX_DEPTH 200

/* What a capture holds while matching: its text, still open, or a position. */
enum { CAPTURE_OPEN = -1, CAPTURE_POSITION = -2 };

typedef struct pattern_capture {
    const char *start;
    ptrdiff_t length;  /* >= 0 once closed, else CAPTURE_OPEN or CAPTURE_POSITION */
} pattern_capture;

/* Work units left before the next look at the clock. */
typedef struct pattern_meter {
    lua_State *L;
    long left;
} pattern_meter;

typedef struct pattern_run {
    const char *subject, *subject_end;
    const char *pattern, *pattern_end;
    pattern_meter meter;
    int depth_left;
    int capture_count;
    pattern_capture captures[PATTERN_MAX_CAPTURES];
} pattern_run;

void pattern_meter_start(pattern_meter *meter, lua_State *L);
void pattern_meter_refill(pattern_meter *meter);

/* Spends `cost` units; looks at the deadline (and may raise) when they run out. */
static inline void pattern_spend(pattern_meter *meter, long cost) {
    meter->left -= cost;
    if (meter->left <= 0) pattern_meter_refill(meter);
}

void pattern_run_start(pattern_run *run, lua_State *L, const char *subject, size_t subject_len,
                       const char *pattern, size_t pattern_len);

/* Matches the whole pattern at `at`; the end of the match, or NULL. Every
   attempt starts with no captures and the full depth. */
const char *pattern_match_at(pattern_run *run, const char *at);

/* Pushes capture `index` (0-based); with no captures, index 0 is the whole
   match [start, end). Raises Lua's errors for bad indices and open captures. */
void pattern_push_capture(pattern_run *run, int index, const char *start, const char *end);

/* Pushes every capture, or the whole match when there are none and `start`
   is not NULL; returns how many values it pushed. */
int pattern_push_captures(pattern_run *run, const char *start, const char *end);

#endif
