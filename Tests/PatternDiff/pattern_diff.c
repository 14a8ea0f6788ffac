/*
 * The differential test of sessiongate's pattern functions: every case runs
 * through liblua's own string.find/match/gmatch/gsub in a plain state and
 * through ours in a state made by sg_newstate, and the two outcomes (values,
 * types, error messages) must be equal. Cases are generated from a fixed seed
 * plus hand-written groups for the limits (captures, depth, long subjects).
 *
 *   pattern_diff DRIVER.lua   -> "pattern differential: N cases, 0 differences"
 */
#include "sg_shim.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FIND = 1, MATCH, GMATCH, GSUB, METHOD = 4 };

/* How many values each kind's lists in driver.lua hold for arguments 3 and 4. */
static int arg3_choices[5];
static int arg4_choices[5];

typedef struct outcome {
    char *text;
    size_t length;
} outcome;

typedef struct harness {
    lua_State *reference;
    lua_State *ours;
    int reference_driver;
    int our_driver;
    long cases;
    long differences;
} harness;

static uint64_t rng_state = 0x5e55106a7e2026ULL;

static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int random_below(int n) { return (int)(next_random() % (uint64_t)n); }

static int load_driver(lua_State *L, const char *path) {
    if (luaL_loadfilex(L, path, "t") != LUA_OK || lua_pcall(L, 0, 2, 0) != LUA_OK) {
        fprintf(stderr, "pattern_diff: %s\n", lua_tostring(L, -1));
        exit(2);
    }
    int sizes[4];
    for (int i = 0; i < 4; i++) {
        lua_rawgeti(L, -1, i + 1);
        sizes[i] = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    arg3_choices[FIND] = arg3_choices[MATCH] = arg3_choices[GMATCH] = sizes[0];
    arg4_choices[FIND] = sizes[1];
    arg3_choices[GSUB] = sizes[2];
    arg4_choices[GSUB] = sizes[3];
    lua_pop(L, 1);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static outcome run_case(lua_State *L, int driver, int kind, const char *s, size_t sl,
                        const char *p, size_t pl, int code3, int code4) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, driver);
    lua_pushinteger(L, kind);
    lua_pushlstring(L, s, sl);
    lua_pushlstring(L, p, pl);
    lua_pushinteger(L, code3);
    lua_pushinteger(L, code4);
    if (lua_pcall(L, 5, 1, 0) != LUA_OK) {
        fprintf(stderr, "pattern_diff: the driver failed: %s\n", lua_tostring(L, -1));
        exit(2);
    }
    outcome o;
    const char *text = lua_tolstring(L, -1, &o.length);
    o.text = malloc(o.length + 1);
    memcpy(o.text, text, o.length + 1);
    lua_pop(L, 1);
    return o;
}

static void print_bytes(const char *label, const char *s, size_t n) {
    printf("  %s \"", label);
    for (size_t i = 0; i < n && i < 300; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 32 && c < 127 && c != '"' && c != '\\') putchar(c);
        else printf("\\x%02x", c);
    }
    printf(n > 300 ? "\"...\n" : "\"\n");
}

static void compare(harness *h, int kind, const char *s, size_t sl, const char *p, size_t pl,
                    int code3, int code4) {
    outcome expected = run_case(h->reference, h->reference_driver, kind, s, sl, p, pl, code3, code4);
    outcome actual = run_case(h->ours, h->our_driver, kind, s, sl, p, pl, code3, code4);
    h->cases++;
    if (expected.length != actual.length || memcmp(expected.text, actual.text, actual.length) != 0) {
        if (++h->differences <= 40) {
            printf("difference: kind %d, argument codes %d %d\n", kind, code3, code4);
            print_bytes("subject", s, sl);
            print_bytes("pattern", p, pl);
            print_bytes("liblua ", expected.text, expected.length);
            print_bytes("ours   ", actual.text, actual.length);
        }
    }
    free(expected.text);
    free(actual.text);
}

static void compare_text(harness *h, int kind, const char *s, const char *p, int code3, int code4) {
    compare(h, kind, s, strlen(s), p, strlen(p), code3, code4);
}

/* ---- generated cases ----------------------------------------------------- */

static const char subject_bytes[] = "aaabbc  (()[]%.-^$1A_\t\n\0\xe9\xff\x80xyz";

/* Pattern pieces: well-formed items, suffixes, malformed ends, non-ASCII. */
static const char *const pieces[] = {
    "a", "b", "c", "A", "1", " ", "x", ".", "%a", "%A", "%d", "%D", "%s", "%S", "%w", "%W",
    "%l", "%u", "%p", "%P", "%c", "%g", "%x", "%X", "%%", "%.", "%(", "%)", "%[", "%]", "%-",
    "%^", "%$", "%z", "%q", "%_", "%\xe9", "[ab]", "[^ab]", "[a-c]", "[%a_]", "[]]", "[^]]",
    "[a-]", "[-a]", "[%]]", "[\x80-\xff]", "[%w%s]", "[^%d]", "[%a-z]", "[", "]", "[a", "[%",
    "[^", "^", "$", "*", "+", "-", "?", "(", ")", "()", "%b()", "%bab", "%b[]", "%b", "%ba",
    "%baa", "%f[%w]", "%f[%W]", "%f[a]", "%f[^a]", "%f", "%fa", "%f[", "%1", "%2", "%3", "%0",
    "%9", "%", "\xe9", "\xff", "a*", "a+", "a-", "a?", ".*", ".-", ".+", "%s*", "%d+",
    "[ab]*", "[ab]-", "(a)", "(%w+)", "(.-)", "()a", "(()", "%f[%z]", "[\xe9-\xff]+",
};
enum { PIECE_COUNT = sizeof pieces / sizeof pieces[0] };

static size_t random_subject(char *out) {
    size_t n = (size_t)random_below(11);
    for (size_t i = 0; i < n; i++) out[i] = subject_bytes[random_below(sizeof subject_bytes - 1)];
    return n;
}

static size_t random_pattern(char *out) {
    size_t n = 0;
    if (random_below(5) == 0) out[n++] = '^';
    int count = 1 + random_below(6);
    for (int i = 0; i < count; i++) {
        const char *piece = pieces[random_below(PIECE_COUNT)];
        size_t len = strlen(piece);
        memcpy(out + n, piece, len);
        n += len;
    }
    if (random_below(7) == 0) out[n++] = '$';
    if (random_below(40) == 0) out[n++] = '\0';  /* a NUL byte inside the pattern */
    return n;
}

static void random_arguments(int kind, int *code3, int *code4) {
    int base = (kind - 1) % 4 + 1;
    *code3 = *code4 = 0;
    if (base == GSUB) {
        *code3 = 1 + random_below(arg3_choices[GSUB]);
        if (random_below(3) == 0) *code4 = 1 + random_below(arg4_choices[GSUB]);
        if (random_below(60) == 0) *code3 = 0;  /* no replacement at all */
        return;
    }
    if (random_below(3) == 0) return;
    *code3 = 1 + random_below(arg3_choices[base]);
    if (arg4_choices[base] > 0 && random_below(3) == 0) *code4 = 1 + random_below(arg4_choices[base]);
}

static void generated_cases(harness *h, long count) {
    char subject[64], pattern[256];
    for (long i = 0; i < count; i++) {
        int kind = 1 + random_below(4);
        if (random_below(50) == 0) kind += METHOD;
        size_t sl = random_subject(subject);
        size_t pl = random_pattern(pattern);
        int code3, code4;
        random_arguments(kind, &code3, &code4);
        compare(h, kind, subject, sl, pattern, pl, code3, code4);
    }
}

/* Every ordered pair of pieces against a few fixed subjects, with find and gsub. */
static void piece_pairs(harness *h) {
    static const char *const subjects[] = {"", "a", "aab(c)ba", "  x1 A%[]", "\xe9\xff\x80" "a"};
    char pattern[64];
    for (int i = 0; i < PIECE_COUNT; i++) {
        for (int j = 0; j < PIECE_COUNT; j++) {
            size_t a = strlen(pieces[i]), b = strlen(pieces[j]);
            memcpy(pattern, pieces[i], a);
            memcpy(pattern + a, pieces[j], b);
            for (size_t k = 0; k < sizeof subjects / sizeof subjects[0]; k++) {
                compare(h, FIND, subjects[k], strlen(subjects[k]), pattern, a + b, 0, 0);
                compare(h, GSUB, subjects[k], strlen(subjects[k]), pattern, a + b, 17, 0);
            }
        }
    }
}

/* ---- hand-written cases at the limits ------------------------------------ */

static char *repeat(const char *piece, int times, const char *tail) {
    size_t len = strlen(piece), tail_len = strlen(tail);
    char *out = malloc(len * (size_t)times + tail_len + 1);
    for (int i = 0; i < times; i++) memcpy(out + len * (size_t)i, piece, len);
    memcpy(out + len * (size_t)times, tail, tail_len + 1);
    return out;
}

static void capture_limits(harness *h) {
    char *a40 = repeat("a", 40, "");
    for (int n = 28; n <= 34; n++) {
        char *plain = repeat("(a)", n, "");
        char *position = repeat("()", n, "");
        char *open = repeat("(", n, "a");
        char *nested = repeat("(", n, "");
        char *closed = repeat(")", n, "");
        size_t nested_len = strlen(nested);
        char *both = malloc(nested_len * 2 + 2);
        sprintf(both, "%sa%s", nested, closed);
        for (int kind = FIND; kind <= GSUB; kind++) {
            int code3 = kind == GSUB ? 17 : 0;
            compare_text(h, kind, a40, plain, code3, 0);
            compare_text(h, kind, a40, position, code3, 0);
            compare_text(h, kind, a40, open, code3, 0);
            compare_text(h, kind, a40, both, code3, 0);
            compare_text(h, kind, "bbb", plain, code3, 0);
        }
        free(plain); free(position); free(open); free(nested); free(closed); free(both);
    }
    /* Back-references to each of nine captures, and past them. */
    static const char *const refs[] = {"%1", "%2", "%5", "%8", "%9", "%0"};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        char pattern[64];
        sprintf(pattern, "(a)(b)(c)(d)(e)(f)(g)(h)(i)%s", refs[i]);
        compare_text(h, FIND, "abcdefghiabcdefghi", pattern, 0, 0);
        compare_text(h, FIND, "abcdefghiaefgi", pattern, 0, 0);
        compare_text(h, GSUB, "abcdefghii.abcdefghia", pattern, 4, 0);
    }
    free(a40);
}

/* Each piece nests one level deeper when it matches its subject piece; a
   pattern of n of them needs a depth of n + 1, and liblua allows 200. */
static void depth_limits(harness *h) {
    static const char *const nesting[][2] = {
        {"a?", "a"}, {"a-", "a"}, {"a*b", "ab"}, {"a+b", "ab"}, {"(a)", "a"},
        {"()a", "a"}, {"[a]-", "a"}, {"a?b?", "ab"}, {"%w-%d", "a1"},
    };
    for (size_t i = 0; i < sizeof nesting / sizeof nesting[0]; i++) {
        for (int n = 95; n <= 205; n += (n < 190 ? 5 : 1)) {
            char *pattern = repeat(nesting[i][0], n, "");
            char *anchored = repeat(nesting[i][0], n, "$");
            char *subject = repeat(nesting[i][1], n, "");
            compare_text(h, MATCH, subject, pattern, 0, 0);
            compare_text(h, FIND, subject, anchored, 0, 0);
            compare_text(h, GSUB, subject, anchored, 2, 0);
            compare_text(h, GMATCH, subject, pattern, 0, 0);
            free(pattern); free(subject); free(anchored);
        }
    }
    /* Deeply nested balanced text and long runs. */
    char *nest = repeat("(", 3000, "");
    char *nest_closed = repeat(")", 3000, "");
    char *deep = malloc(6002);
    sprintf(deep, "%s%s", nest, nest_closed);
    compare_text(h, FIND, deep, "%b()", 0, 0);
    compare_text(h, GSUB, deep, "%b()", 1, 0);
    compare_text(h, FIND, nest, "%b()", 0, 0);
    char *long_a = repeat("a", 5000, "");
    compare_text(h, FIND, long_a, "a-b", 0, 0);
    compare_text(h, MATCH, long_a, "(a*)(a-)$", 0, 0);
    compare_text(h, GSUB, long_a, "a", 3, 0);
    compare_text(h, GMATCH, long_a, "aa?", 0, 0);
    compare_text(h, FIND, long_a, "aaaaaaaaab", 0, 0);
    compare_text(h, FIND, long_a, "aaaaaaaaab", 0, 2);
    free(nest); free(nest_closed); free(deep); free(long_a);
}

/* Empty and anchor-only patterns against short subjects, with every value
   of arguments 3 and 4 each kind takes: where empty matches and the
   positions around the ends of the subject decide the result. */
static void empty_matches(harness *h) {
    static const char *const subjects[] = {"", "a", "ab", "aaa"};
    static const char *const patterns[] = {"", "^", "$", "^$", "()", "^()", "()$", ".-", "x*", "a-$", "^a*"};
    for (size_t s = 0; s < sizeof subjects / sizeof subjects[0]; s++) {
        for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
            for (int kind = FIND; kind <= GSUB + METHOD; kind++) {
                int base = (kind - 1) % 4 + 1;
                for (int code3 = 0; code3 <= arg3_choices[base]; code3++) {
                    compare_text(h, kind, subjects[s], patterns[p], code3, 0);
                    for (int code4 = 1; code3 > 0 && code4 <= arg4_choices[base]; code4++)
                        compare_text(h, kind, subjects[s], patterns[p], code3, code4);
                }
            }
        }
    }
}

/* Every byte as a subject against every byte after '%', alone and in a set,
   and against the ranges: classes and escapes over the whole byte range. */
static void every_byte(harness *h) {
    for (int subject_byte = 0; subject_byte < 256; subject_byte++) {
        char subject[2] = {(char)subject_byte, 'a'};
        for (int class_byte = 0; class_byte < 256; class_byte++) {
            char escape[2] = {'%', (char)class_byte};
            char in_set[4] = {'[', '%', (char)class_byte, ']'};
            char range[5] = {'[', 'a', '-', (char)class_byte, ']'};
            compare(h, FIND, subject, 1, escape, sizeof escape, 0, 0);
            compare(h, MATCH, subject, 2, in_set, sizeof in_set, 0, 0);
            if (class_byte % 8 == subject_byte % 8) compare(h, FIND, subject, 1, range, sizeof range, 0, 0);
        }
    }
}

/* Odd arguments: missing, nil, numbers for strings. */
static void argument_cases(harness *h) {
    static const char *const subjects[] = {"<nil>", "<number>", "<table>", "12345.5"};
    static const char *const patterns[] = {"<nil>", "<number>", "%d", "5%.", "4"};
    for (int kind = FIND; kind <= GSUB + METHOD; kind++) {
        for (size_t s = 0; s < sizeof subjects / sizeof subjects[0]; s++) {
            for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
                int base = (kind - 1) % 4 + 1;
                for (int code3 = 0; code3 <= arg3_choices[base]; code3 += 3) {
                    compare_text(h, kind, subjects[s], patterns[p], code3, 0);
                    if (arg4_choices[base] > 0 && code3 > 0)
                        compare_text(h, kind, subjects[s], patterns[p], code3, 1 + (int)(p % (size_t)arg4_choices[base]));
                }
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: pattern_diff DRIVER.lua [GENERATED_CASES]\n");
        return 2;
    }
    long generated = argc > 2 ? atol(argv[2]) : 480000;
    harness h = {0};
    h.reference = luaL_newstate();
    luaL_openlibs(h.reference);
    static sg_control control = {.mem_limit = (size_t)1 << 32};
    h.ours = sg_newstate(&control);
    if (h.reference == NULL || h.ours == NULL) {
        fprintf(stderr, "pattern_diff: cannot create the states\n");
        return 2;
    }
    h.reference_driver = load_driver(h.reference, argv[1]);
    h.our_driver = load_driver(h.ours, argv[1]);

    argument_cases(&h);
    empty_matches(&h);
    every_byte(&h);
    capture_limits(&h);
    depth_limits(&h);
    piece_pairs(&h);
    generated_cases(&h, generated);

    printf("pattern differential: %ld cases, %ld differences\n", h.cases, h.differences);
    lua_close(h.reference);
    sg_close(h.ours);
    return h.differences == 0 ? 0 : 1;
}
