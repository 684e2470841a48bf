/* LIKE matching for long patterns (like.h). */
#include "db/sqlite/like.h"

#include <stdint.h>
#include <string.h>

/* Bytes of the UTF-8 character starting at s (1 for a stray byte), never
 * past n. */
static size_t char_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return len < n ? len : n;
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Greedy matching that, on a mismatch, retries from the last '%' one
 * character further into the value: for patterns of literals, '_' and
 * '%', the last '%' is the only one worth retrying, so no position of the
 * pattern is tried twice for the same position of the value. */
int mlops__like_match(const char *pattern, size_t plen, const char *value, size_t vlen, int icase)
{
    size_t p = 0, v = 0;
    size_t star_p = SIZE_MAX, star_v = 0; /* after the last '%', and where it resumes */
    while (v < vlen) {
        if (p < plen && pattern[p] == '%') {
            while (p < plen && pattern[p] == '%') p++;
            star_p = p;
            star_v = v;
            continue;
        }
        if (p < plen) {
            size_t vc = char_len(value + v, vlen - v);
            if (pattern[p] == '_') {
                p++;
                v += vc;
                continue;
            }
            size_t at = pattern[p] == '\\' && p + 1 < plen ? p + 1 : p;
            size_t pc = char_len(pattern + at, plen - at);
            int same = pc == vc;
            for (size_t i = 0; same && i < pc; i++)
                same = icase ? fold(pattern[at + i]) == fold(value[v + i])
                             : pattern[at + i] == value[v + i];
            if (same) {
                p = at + pc;
                v += vc;
                continue;
            }
        }
        if (star_p == SIZE_MAX) return 0;
        star_v += char_len(value + star_v, vlen - star_v);
        v = star_v;
        p = star_p;
    }
    while (p < plen && pattern[p] == '%') p++;
    return p == plen;
}

static void like_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *pattern = (const char *)sqlite3_value_text(argv[0]);
    size_t plen = (size_t)sqlite3_value_bytes(argv[0]);
    const char *value = (const char *)sqlite3_value_text(argv[1]);
    size_t vlen = (size_t)sqlite3_value_bytes(argv[1]);
    if ((!pattern && plen) || (!value && vlen)) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_int(ctx, mlops__like_match(pattern ? pattern : "", plen, value ? value : "",
                                              vlen, sqlite3_value_int(argv[2])));
}

int mlops__like_register(sqlite3 *db)
{
    return sqlite3_create_function_v2(db, "mlops_like", 3,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                      like_fn, NULL, NULL, NULL);
}
