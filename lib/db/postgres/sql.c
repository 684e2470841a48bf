/* ?N -> $N for PostgreSQL (pg.h). The SQL of the subsystems uses ?N,
 * which SQLite binds by number; PostgreSQL numbers its parameters $N.
 * Only placeholders in code are rewritten: text inside '...' and E'...'
 * literals, "..." identifiers, $tag$...$tag$ bodies and comments is
 * copied as it is. A '?' not followed by a digit (a jsonb operator) is
 * left alone. */
#include "db/postgres/pg.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PARAM 65535

static int is_ident(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || (unsigned char)ch >= 0x80;
}

/* The end of a quoted run starting at s[i] == q ('\'' or '"'): a doubled
 * quote stays inside; with backslashes (E'...'), \x escapes one byte. */
static size_t skip_quoted(const char *s, size_t i, char q, int backslashes)
{
    i++;
    while (s[i]) {
        if (backslashes && s[i] == '\\' && s[i + 1]) {
            i += 2;
        } else if (s[i] == q) {
            if (s[i + 1] != q) return i + 1;
            i += 2;
        } else {
            i++;
        }
    }
    return i;
}

/* A dollar quote opening at s[i] == '$' ($$ or $tag$): the index after
 * its closing tag, or 0 when s[i] does not open one. */
static size_t skip_dollar(const char *s, size_t i)
{
    size_t t = i + 1;
    while (s[t] && s[t] != '$' && is_ident(s[t]) && !(s[t] >= '0' && s[t] <= '9' && t == i + 1))
        t++;
    if (s[t] != '$') return 0;
    size_t taglen = t + 1 - i;
    const char *end = s + t + 1;
    for (;;) {
        end = strchr(end, '$');
        if (!end) return strlen(s);
        if (strncmp(end, s + i, taglen) == 0) return (size_t)(end - s) + taglen;
        end++;
    }
}

/* The end of a comment starting at s[i] (-- to the end of the line, or a
 * nesting slash-star comment), or i when none starts there. */
static size_t skip_comment(const char *s, size_t i)
{
    if (s[i] == '-' && s[i + 1] == '-') {
        while (s[i] && s[i] != '\n') i++;
        return i;
    }
    if (s[i] == '/' && s[i + 1] == '*') {
        int depth = 0;
        while (s[i]) {
            if (s[i] == '/' && s[i + 1] == '*') {
                depth++;
                i += 2;
            } else if (s[i] == '*' && s[i + 1] == '/') {
                i += 2;
                if (--depth == 0) return i;
            } else {
                i++;
            }
        }
    }
    return i;
}

int mlops__pg_rewrite(const char *sql, char **out, int *nparams)
{
    size_t n = strlen(sql);
    /* Same length: '?' becomes '$', digits stay. */
    char *w = malloc(n + 1);
    if (!w) return mlops__err_nomem("rewriting SQL for PostgreSQL");
    memcpy(w, sql, n + 1);
    int max = 0;
    size_t i = 0;
    while (i < n) {
        char ch = sql[i];
        size_t next = skip_comment(sql, i);
        if (next != i) {
            i = next;
        } else if (ch == '\'') {
            int e = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                    (i == 1 || !is_ident(sql[i - 2]));
            i = skip_quoted(sql, i, '\'', e);
        } else if (ch == '"') {
            i = skip_quoted(sql, i, '"', 0);
        } else if (ch == '$' && (i == 0 || !is_ident(sql[i - 1])) && (next = skip_dollar(sql, i))) {
            i = next;
        } else if (ch == '?' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            long v = 0;
            size_t j = i + 1;
            while (sql[j] >= '0' && sql[j] <= '9') {
                if (v <= MAX_PARAM) v = v * 10 + (sql[j] - '0');
                j++;
            }
            if (v < 1 || v > MAX_PARAM) {
                free(w);
                return mlops__err(MLOPS_EINVAL,
                                  "preparing a statement: placeholder ?%.*s is not in 1..%d",
                                  (int)(j - i - 1 > 12 ? 12 : j - i - 1), sql + i + 1, MAX_PARAM);
            }
            w[i] = '$';
            if (v > max) max = (int)v;
            i = j;
        } else {
            i++;
        }
    }
    *out = w;
    *nparams = max;
    return MLOPS_OK;
}
