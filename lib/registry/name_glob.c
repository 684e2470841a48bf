/* Model name patterns (mlops_model_search_ex_opts.name_glob): '*' any run
 * of characters, '?' one character, [...] one character of a set, with
 * the meaning SQLite's GLOB gives them, which matches them in SQL on
 * SQLite. PostgreSQL has no GLOB: there the SQL narrows the names with
 * LIKE, and this matcher decides.
 *
 * A set is '[', an optional '^' (any character but those listed), then
 * characters up to the next ']'; a ']' right after the '[' or '^' is a
 * member, "a-z" is the range of code points a..z when a is a member just
 * listed (not the leading ']', not the end of a range) and z is not the
 * closing ']', and a '-' anywhere else is itself. A set with no closing
 * ']' matches nothing. Characters are UTF-8 code points (the pattern and
 * the names are valid UTF-8). */
#include "registry/registry_internal.h"

#include <stdint.h>

/* The code point at *s, advancing *s past it. */
static uint32_t next_cp(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = *p++;
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (more) c &= 0x3fu >> more;
    while (more-- && (*p & 0xc0) == 0x80) c = c << 6 | (*p++ & 0x3fu);
    *s = (const char *)p;
    return c;
}

/* The set that opens at *p (just past its '['): whether c is in it, or
 * -1 when the set is not closed. Advances *p past the closing ']'. */
static int set_has(const char **p, uint32_t c)
{
    const char *q = *p;
    int invert = *q == '^', seen = 0;
    uint32_t prior = 0; /* the member just listed, 0 when none can start a range */
    if (invert) q++;
    if (*q == ']') {
        seen = c == ']';
        q++;
    }
    while (*q && *q != ']') {
        uint32_t m = next_cp(&q);
        if (m == '-' && prior && *q && *q != ']') {
            uint32_t last = next_cp(&q);
            seen |= c >= prior && c <= last;
            prior = 0;
        } else {
            seen |= c == m;
            prior = m;
        }
    }
    if (!*q) return -1;
    *p = q + 1;
    return seen != invert;
}

int mlops__reg_glob_match(const char *glob, const char *name)
{
    /* Greedy, with one backtracking point: the last '*' seen and where in
     * name it was resumed. Time at most len(glob) * len(name). */
    const char *star = NULL, *resume = NULL;
    while (*name) {
        if (*glob == '*') {
            star = ++glob;
            resume = name;
            continue;
        }
        uint32_t c = next_cp(&name);
        int ok;
        if (*glob == '?') {
            glob++;
            ok = 1;
        } else if (*glob == '[') {
            glob++;
            ok = set_has(&glob, c);
            if (ok < 0) return 0; /* an unclosed set matches nothing */
        } else {
            ok = *glob && next_cp(&glob) == c;
        }
        if (ok) continue;
        if (!star) return 0;
        glob = star; /* let the last '*' take one more character */
        name = resume;
        next_cp(&name);
        resume = name;
    }
    while (*glob == '*') glob++;
    return !*glob;
}

void mlops__reg_glob_like(const char *glob, mlops__buf *out)
{
    while (*glob) {
        char c = *glob++;
        if (c == '*') {
            mlops__buf_add(out, "%");
        } else if (c == '?') {
            mlops__buf_add(out, "_");
        } else if (c == '[') {
            /* any one character; the matcher checks the set */
            mlops__buf_add(out, "_");
            if (set_has(&glob, 0) < 0) return; /* matches nothing anyway */
        } else {
            if (c == '%' || c == '_' || c == '\\') mlops__buf_add(out, "\\");
            mlops__buf_addn(out, &c, 1);
        }
    }
}
