/* The split of a weighted alias: decoder, checks, canonical encoder,
 * primary. The grammar (doc/delivery.md):
 *
 *   split   = legs [ "+shadow:" version ]
 *   legs    = version                  ; one version taking 100%
 *           | leg *( "," leg )
 *   leg     = version ":" weight
 *   version = nonzero-digit *digit     ; 1 .. 2^63-1
 *   weight  = nonzero-digit *digit     ; 1 .. 100
 *
 * No whitespace anywhere, no signs, no leading zeros (so that the only
 * freedom of the text form is the order of the legs and "N" against
 * "N:100"), no version twice, at most MLOPS__SPLIT_MAX legs, weights summing
 * to exactly 100, and nothing after the last number. */
#include "registry/split.h"

#include "util/err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct parser {
    const char *fn;
    const char *text;
    size_t len, i;
} parser;

/* The text, quoted in messages when it is short and printable ASCII. */
static int showable(const parser *ps)
{
    if (ps->len > 64) return 0;
    for (size_t i = 0; i < ps->len; i++)
        if (ps->text[i] < 0x20 || ps->text[i] > 0x7e) return 0;
    return 1;
}

static int fail_at(const parser *ps, size_t col, const char *fmt, ...) MLOPS__PRINTF(3, 4);

static int fail_at(const parser *ps, size_t col, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (showable(ps))
        return mlops__err(MLOPS_EINVAL, "%s: split '%.*s': %s at column %zu", ps->fn, (int)ps->len,
                          ps->text, what, col);
    return mlops__err(MLOPS_EINVAL, "%s: split: %s at column %zu", ps->fn, what, col);
}

/* What stands at position i, for "expected X, found Y". */
static const char *found(const parser *ps, size_t i, char buf[16])
{
    if (i >= ps->len) return "the end of the text";
    unsigned char c = (unsigned char)ps->text[i];
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads a decimal number of at most max at ps->i: a nonzero first digit
 * (what names it in messages), no sign, no overflow. */
static int number(parser *ps, const char *what, int64_t max, int64_t *out)
{
    size_t start = ps->i;
    char b[16];
    if (start < ps->len && is_space(ps->text[start]))
        return fail_at(ps, start + 1, "whitespace is not allowed");
    if (start < ps->len && (ps->text[start] == '-' || ps->text[start] == '+'))
        return fail_at(ps, start + 1, "a %s has no sign (%ss are 1..%" PRId64 ")", what, what, max);
    if (start >= ps->len || ps->text[start] < '0' || ps->text[start] > '9')
        return fail_at(ps, start + 1, "expected a %s, found %s", what, found(ps, start, b));
    if (ps->text[start] == '0') {
        if (start + 1 < ps->len && ps->text[start + 1] >= '0' && ps->text[start + 1] <= '9')
            return fail_at(ps, start + 1, "a %s may not have a leading zero", what);
        return fail_at(ps, start + 1, "%s 0 is not allowed (%ss are 1..%" PRId64 ")", what, what, max);
    }
    int64_t v = 0;
    while (ps->i < ps->len && ps->text[ps->i] >= '0' && ps->text[ps->i] <= '9') {
        int d = ps->text[ps->i] - '0';
        if (v > (max - d) / 10)
            return fail_at(ps, start + 1, "%s too large (%ss are 1..%" PRId64 ")", what, what, max);
        v = v * 10 + d;
        ps->i++;
    }
    *out = v;
    return MLOPS_OK;
}

static int at(const parser *ps, char c)
{
    return ps->i < ps->len && ps->text[ps->i] == c;
}

static void sort_legs(mlops__split *s)
{
    for (size_t i = 1; i < s->n; i++) {
        mlops__split_leg x = s->leg[i];
        size_t j = i;
        for (; j > 0 && s->leg[j - 1].version > x.version; j--) s->leg[j] = s->leg[j - 1];
        s->leg[j] = x;
    }
}

static int leg_index(const mlops__split *s, int64_t v)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->leg[i].version == v) return (int)i;
    return -1;
}

static int parse(parser *ps, mlops__split *s)
{
    char b[16];
    if (ps->len == 0) return fail_at(ps, 1, "the split is empty (write N or N:W,M:W...)");
    int sum = 0;
    for (;;) {
        size_t col = ps->i + 1;
        int64_t v, w = 100;
        int rc = number(ps, "version", INT64_MAX, &v);
        if (rc) return rc;
        int weighted = at(ps, ':');
        if (weighted) {
            ps->i++;
            if ((rc = number(ps, "weight", 100, &w))) return rc;
        }
        if (leg_index(s, v) >= 0) return fail_at(ps, col, "version %" PRId64 " appears twice", v);
        if (s->n == MLOPS__SPLIT_MAX)
            return fail_at(ps, col, "more than %d versions", MLOPS__SPLIT_MAX);
        /* A bare version is the whole split: "4", never "4,5:10". */
        int more = at(ps, ',');
        if (!weighted && (more || s->n > 0))
            return fail_at(ps, ps->i + 1, "version %" PRId64 " has no weight (write %" PRId64 ":W)", v, v);
        s->leg[s->n].version = v;
        s->leg[s->n].weight = (int)w;
        s->n++;
        sum += (int)w;
        if (!more) break;
        ps->i++;
    }
    if (at(ps, '+')) {
        static const char kw[] = "+shadow:";
        size_t col = ps->i + 1;
        if (ps->len - ps->i < sizeof kw - 1 || memcmp(ps->text + ps->i, kw, sizeof kw - 1) != 0)
            return fail_at(ps, col, "expected '+shadow:N'");
        ps->i += sizeof kw - 1;
        int rc = number(ps, "version", INT64_MAX, &s->shadow);
        if (rc) return rc;
        if (leg_index(s, s->shadow) >= 0)
            return fail_at(ps, col + sizeof kw - 1,
                           "shadow version %" PRId64 " is also routed (a shadow only mirrors)", s->shadow);
    }
    if (ps->i < ps->len) {
        if (is_space(ps->text[ps->i])) return fail_at(ps, ps->i + 1, "whitespace is not allowed");
        return fail_at(ps, ps->i + 1, "unexpected %s after the split", found(ps, ps->i, b));
    }
    if (sum != 100) {
        if (showable(ps))
            return mlops__err(MLOPS_EINVAL, "%s: split '%.*s': the weights sum to %d, not 100", ps->fn,
                              (int)ps->len, ps->text, sum);
        return mlops__err(MLOPS_EINVAL, "%s: split: the weights sum to %d, not 100", ps->fn, sum);
    }
    sort_legs(s);
    return MLOPS_OK;
}

int mlops__split_decode_n(const char *fn, const char *text, size_t len, mlops__split *out)
{
    memset(out, 0, sizeof *out);
    if (!text) return mlops__err_null(fn, "split");
    parser ps = { fn, text, len, 0 };
    int rc = parse(&ps, out);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

int mlops__split_decode(const char *fn, const char *text, mlops__split *out)
{
    return mlops__split_decode_n(fn, text, text ? strlen(text) : 0, out);
}

int mlops__split_check(const char *fn, mlops__split *s)
{
    if (s->n == 0) return mlops__err(MLOPS_EINVAL, "%s: split: no versions", fn);
    if (s->n > MLOPS__SPLIT_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: split: %zu versions, at most %d", fn, s->n, MLOPS__SPLIT_MAX);
    int sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        const mlops__split_leg *l = &s->leg[i];
        if (l->version < 1)
            return mlops__err(MLOPS_EINVAL, "%s: split: version %" PRId64 " (versions start at 1)", fn,
                              l->version);
        if (l->weight < 1 || l->weight > 100)
            return mlops__err(MLOPS_EINVAL, "%s: split: version %" PRId64 " has weight %d (weights are 1..100)",
                              fn, l->version, l->weight);
        for (size_t j = 0; j < i; j++)
            if (s->leg[j].version == l->version)
                return mlops__err(MLOPS_EINVAL, "%s: split: version %" PRId64 " appears twice", fn,
                                  l->version);
        sum += l->weight; /* at most 16 * 100: no overflow */
    }
    if (sum != 100) return mlops__err(MLOPS_EINVAL, "%s: split: the weights sum to %d, not 100", fn, sum);
    if (s->shadow < 0)
        return mlops__err(MLOPS_EINVAL, "%s: split: shadow version %" PRId64 " (versions start at 1)", fn,
                          s->shadow);
    if (s->shadow && leg_index(s, s->shadow) >= 0)
        return mlops__err(MLOPS_EINVAL, "%s: split: shadow version %" PRId64 " is also routed", fn, s->shadow);
    sort_legs(s);
    return MLOPS_OK;
}

size_t mlops__split_encode(const mlops__split *s, char out[MLOPS__SPLIT_TEXT_MAX])
{
    size_t n = 0;
    if (s->n == 1 && s->leg[0].weight == 100) {
        n += (size_t)snprintf(out, MLOPS__SPLIT_TEXT_MAX, "%" PRId64, s->leg[0].version);
    } else {
        for (size_t i = 0; i < s->n; i++)
            n += (size_t)snprintf(out + n, MLOPS__SPLIT_TEXT_MAX - n, "%s%" PRId64 ":%d", i ? "," : "",
                                  s->leg[i].version, s->leg[i].weight);
    }
    if (s->shadow)
        n += (size_t)snprintf(out + n, MLOPS__SPLIT_TEXT_MAX - n, "+shadow:%" PRId64, s->shadow);
    return n;
}

int64_t mlops__split_primary(const mlops__split *s)
{
    size_t best = 0;
    for (size_t i = 1; i < s->n; i++)
        if (s->leg[i].weight > s->leg[best].weight ||
            (s->leg[i].weight == s->leg[best].weight && s->leg[i].version < s->leg[best].version))
            best = i;
    return s->n ? s->leg[best].version : 0;
}

int mlops__split_weight(const mlops__split *s, int64_t v)
{
    int i = leg_index(s, v);
    return i < 0 ? 0 : s->leg[i].weight;
}

int mlops__split_equal(const mlops__split *a, const mlops__split *b)
{
    if (a->n != b->n || a->shadow != b->shadow) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->leg[i].version != b->leg[i].version || a->leg[i].weight != b->leg[i].weight) return 0;
    return 1;
}
