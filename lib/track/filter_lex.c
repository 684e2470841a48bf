/* The search language's words (doc/search.md): fields, literals, keywords
 * and positioned errors, shared by the filter and ORDER BY parser
 * (filter_parse.c) and by the registry's gate conditions, which extend the
 * filter language (lib/registry/gate_parse.c). */
#include "track/filter_lex.h"
#include "track/track_internal.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Attribute names (after "attributes." or alone) and the column they read. */
static const struct attribute {
    const char *name;
    const char *column;
    enum mlops__value_type type;
} attributes[] = {
    { "run_id", "r.run_id", MLOPS__T_TEXT },
    { "id", "r.run_id", MLOPS__T_TEXT },
    { "run_name", "r.name", MLOPS__T_TEXT },
    { "name", "r.name", MLOPS__T_TEXT },
    { "status", "r.status", MLOPS__T_TEXT },
    { "start_time", "r.start_ms", MLOPS__T_NUMBER },
    { "end_time", "r.end_ms", MLOPS__T_NUMBER },
    { "experiment_id", "r.experiment_id", MLOPS__T_NUMBER },
    { "experiment", "r.experiment_id", MLOPS__T_NUMBER },
    { "parent_run_id", "r.parent_id", MLOPS__T_TEXT },
    { "parent_id", "r.parent_id", MLOPS__T_TEXT },
};

/* Metric aggregates, as named in the text and in mlops__field.column. */
static const char *const aggregates[] = { "last", "min", "max", "count" };

/* ---- errors ---- */

int mlops__lex_error(mlops__lexer *p, size_t pos, const char *fmt, ...)
{
    if (p->rc) return p->rc; /* keep the first error */
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (pos >= p->len)
        p->rc = mlops__err(MLOPS_EINVAL, "%s: bad %s at position %zu (the end): %s", p->func,
                           p->what, pos + 1, why);
    else
        p->rc = mlops__err(MLOPS_EINVAL, "%s: bad %s at position %zu: %s; near \"%.24s%s\"",
                           p->func, p->what, pos + 1, why, p->src + pos,
                           p->len - pos > 24 ? "..." : "");
    return p->rc;
}

int mlops__lex_oom(mlops__lexer *p)
{
    if (!p->rc) p->rc = mlops__err_nomem("compiling a search");
    return p->rc;
}

/* ---- characters and words ---- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (c >= '0' && c <= '9');
}

/* Characters of an unquoted key, besides the '.' between segments. */
static int is_key(char c)
{
    return is_word(c) || c == '-' || c == '/' || c == ':' || (unsigned char)c >= 0x80;
}

void mlops__lex_skip_space(mlops__lexer *p)
{
    while (p->pos < p->len && is_space(p->src[p->pos])) p->pos++;
}

char mlops__lex_peek(mlops__lexer *p)
{
    mlops__lex_skip_space(p);
    return p->pos < p->len ? p->src[p->pos] : '\0';
}

/* Consumes keyword kw (any case) when it is next as a whole word. */
int mlops__lex_keyword(mlops__lexer *p, const char *kw)
{
    mlops__lex_skip_space(p);
    size_t n = strlen(kw);
    if (p->len - p->pos < n || strncasecmp(p->src + p->pos, kw, n) != 0) return 0;
    if (p->pos + n < p->len && is_word(p->src[p->pos + n])) return 0;
    p->pos += n;
    return 1;
}

static size_t word_len(const mlops__lexer *p, size_t at)
{
    size_t n = 0;
    if (at < p->len && is_word(p->src[at]) && !(p->src[at] >= '0' && p->src[at] <= '9'))
        while (at + n < p->len && is_word(p->src[at + n])) n++;
    return n;
}

static int word_is(const char *w, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(w, name, n) == 0;
}

/* ---- fields ---- */

/* A quoted key: `...` or "...", the quote doubled inside stands for itself. */
static int quoted_key(mlops__lexer *p, mlops__lex_field *f)
{
    char q = p->src[p->pos];
    size_t start = p->pos++;
    mlops__buf key = MLOPS__BUF_INIT;
    for (;;) {
        if (p->pos >= p->len) {
            mlops__buf_free(&key);
            return mlops__lex_error(p, start, "unterminated quoted key");
        }
        char c = p->src[p->pos++];
        if (c == q) {
            if (p->pos < p->len && p->src[p->pos] == q) {
                p->pos++;
                mlops__buf_addn(&key, &q, 1);
                continue;
            }
            break;
        }
        mlops__buf_addn(&key, &c, 1);
    }
    if (key.failed) {
        mlops__buf_free(&key);
        return mlops__lex_oom(p);
    }
    f->f.key = key.data ? key.data : mlops__strdup("");
    f->f.keylen = key.len;
    if (!f->f.key) return mlops__lex_oom(p);
    return MLOPS_OK;
}

static int check_key(mlops__lexer *p, mlops__lex_field *f)
{
    if (mlops__track_check_key(p->func, "key", f->f.key) != MLOPS_OK) {
        char why[200];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        const char *colon = strstr(why, ": key ");
        return mlops__lex_error(p, f->pos, "the key %s", colon ? colon + 6 : "is not valid");
    }
    return MLOPS_OK;
}

int mlops__lex_field_parse(mlops__lexer *p, mlops__lex_field *f)
{
    mlops__lex_skip_space(p);
    memset(f, 0, sizeof *f);
    f->pos = p->pos;
    size_t n = word_len(p, p->pos);
    if (!n)
        return mlops__lex_error(p, p->pos,
                    "expected a field: metrics.<key>, params.<key>, tags.<key> or an attribute "
                    "(run_id, run_name, status, start_time, end_time, experiment_id, "
                    "parent_run_id)");
    const char *w = p->src + p->pos;
    int has_dot = p->pos + n < p->len && p->src[p->pos + n] == '.';
    int entity = -1;
    if (has_dot) {
        if (word_is(w, n, "metrics") || word_is(w, n, "metric")) entity = MLOPS__F_METRIC;
        else if (word_is(w, n, "params") || word_is(w, n, "param")) entity = MLOPS__F_PARAM;
        else if (word_is(w, n, "tags") || word_is(w, n, "tag")) entity = MLOPS__F_TAG;
        else if (word_is(w, n, "attributes") || word_is(w, n, "attribute") ||
                 word_is(w, n, "attr") || word_is(w, n, "run"))
            entity = MLOPS__F_ATTR;
        else
            return mlops__lex_error(p, p->pos,
                        "unknown entity '%.*s' (use metrics, params, tags or attributes)",
                        (int)(n > 40 ? 40 : n), w);
        p->pos += n + 1;
    }
    if (entity == MLOPS__F_ATTR || entity == -1) {
        size_t an = word_len(p, p->pos);
        const char *aw = p->src + p->pos;
        for (size_t i = 0; an && i < sizeof attributes / sizeof attributes[0]; i++) {
            if (word_is(aw, an, attributes[i].name) &&
                !(p->pos + an < p->len && p->src[p->pos + an] == '.')) {
                f->f.kind = MLOPS__F_ATTR;
                f->f.column = attributes[i].column;
                f->f.type = attributes[i].type;
                f->is_status = !strcmp(attributes[i].name, "status");
                snprintf(f->text, sizeof f->text, "attributes.%s", attributes[i].name);
                p->pos += an;
                return MLOPS_OK;
            }
        }
        return mlops__lex_error(p, entity == MLOPS__F_ATTR ? p->pos : f->pos,
                    "unknown attribute '%.*s' (attributes are run_id, run_name, status, "
                    "start_time, end_time, experiment_id, parent_run_id)",
                    (int)(an > 40 ? 40 : an), aw);
    }
    f->f.kind = (enum mlops__field_kind)entity;
    const char *prefix = entity == MLOPS__F_METRIC  ? "metrics"
                         : entity == MLOPS__F_PARAM ? "params"
                                                    : "tags";
    char c = p->pos < p->len ? p->src[p->pos] : '\0';
    int quoted = c == '`' || c == '"';
    if (quoted) {
        if (quoted_key(p, f)) return p->rc;
    } else {
        size_t start = p->pos;
        while (p->pos < p->len && (is_key(p->src[p->pos]) || p->src[p->pos] == '.')) p->pos++;
        size_t klen = p->pos - start;
        if (!klen) return mlops__lex_error(p, start, "expected a key after '%s.'", prefix);
        const char *k = p->src + start;
        if (k[0] == '.' || k[klen - 1] == '.' || memmem(k, klen, "..", 2))
            return mlops__lex_error(p, start, "a key cannot begin or end with '.' or hold '..' unquoted; "
                                  "quote it with backticks");
        /* metrics.<key>.<aggregate>: the last segment names an aggregate */
        if (entity == MLOPS__F_METRIC) {
            const char *dot = NULL;
            for (size_t i = klen; i > 0; i--)
                if (k[i - 1] == '.') {
                    dot = k + i - 1;
                    break;
                }
            for (size_t a = 0; dot && a < 4; a++)
                if (word_is(dot + 1, (size_t)(k + klen - dot - 1), aggregates[a])) {
                    f->f.column = aggregates[a];
                    f->aggregate_given = 1;
                    klen = (size_t)(dot - k);
                    break;
                }
        }
        f->f.key = malloc(klen + 1);
        if (!f->f.key) return mlops__lex_oom(p);
        memcpy(f->f.key, k, klen);
        f->f.key[klen] = '\0';
        f->f.keylen = klen;
    }
    if (quoted && entity == MLOPS__F_METRIC && p->pos < p->len && p->src[p->pos] == '.') {
        size_t at = ++p->pos;
        size_t an = word_len(p, at);
        for (size_t a = 0; an && a < 4; a++)
            if (word_is(p->src + at, an, aggregates[a])) {
                f->f.column = aggregates[a];
                f->aggregate_given = 1;
                p->pos += an;
                break;
            }
        if (!f->f.column)
            return mlops__lex_error(p, at, "expected an aggregate after the quoted key: last, min, max or "
                               "count");
    }
    if (entity == MLOPS__F_METRIC && !f->f.column) f->f.column = "last";
    f->f.type = entity == MLOPS__F_METRIC ? MLOPS__T_NUMBER : MLOPS__T_TEXT;
    snprintf(f->text, sizeof f->text, "%s.%.40s%s", prefix, f->f.key,
             f->f.keylen > 40 ? "..." : "");
    return check_key(p, f);
}

/* ---- literals ---- */

int mlops__lex_literal_parse(mlops__lexer *p, mlops__lex_literal *lit)
{
    char c = mlops__lex_peek(p);
    memset(lit, 0, sizeof *lit);
    lit->pos = p->pos;
    if (c == '\'') {
        mlops__buf s = MLOPS__BUF_INIT;
        p->pos++;
        for (;;) {
            if (p->pos >= p->len) {
                mlops__buf_free(&s);
                return mlops__lex_error(p, lit->pos, "unterminated string (a quote inside a string is "
                                         "written '')");
            }
            char ch = p->src[p->pos++];
            if (ch == '\'') {
                if (p->pos < p->len && p->src[p->pos] == '\'') {
                    p->pos++;
                    mlops__buf_addn(&s, "'", 1);
                    continue;
                }
                break;
            }
            mlops__buf_addn(&s, &ch, 1);
        }
        if (s.failed) {
            mlops__buf_free(&s);
            return mlops__lex_oom(p);
        }
        lit->v.type = MLOPS__T_TEXT;
        lit->v.slen = s.len;
        lit->v.s = s.data ? s.data : mlops__strdup("");
        if (!lit->v.s) return mlops__lex_oom(p);
        return MLOPS_OK;
    }
    /* [+-] digits [. digits] [e [+-] digits], or [+-] . digits ... */
    size_t i = p->pos;
    if (i < p->len && (p->src[i] == '+' || p->src[i] == '-')) i++;
    size_t digits = 0;
    int is_int = 1;
    while (i < p->len && p->src[i] >= '0' && p->src[i] <= '9') i++, digits++;
    if (i < p->len && p->src[i] == '.') {
        is_int = 0;
        i++;
        while (i < p->len && p->src[i] >= '0' && p->src[i] <= '9') i++, digits++;
    }
    if (!digits)
        return mlops__lex_error(p, p->pos, "expected a value: a 'quoted string' or a number");
    if (i < p->len && (p->src[i] == 'e' || p->src[i] == 'E')) {
        is_int = 0;
        i++;
        if (i < p->len && (p->src[i] == '+' || p->src[i] == '-')) i++;
        if (!(i < p->len && p->src[i] >= '0' && p->src[i] <= '9'))
            return mlops__lex_error(p, p->pos, "malformed number");
        while (i < p->len && p->src[i] >= '0' && p->src[i] <= '9') i++;
    }
    if (i < p->len && (is_word(p->src[i]) || p->src[i] == '.'))
        return mlops__lex_error(p, p->pos, "malformed number");
    char num[64];
    if (i - p->pos >= sizeof num) return mlops__lex_error(p, p->pos, "number too long");
    memcpy(num, p->src + p->pos, i - p->pos);
    num[i - p->pos] = '\0';
    lit->v.type = MLOPS__T_NUMBER;
    errno = 0;
    if (is_int) {
        long long v = strtoll(num, NULL, 10);
        if (errno == 0) {
            lit->v.is_int = 1;
            lit->v.i = v;
        }
    }
    if (!lit->v.is_int) {
        errno = 0;
        lit->v.d = strtod(num, NULL);
        if (errno == ERANGE && (lit->v.d > 1 || lit->v.d < -1))
            return mlops__lex_error(p, p->pos, "number out of range");
    }
    p->pos = i;
    return MLOPS_OK;
}

void mlops__literal_free(mlops__literal *l)
{
    free(l->s);
    l->s = NULL;
}

void mlops__field_free(mlops__field *f)
{
    free(f->key);
    f->key = NULL;
}

int mlops__lex_blank(const char *s)
{
    while (s && *s && is_space(*s)) s++;
    return !s || !*s;
}

int mlops__lex_check_text(const char *func, const char *what, const char *s)
{
    size_t n = strnlen(s, MLOPS__FILTER_TEXT_MAX + 1);
    if (n > MLOPS__FILTER_TEXT_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: %s is longer than %d bytes", func, what,
                          MLOPS__FILTER_TEXT_MAX);
    if (!mlops__utf8_valid(s, n))
        return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", func, what);
    return MLOPS_OK;
}


/* Spellings of the comparison operators and the one each stands for;
 * two-character ones first, so that "<=" is not read as "<". */
static const char *const compare_ops[][2] = { { "<=", "<=" }, { ">=", ">=" }, { "!=", "<>" },
                                              { "<>", "<>" }, { "==", "=" },  { "=", "=" },
                                              { "<", "<" },   { ">", ">" } };

const char *mlops__lex_compare_op(mlops__lexer *p)
{
    mlops__lex_skip_space(p);
    for (size_t i = 0; i < sizeof compare_ops / sizeof compare_ops[0]; i++) {
        size_t len = strlen(compare_ops[i][0]);
        if (p->len - p->pos >= len && !strncmp(p->src + p->pos, compare_ops[i][0], len)) {
            p->pos += len;
            return compare_ops[i][1];
        }
    }
    return NULL;
}
