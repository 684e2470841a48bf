/* A recursive-descent JSON reader (see jsonread.h). Arrays and objects are
 * read into a growing scratch list, then copied into the arena at their
 * final size. */
#include "util/jsonread.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    mlops__arena *a;
    const char *p, *end;
    size_t line;
    int depth;
    char *why;
    size_t whylen;
    int failed;
} reader;

static int fail(reader *r, const char *what)
{
    if (!r->failed) snprintf(r->why, r->whylen, "line %zu: %s", r->line, what);
    r->failed = 1;
    return -1;
}

static void skip_ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n') r->line++;
        r->p++;
    }
}

static int literal(reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return fail(r, "unexpected text");
    r->p += n;
    return 0;
}

static int hex4(reader *r, unsigned *out)
{
    if (r->end - r->p < 4) return fail(r, "a \\u escape needs 4 hex digits");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16) return fail(r, "a \\u escape needs 4 hex digits");
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A string (r->p after the opening quote): unescaped into the arena; an
 * escape never makes the text longer, so the raw length bounds it. */
static int string(reader *r, const char **out, size_t *outlen)
{
    const char *q = r->p;
    while (q < r->end && *q != '"') q += (*q == '\\' && q + 1 < r->end) ? 2 : 1;
    if (q >= r->end) return fail(r, "unterminated string");
    char *o = mlops__arena_alloc(r->a, (size_t)(q - r->p) + 1);
    if (!o) return fail(r, "out of memory");
    size_t n = 0;
    while (*r->p != '"') {
        unsigned char c = (unsigned char)*r->p++;
        if (c < 0x20) return fail(r, "a control character in a string");
        if (c != '\\') {
            o[n++] = (char)c;
            continue;
        }
        char e = *r->p++;
        unsigned cp, lo;
        switch (e) {
        case '"': o[n++] = '"'; break;
        case '\\': o[n++] = '\\'; break;
        case '/': o[n++] = '/'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'n': o[n++] = '\n'; break;
        case 'r': o[n++] = '\r'; break;
        case 't': o[n++] = '\t'; break;
        case 'u':
            if (hex4(r, &cp)) return -1;
            if (cp >= 0xd800 && cp < 0xdc00) {
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                    return fail(r, "an unpaired surrogate escape");
                r->p += 2;
                if (hex4(r, &lo)) return -1;
                if (lo < 0xdc00 || lo > 0xdfff) return fail(r, "an unpaired surrogate escape");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                return fail(r, "an unpaired surrogate escape");
            }
            if (cp == 0) return fail(r, "\\u0000 in a string");
            n += put_utf8(o + n, cp);
            break;
        default: return fail(r, "an unknown escape in a string");
        }
    }
    r->p++;
    o[n] = '\0';
    if (!mlops__utf8_valid(o, n)) return fail(r, "a string that is not UTF-8");
    *out = o;
    *outlen = n;
    return 0;
}

static int number(reader *r, double *out)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') return fail(r, "unexpected text");
    if (*r->p == '0')
        r->p++;
    else
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') return fail(r, "a malformed number");
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') return fail(r, "a malformed number");
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    }
    char tmp[64];
    size_t n = (size_t)(r->p - s);
    if (n >= sizeof tmp) return fail(r, "a number too long");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    return 0;
}

static int value(reader *r, mlops__json *v);

/* The items of an array or object (r->p after the bracket). */
static int items(reader *r, mlops__json *v, int object)
{
    char close = object ? '}' : ']';
    size_t n = 0, cap = 0;
    mlops__json *tmp = NULL;
    const char **keys = NULL;
    int rc = 0;
    if (++r->depth > MLOPS__JSON_MAX_DEPTH) return fail(r, "nested too deeply");
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
    } else {
        for (;;) {
            if (n == cap) {
                cap = cap ? 2 * cap : 8;
                mlops__json *t = realloc(tmp, cap * sizeof *t);
                const char **k = object ? realloc(keys, cap * sizeof *k) : NULL;
                if (t) tmp = t;
                if (k) keys = k;
                if (!t || (object && !k)) {
                    rc = fail(r, "out of memory");
                    break;
                }
            }
            skip_ws(r);
            if (object) {
                size_t kl;
                if (r->p >= r->end || *r->p != '"') {
                    rc = fail(r, "expected a key");
                    break;
                }
                r->p++;
                if ((rc = string(r, &keys[n], &kl))) break;
                skip_ws(r);
                if (r->p >= r->end || *r->p != ':') {
                    rc = fail(r, "expected ':'");
                    break;
                }
                r->p++;
            }
            if ((rc = value(r, &tmp[n]))) break;
            n++;
            skip_ws(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                continue;
            }
            if (r->p < r->end && *r->p == close) {
                r->p++;
                break;
            }
            rc = fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
            break;
        }
    }
    if (!rc) {
        v->len = n;
        v->items = mlops__arena_alloc(r->a, (n ? n : 1) * sizeof *v->items);
        v->keys = object ? mlops__arena_alloc(r->a, (n ? n : 1) * sizeof *v->keys) : NULL;
        if (!v->items || (object && !v->keys)) {
            rc = fail(r, "out of memory");
        } else {
            if (n) memcpy(v->items, tmp, n * sizeof *tmp);
            if (object && n) memcpy(v->keys, keys, n * sizeof *keys);
        }
    }
    free(tmp);
    free(keys);
    r->depth--;
    return rc;
}

static int value(reader *r, mlops__json *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(r);
    v->line = r->line;
    if (r->p >= r->end) return fail(r, "unexpected end of text");
    switch (*r->p) {
    case '{':
        r->p++;
        v->type = MLOPS__JSON_OBJECT;
        return items(r, v, 1);
    case '[':
        r->p++;
        v->type = MLOPS__JSON_ARRAY;
        return items(r, v, 0);
    case '"':
        r->p++;
        v->type = MLOPS__JSON_STRING;
        return string(r, &v->str, &v->len);
    case 't':
        v->type = MLOPS__JSON_BOOL;
        v->boolean = 1;
        return literal(r, "true");
    case 'f':
        v->type = MLOPS__JSON_BOOL;
        return literal(r, "false");
    case 'n':
        v->type = MLOPS__JSON_NULL;
        return literal(r, "null");
    default:
        v->type = MLOPS__JSON_NUMBER;
        return number(r, &v->number);
    }
}

int mlops__json_parse(mlops__arena *a, const char *text, size_t len, mlops__json **out, char *why,
                      size_t whylen)
{
    reader r = { a, text, text + len, 1, 0, why, whylen, 0 };
    mlops__json *v = mlops__arena_alloc(a, sizeof *v);
    if (!v) return fail(&r, "out of memory");
    if (value(&r, v)) return -1;
    skip_ws(&r);
    if (r.p != r.end) return fail(&r, "text after the value");
    *out = v;
    return 0;
}

const mlops__json *mlops__json_get(const mlops__json *o, const char *key)
{
    if (!o || o->type != MLOPS__JSON_OBJECT) return NULL;
    for (size_t i = 0; i < o->len; i++)
        if (strcmp(o->keys[i], key) == 0) return &o->items[i];
    return NULL;
}
