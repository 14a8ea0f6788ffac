/*
 * Speed of sessiongate's pattern functions against liblua's own, in one
 * process: two plain states with the standard libraries, the second with our
 * find/match/gmatch/gsub installed (and a deadline that never comes, so every
 * checkpoint is paid for). Rounds alternate between the states; the figure is
 * the median time per call of each workload. See BENCHMARKS.md.
 *
 *   make bench-patterns
 *   valgrind --tool=callgrind pattern_bench count WORKLOAD liblua|ours ROUNDS
 */
#include "sg_patterns.h"
#include "sg_shim.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROUNDS = 41 };

static const char *const setup =
    "emails = {'jane.doe+news@example.com', 'bob@mail.example.org', 'not an email', 'x@y',\n"
    "          'first_last%tag@sub-domain.example.co.uk', 'trailing.dot@example.', 'a@b.cd'}\n"
    "local words = {}\n"
    "for i = 1, 200 do words[i] = ({'session', 'gate', 'chat', 'x1', 'operator', 'lua'})[i % 6 + 1] .. i end\n"
    "text = table.concat(words, ' ') .. '.'\n";

typedef struct workload {
    const char *name;
    const char *calls_per_round;
    const char *body;  /* a function of the round's call count */
} workload;

static const workload workloads[] = {
    {"email check (find)", "20000",
     "return function(n) local find, emails, hits = string.find, emails, 0\n"
     "  for i = 1, n do if find(emails[i % #emails + 1], '^[%w._%%+-]+@[%w.-]+%.%a%a+$') then hits = hits + 1 end end\n"
     "  return hits end"},
    {"%w+ split (gmatch, 200 words)", "200",
     "return function(n) local count = 0\n"
     "  for i = 1, n do for w in text:gmatch('%w+') do count = count + 1 end end\n"
     "  return count end"},
    {"gsub with a function (200 words)", "200",
     "return function(n) local gsub, upper, out = string.gsub, string.upper\n"
     "  for i = 1, n do out = gsub(text, '%w+', function(w) if #w > 5 then return upper(w) end end) end\n"
     "  return #out end"},
};
enum { WORKLOAD_COUNT = sizeof workloads / sizeof workloads[0] };

static int64_t now_ns(void) { return sg_now_ns(); }

static lua_State *new_state(sg_control *ours) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (ours != NULL) {
        ours->deadline_ns = INT64_MAX;
        *(sg_control **)lua_getextraspace(L) = ours;
        lua_getglobal(L, "string");
        sg_install_bounded_patterns(L, -1);
        lua_pop(L, 1);
    }
    if (luaL_dostring(L, setup) != LUA_OK) {
        fprintf(stderr, "pattern_bench: %s\n", lua_tostring(L, -1));
        exit(2);
    }
    return L;
}

static int prepare(lua_State *L, const workload *w) {
    if (luaL_dostring(L, w->body) != LUA_OK) {
        fprintf(stderr, "pattern_bench: %s\n", lua_tostring(L, -1));
        exit(2);
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Nanoseconds per call for one round. */
static double time_round(lua_State *L, int function, long calls) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, function);
    lua_pushinteger(L, calls);
    int64_t started = now_ns();
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        fprintf(stderr, "pattern_bench: %s\n", lua_tostring(L, -1));
        exit(2);
    }
    return (double)(now_ns() - started) / (double)calls;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One workload in one state, untimed: for instruction counts under callgrind,
   which repeat where wall-clock figures on a shared machine do not. */
static int run_for_counting(int workload_index, int use_ours, long rounds) {
    static sg_control control;
    lua_State *L = new_state(use_ours ? &control : NULL);
    const workload *w = &workloads[workload_index];
    int function = prepare(L, w);
    for (long r = 0; r < rounds; r++) time_round(L, function, atol(w->calls_per_round));
    lua_close(L);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "count") == 0)
        return run_for_counting(atoi(argv[2]), strcmp(argv[3], "ours") == 0, atol(argv[4]));
    static sg_control control;
    lua_State *reference = new_state(NULL);
    lua_State *ours = new_state(&control);
    int worst = 0;
    printf("%-34s %14s %14s %7s\n", "workload", "liblua ns/call", "ours ns/call", "ratio");
    for (int i = 0; i < WORKLOAD_COUNT; i++) {
        const workload *w = &workloads[i];
        long calls = atol(w->calls_per_round);
        int reference_fn = prepare(reference, w), our_fn = prepare(ours, w);
        double reference_times[ROUNDS], our_times[ROUNDS];
        time_round(reference, reference_fn, calls);  /* warm-up */
        time_round(ours, our_fn, calls);
        for (int r = 0; r < ROUNDS; r++) {
            reference_times[r] = time_round(reference, reference_fn, calls);
            our_times[r] = time_round(ours, our_fn, calls);
        }
        qsort(reference_times, ROUNDS, sizeof(double), by_value);
        qsort(our_times, ROUNDS, sizeof(double), by_value);
        double ratio = our_times[ROUNDS / 2] / reference_times[ROUNDS / 2];
        if (ratio > 1.5) worst = 1;
        printf("%-34s %14.0f %14.0f %7.2f\n", w->name, reference_times[ROUNDS / 2], our_times[ROUNDS / 2], ratio);
    }
    lua_close(reference);
    lua_close(ours);
    return worst;
}
