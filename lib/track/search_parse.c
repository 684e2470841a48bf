/* The search language (doc/search.md): a recursive-descent parser over the
 * filter and ORDER BY texts that writes SQL as it goes. Every key and
 * value the caller wrote becomes a numbered parameter; the SQL text only
 * ever holds fixed fragments from this file. */
#include "track/search_internal.h"
#include "track/track_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_kind { F_METRIC, F_PARAM, F_TAG, F_ATTR };
enum value_type { T_NUMBER, T_TEXT };

struct attribute {
    const char *name;
    const char *column;
    enum value_type type;
};

/* Attribute names (after "attributes." or alone) and the column they read. */
static const struct attribute attributes[] = {
    { "run_id", "r.run_id", T_TEXT },
    { "id", "r.run_id", T_TEXT },
    { "run_name", "r.name", T_TEXT },
    { "name", "r.name", T_TEXT },
    { "status", "r.status", T_TEXT },
    { "start_time", "r.start_ms", T_NUMBER },
    { "end_time", "r.end_ms", T_NUMBER },
    { "experiment_id", "r.experiment_id", T_NUMBER },
    { "experiment", "r.experiment_id", T_NUMBER },
    { "parent_run_id", "r.parent_id", T_TEXT },
    { "parent_id", "r.parent_id", T_TEXT },
};

/* Metric aggregates: the summary column each reads. */
static const char *const aggregates[][2] = {
    { "last", "last" }, { "min", "min" }, { "max", "max" }, { "count", "count" }
};

struct field {
    enum field_kind kind;
    char *key;            /* metrics, params, tags: malloc'd */
    size_t keylen;
    const char *column;   /* metrics: summary column; attributes: runs column */
    enum value_type type; /* attributes */
    int is_status;
    size_t pos;           /* where the field starts (0-based) */
    char text[64];        /* how to name it in messages */
};

struct literal {
    enum value_type type;
    int is_int;
    int64_t i;
    double d;
    char *s; /* strings: malloc'd, unescaped */
    size_t slen;
    size_t pos;
};

struct parser {
    const char *func, *what; /* "filter" or "order_by" */
    const char *src;
    size_t len, pos;
    mlops__query *q;
    mlops__buf *out; /* where SQL goes */
    int rc;
};

/* ---- errors ---- */

static int perr(struct parser *p, size_t pos, const char *fmt, ...) MLOPS__PRINTF(3, 4);

static int perr(struct parser *p, size_t pos, const char *fmt, ...)
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

static int oom(struct parser *p)
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

static void skip_space(struct parser *p)
{
    while (p->pos < p->len && is_space(p->src[p->pos])) p->pos++;
}

static char peek(struct parser *p)
{
    skip_space(p);
    return p->pos < p->len ? p->src[p->pos] : '\0';
}

/* Consumes keyword kw (any case) when it is next as a whole word. */
static int match_kw(struct parser *p, const char *kw)
{
    skip_space(p);
    size_t n = strlen(kw);
    if (p->len - p->pos < n || strncasecmp(p->src + p->pos, kw, n) != 0) return 0;
    if (p->pos + n < p->len && is_word(p->src[p->pos + n])) return 0;
    p->pos += n;
    return 1;
}

static size_t word_len(const struct parser *p, size_t at)
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
static int quoted_key(struct parser *p, struct field *f)
{
    char q = p->src[p->pos];
    size_t start = p->pos++;
    mlops__buf key = MLOPS__BUF_INIT;
    for (;;) {
        if (p->pos >= p->len) {
            mlops__buf_free(&key);
            return perr(p, start, "unterminated quoted key");
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
        return oom(p);
    }
    f->key = key.data ? key.data : mlops__strdup("");
    f->keylen = key.len;
    if (!f->key) return oom(p);
    return MLOPS_OK;
}

static int check_key(struct parser *p, struct field *f)
{
    if (mlops__track_check_key(p->func, "key", f->key) != MLOPS_OK) {
        char why[200];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        const char *colon = strstr(why, ": key ");
        return perr(p, f->pos, "the key %s", colon ? colon + 6 : "is not valid");
    }
    return MLOPS_OK;
}

static int parse_field(struct parser *p, struct field *f)
{
    skip_space(p);
    memset(f, 0, sizeof *f);
    f->pos = p->pos;
    size_t n = word_len(p, p->pos);
    if (!n)
        return perr(p, p->pos,
                    "expected a field: metrics.<key>, params.<key>, tags.<key> or an attribute "
                    "(run_id, run_name, status, start_time, end_time, experiment_id, "
                    "parent_run_id)");
    const char *w = p->src + p->pos;
    int has_dot = p->pos + n < p->len && p->src[p->pos + n] == '.';
    int entity = -1;
    if (has_dot) {
        if (word_is(w, n, "metrics") || word_is(w, n, "metric")) entity = F_METRIC;
        else if (word_is(w, n, "params") || word_is(w, n, "param")) entity = F_PARAM;
        else if (word_is(w, n, "tags") || word_is(w, n, "tag")) entity = F_TAG;
        else if (word_is(w, n, "attributes") || word_is(w, n, "attribute") ||
                 word_is(w, n, "attr") || word_is(w, n, "run"))
            entity = F_ATTR;
        else
            return perr(p, p->pos,
                        "unknown entity '%.*s' (use metrics, params, tags or attributes)",
                        (int)(n > 40 ? 40 : n), w);
        p->pos += n + 1;
    }
    if (entity == F_ATTR || entity == -1) {
        size_t an = word_len(p, p->pos);
        const char *aw = p->src + p->pos;
        for (size_t i = 0; an && i < sizeof attributes / sizeof attributes[0]; i++) {
            if (word_is(aw, an, attributes[i].name) &&
                !(p->pos + an < p->len && p->src[p->pos + an] == '.')) {
                f->kind = F_ATTR;
                f->column = attributes[i].column;
                f->type = attributes[i].type;
                f->is_status = !strcmp(attributes[i].name, "status");
                snprintf(f->text, sizeof f->text, "attributes.%s", attributes[i].name);
                p->pos += an;
                return MLOPS_OK;
            }
        }
        return perr(p, entity == F_ATTR ? p->pos : f->pos,
                    "unknown attribute '%.*s' (attributes are run_id, run_name, status, "
                    "start_time, end_time, experiment_id, parent_run_id)",
                    (int)(an > 40 ? 40 : an), aw);
    }
    f->kind = (enum field_kind)entity;
    const char *prefix = entity == F_METRIC ? "metrics" : entity == F_PARAM ? "params" : "tags";
    char c = p->pos < p->len ? p->src[p->pos] : '\0';
    int quoted = c == '`' || c == '"';
    if (quoted) {
        if (quoted_key(p, f)) return p->rc;
    } else {
        size_t start = p->pos;
        while (p->pos < p->len && (is_key(p->src[p->pos]) || p->src[p->pos] == '.')) p->pos++;
        size_t klen = p->pos - start;
        if (!klen) return perr(p, start, "expected a key after '%s.'", prefix);
        const char *k = p->src + start;
        if (k[0] == '.' || k[klen - 1] == '.' || memmem(k, klen, "..", 2))
            return perr(p, start, "a key cannot begin or end with '.' or hold '..' unquoted; "
                                  "quote it with backticks");
        /* metrics.<key>.<aggregate>: the last segment names an aggregate */
        if (entity == F_METRIC) {
            const char *dot = NULL;
            for (size_t i = klen; i > 0; i--)
                if (k[i - 1] == '.') {
                    dot = k + i - 1;
                    break;
                }
            for (size_t a = 0; dot && a < 4; a++)
                if (word_is(dot + 1, (size_t)(k + klen - dot - 1), aggregates[a][0])) {
                    f->column = aggregates[a][1];
                    klen = (size_t)(dot - k);
                    break;
                }
        }
        f->key = malloc(klen + 1);
        if (!f->key) return oom(p);
        memcpy(f->key, k, klen);
        f->key[klen] = '\0';
        f->keylen = klen;
    }
    if (quoted && entity == F_METRIC && p->pos < p->len && p->src[p->pos] == '.') {
        size_t at = ++p->pos;
        size_t an = word_len(p, at);
        for (size_t a = 0; an && a < 4; a++)
            if (word_is(p->src + at, an, aggregates[a][0])) {
                f->column = aggregates[a][1];
                p->pos += an;
                break;
            }
        if (!f->column)
            return perr(p, at, "expected an aggregate after the quoted key: last, min, max or "
                               "count");
    }
    if (entity == F_METRIC && !f->column) f->column = "last";
    f->type = entity == F_METRIC ? T_NUMBER : T_TEXT;
    snprintf(f->text, sizeof f->text, "%s.%.40s%s", prefix, f->key, f->keylen > 40 ? "..." : "");
    return check_key(p, f);
}

/* ---- literals ---- */

static int parse_literal(struct parser *p, struct literal *lit)
{
    char c = peek(p);
    memset(lit, 0, sizeof *lit);
    lit->pos = p->pos;
    if (c == '\'') {
        mlops__buf s = MLOPS__BUF_INIT;
        p->pos++;
        for (;;) {
            if (p->pos >= p->len) {
                mlops__buf_free(&s);
                return perr(p, lit->pos, "unterminated string (a quote inside a string is "
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
            return oom(p);
        }
        lit->type = T_TEXT;
        lit->slen = s.len;
        lit->s = s.data ? s.data : mlops__strdup("");
        if (!lit->s) return oom(p);
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
        return perr(p, p->pos, "expected a value: a 'quoted string' or a number");
    if (i < p->len && (p->src[i] == 'e' || p->src[i] == 'E')) {
        is_int = 0;
        i++;
        if (i < p->len && (p->src[i] == '+' || p->src[i] == '-')) i++;
        if (!(i < p->len && p->src[i] >= '0' && p->src[i] <= '9'))
            return perr(p, p->pos, "malformed number");
        while (i < p->len && p->src[i] >= '0' && p->src[i] <= '9') i++;
    }
    if (i < p->len && (is_word(p->src[i]) || p->src[i] == '.'))
        return perr(p, p->pos, "malformed number");
    char num[64];
    if (i - p->pos >= sizeof num) return perr(p, p->pos, "number too long");
    memcpy(num, p->src + p->pos, i - p->pos);
    num[i - p->pos] = '\0';
    lit->type = T_NUMBER;
    errno = 0;
    if (is_int) {
        long long v = strtoll(num, NULL, 10);
        if (errno == 0) {
            lit->is_int = 1;
            lit->i = v;
        }
    }
    if (!lit->is_int) {
        errno = 0;
        lit->d = strtod(num, NULL);
        if (errno == ERANGE && (lit->d > 1 || lit->d < -1))
            return perr(p, p->pos, "number out of range");
    }
    p->pos = i;
    return MLOPS_OK;
}

static void literal_free(struct literal *l)
{
    free(l->s);
    l->s = NULL;
}

/* ---- emitting SQL ---- */

static void emit(struct parser *p, const char *sql)
{
    mlops__buf_add(p->out, sql);
}

static int bind_literal(struct parser *p, const struct literal *l)
{
    int n;
    if (l->type == T_TEXT) n = mlops__binds_text(&p->q->binds, l->s, l->slen);
    else if (l->is_int) n = mlops__binds_int(&p->q->binds, l->i);
    else n = mlops__binds_real(&p->q->binds, l->d);
    if (!n) return oom(p);
    mlops__buf_addf(p->out, "?%d", n);
    return MLOPS_OK;
}

static int bind_key(struct parser *p, const struct field *f)
{
    int n = mlops__binds_text(&p->q->binds, f->key, f->keylen);
    if (!n) return oom(p);
    mlops__buf_addf(p->out, "?%d", n);
    return MLOPS_OK;
}

static const char *table_of(const struct field *f)
{
    return f->kind == F_METRIC ? "metric_series" : f->kind == F_PARAM ? "run_params" : "run_tags";
}

/* Opens the test "run r has key K in <table>, and ...": the caller writes
 * the condition on the value and the closing parenthesis. Metrics test
 * each candidate run through the (run, key) index, so that the cheaper
 * param and tag lists pick the candidates; params and tags give the list
 * of runs from their (key, value) index. */
static int open_key_subquery(struct parser *p, const struct field *f, int negate)
{
    if (f->kind == F_METRIC)
        mlops__buf_addf(p->out, "%sEXISTS (SELECT 1 FROM metric_series WHERE run = r.seq AND "
                                "key = ",
                        negate ? "NOT " : "");
    else
        mlops__buf_addf(p->out, "r.seq %sIN (SELECT run FROM %s WHERE key = ",
                        negate ? "NOT " : "", table_of(f));
    return bind_key(p, f);
}

/* The column a value of type t is compared with. */
static const char *value_column(const struct field *f, enum value_type t)
{
    if (f->kind == F_METRIC) return f->column;
    if (f->kind == F_ATTR) return f->column;
    return t == T_NUMBER ? "num" : "value";
}

static int check_type(struct parser *p, const struct field *f, const struct literal *l)
{
    if (f->kind == F_PARAM || f->kind == F_TAG) return MLOPS_OK; /* text or number */
    if (f->type == l->type) return MLOPS_OK;
    return perr(p, l->pos, "%s compares with %s", f->text,
                f->type == T_NUMBER ? "numbers, not strings" : "'quoted strings', not numbers");
}

static const char *const statuses[] = { "RUNNING", "FINISHED", "FAILED", "KILLED" };

static int check_status(struct parser *p, const struct field *f, const struct literal *l)
{
    if (!f->is_status) return MLOPS_OK;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(l->s, statuses[i])) return MLOPS_OK;
    return perr(p, l->pos, "unknown status '%.40s' (RUNNING, FINISHED, FAILED or KILLED)", l->s);
}

/* LIKE patterns (% any run, _ one character, \ escapes the next) to GLOB,
 * which is case-sensitive; GLOB's own wildcards are escaped as [*] [?] [[]. */
static int like_to_glob(struct parser *p, const struct literal *l, mlops__buf *out)
{
    for (size_t i = 0; i < l->slen; i++) {
        char c = l->s[i];
        if (c == '\\') {
            if (++i == l->slen)
                return perr(p, l->pos, "a LIKE pattern cannot end with a lone '\\'");
            c = l->s[i];
            if (c == '*' || c == '?' || c == '[') mlops__buf_addf(out, "[%c]", c);
            else mlops__buf_addn(out, &c, 1);
        } else if (c == '%') {
            mlops__buf_add(out, "*");
        } else if (c == '_') {
            mlops__buf_add(out, "?");
        } else if (c == '*' || c == '?' || c == '[') {
            mlops__buf_addf(out, "[%c]", c);
        } else {
            mlops__buf_addn(out, &c, 1);
        }
    }
    if (out->failed) return oom(p);
    return MLOPS_OK;
}

static int emit_like(struct parser *p, const struct field *f, int negate, int ilike,
                     const struct literal *l)
{
    if (f->kind == F_METRIC || f->type == T_NUMBER)
        return perr(p, f->pos, "%s is a number: LIKE and ILIKE take text fields", f->text);
    if (l->type != T_TEXT) return perr(p, l->pos, "LIKE and ILIKE take a 'quoted pattern'");
    struct literal pattern = *l;
    mlops__buf glob = MLOPS__BUF_INIT;
    if (!ilike) {
        if (like_to_glob(p, l, &glob)) {
            mlops__buf_free(&glob);
            return p->rc;
        }
        pattern.s = glob.data ? glob.data : (char *)"";
        pattern.slen = glob.len;
    } else if (l->slen && l->s[l->slen - 1] == '\\') {
        size_t run = 0; /* an odd number of trailing backslashes leaves one lone */
        for (size_t i = l->slen; i > 0 && l->s[i - 1] == '\\'; i--) run++;
        if (run % 2) return perr(p, l->pos, "an ILIKE pattern cannot end with a lone '\\'");
    }
    const char *op = ilike ? (negate ? " NOT LIKE " : " LIKE ") : (negate ? " NOT GLOB " : " GLOB ");
    if (f->kind == F_ATTR) {
        mlops__buf_addf(p->out, "coalesce(%s%s", f->column, op);
        bind_literal(p, &pattern);
        emit(p, ilike ? " ESCAPE '\\', 0)" : ", 0)");
    } else {
        open_key_subquery(p, f, 0);
        mlops__buf_addf(p->out, " AND value%s", op);
        bind_literal(p, &pattern);
        emit(p, ilike ? " ESCAPE '\\')" : ")");
    }
    mlops__buf_free(&glob);
    return p->rc;
}

static int emit_compare(struct parser *p, const struct field *f, const char *op,
                        const struct literal *l)
{
    if (check_type(p, f, l) || (l->type == T_TEXT && check_status(p, f, l))) return p->rc;
    if (f->kind == F_ATTR) {
        mlops__buf_addf(p->out, "coalesce(%s %s ", f->column, op);
        bind_literal(p, l);
        emit(p, ", 0)");
    } else {
        open_key_subquery(p, f, 0);
        mlops__buf_addf(p->out, " AND %s %s ", value_column(f, l->type), op);
        bind_literal(p, l);
        emit(p, ")");
    }
    return p->rc;
}

static int emit_in(struct parser *p, const struct field *f, int negate)
{
    size_t open = p->pos;
    if (peek(p) != '(') return perr(p, p->pos, "expected '(' and a list of values after IN");
    p->pos++;
    struct literal first;
    if (parse_literal(p, &first)) return p->rc;
    if (check_type(p, f, &first) || (first.type == T_TEXT && check_status(p, f, &first))) {
        literal_free(&first);
        return p->rc;
    }
    enum value_type t = first.type;
    if (f->kind == F_ATTR) mlops__buf_addf(p->out, "coalesce(%s %sIN (", f->column,
                                           negate ? "NOT " : "");
    else {
        open_key_subquery(p, f, 0);
        mlops__buf_addf(p->out, " AND %s %sIN (", value_column(f, t), negate ? "NOT " : "");
    }
    bind_literal(p, &first);
    literal_free(&first);
    size_t count = 1;
    while (!p->rc && peek(p) == ',') {
        p->pos++;
        struct literal l;
        if (parse_literal(p, &l)) break;
        if (l.type != t)
            perr(p, l.pos, "the values of an IN list must all be %s",
                 t == T_NUMBER ? "numbers" : "strings");
        else if (l.type == T_TEXT) check_status(p, f, &l);
        if (!p->rc && ++count > MLOPS__IN_MAX)
            perr(p, l.pos, "an IN list holds at most %d values", MLOPS__IN_MAX);
        if (!p->rc) {
            emit(p, ", ");
            bind_literal(p, &l);
        }
        literal_free(&l);
    }
    if (p->rc) return p->rc;
    if (peek(p) != ')') return perr(p, p->pos, "expected ',' or ')' in the IN list opened at "
                                               "position %zu", open + 1);
    p->pos++;
    emit(p, f->kind == F_ATTR ? "), 0)" : "))");
    return p->rc;
}

static int emit_is_null(struct parser *p, const struct field *f, int not_null)
{
    if (f->kind == F_ATTR) {
        mlops__buf_addf(p->out, "(%s IS %sNULL)", f->column, not_null ? "NOT " : "");
        return p->rc;
    }
    open_key_subquery(p, f, !not_null);
    emit(p, ")");
    return p->rc;
}

/* ---- the grammar ---- */

static int parse_or(struct parser *p, int depth);

static int parse_predicate(struct parser *p)
{
    struct field f;
    if (parse_field(p, &f)) {
        free(f.key);
        return p->rc;
    }
    skip_space(p);
    size_t oppos = p->pos;
    if (match_kw(p, "IS")) {
        int not_null = match_kw(p, "NOT");
        if (!match_kw(p, "NULL")) perr(p, p->pos, "expected NULL after IS%s", not_null ? " NOT" : "");
        else emit_is_null(p, &f, not_null);
    } else {
        int negate = match_kw(p, "NOT");
        int ilike = match_kw(p, "ILIKE");
        if (ilike || match_kw(p, "LIKE")) {
            struct literal l;
            if (!parse_literal(p, &l)) emit_like(p, &f, negate, ilike, &l);
            literal_free(&l);
        } else if (match_kw(p, "IN")) {
            emit_in(p, &f, negate);
        } else if (negate) {
            perr(p, p->pos, "expected LIKE, ILIKE or IN after NOT");
        } else {
            static const char *const ops[][2] = { { "<=", "<=" }, { ">=", ">=" }, { "!=", "<>" },
                                                  { "<>", "<>" }, { "==", "=" },  { "=", "=" },
                                                  { "<", "<" },   { ">", ">" } };
            const char *op = NULL;
            for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
                size_t n = strlen(ops[i][0]);
                if (p->len - p->pos >= n && !strncmp(p->src + p->pos, ops[i][0], n)) {
                    op = ops[i][1];
                    p->pos += n;
                    break;
                }
            }
            if (!op) {
                perr(p, oppos, "expected an operator after %s: = != < <= > >= LIKE ILIKE IN IS",
                     f.text);
            } else {
                struct literal l;
                if (!parse_literal(p, &l)) emit_compare(p, &f, op, &l);
                literal_free(&l);
            }
        }
    }
    free(f.key);
    return p->rc;
}

static int parse_primary(struct parser *p, int depth)
{
    if (peek(p) == '(') {
        size_t open = p->pos++;
        emit(p, "(");
        if (parse_or(p, depth + 1)) return p->rc;
        if (peek(p) != ')')
            return perr(p, p->pos, "expected ')' to close the '(' at position %zu", open + 1);
        p->pos++;
        emit(p, ")");
        return p->rc;
    }
    return parse_predicate(p);
}

static int parse_not(struct parser *p, int depth)
{
    if (depth > 64) return perr(p, p->pos, "nested too deeply");
    if (match_kw(p, "NOT")) {
        emit(p, "NOT ");
        return parse_not(p, depth + 1);
    }
    return parse_primary(p, depth);
}

static int parse_and(struct parser *p, int depth)
{
    emit(p, "(");
    if (parse_not(p, depth)) return p->rc;
    while (match_kw(p, "AND")) {
        emit(p, " AND ");
        if (parse_not(p, depth)) return p->rc;
    }
    emit(p, ")");
    return p->rc;
}

static int parse_or(struct parser *p, int depth)
{
    emit(p, "(");
    if (parse_and(p, depth)) return p->rc;
    while (match_kw(p, "OR")) {
        emit(p, " OR ");
        if (parse_and(p, depth)) return p->rc;
    }
    emit(p, ")");
    return p->rc;
}

static int is_blank(const char *s)
{
    while (s && *s && is_space(*s)) s++;
    return !s || !*s;
}

static int check_text(const char *func, const char *what, const char *s)
{
    size_t n = strnlen(s, 65537);
    if (n > 65536) return mlops__err(MLOPS_EINVAL, "%s: %s is longer than 65536 bytes", func, what);
    if (!mlops__utf8_valid(s, n)) return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", func, what);
    return MLOPS_OK;
}

static int compile_filter(struct parser *p)
{
    if (is_blank(p->src)) return MLOPS_OK;
    if (parse_or(p, 0)) return p->rc;
    skip_space(p);
    if (p->pos < p->len) {
        char c = p->src[p->pos];
        if (c == ')') return perr(p, p->pos, "unbalanced ')'");
        return perr(p, p->pos, "expected AND, OR or the end of the filter");
    }
    return p->out->failed ? oom(p) : MLOPS_OK;
}

/* Key i of the order: a LEFT JOIN bringing the run's row of that key as
 * s<i> (none for attributes) and the value expression. */
static int sort_key(struct parser *p, const struct field *f, size_t i, mlops__sort_key *k)
{
    if (f->kind == F_ATTR) {
        mlops__buf_add(&k->expr, f->column);
    } else {
        p->out = &k->join;
        mlops__buf_addf(&k->join, " LEFT JOIN %s s%zu ON s%zu.run = r.seq AND s%zu.key = ",
                        table_of(f), i, i, i);
        bind_key(p, f);
        if (f->kind == F_METRIC) mlops__buf_addf(&k->expr, "s%zu.%s", i, f->column);
        /* params and tags: numbers first, in numeric order, then the rest as text */
        else mlops__buf_addf(&k->expr, "coalesce(s%zu.num, s%zu.value)", i, i);
    }
    return k->join.failed || k->expr.failed ? oom(p) : p->rc;
}

static int compile_order(struct parser *p)
{
    if (is_blank(p->src)) {
        p->q->keys[0].desc = 1;
        p->q->nkeys = 1;
        mlops__buf_add(&p->q->keys[0].expr, "r.start_ms");
        return p->q->keys[0].expr.failed ? oom(p) : MLOPS_OK;
    }
    for (;;) {
        if (p->q->nkeys == MLOPS__ORDER_MAX)
            return perr(p, p->pos, "at most %d ORDER BY keys", MLOPS__ORDER_MAX);
        struct field f;
        if (parse_field(p, &f)) {
            free(f.key);
            return p->rc;
        }
        mlops__sort_key *k = &p->q->keys[p->q->nkeys];
        sort_key(p, &f, p->q->nkeys++, k);
        free(f.key);
        if (p->rc) return p->rc;
        if (match_kw(p, "DESC")) k->desc = 1;
        else match_kw(p, "ASC");
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len)
            return perr(p, p->pos, "expected ASC, DESC, ',' or the end of the ORDER BY");
        return MLOPS_OK;
    }
}

int mlops__search_compile(const char *func, const char *filter, const char *order_by,
                          mlops__query *q)
{
    if (filter && check_text(func, "filter", filter)) return MLOPS_EINVAL;
    if (order_by && check_text(func, "order_by", order_by)) return MLOPS_EINVAL;
    struct parser p = { func, "filter", filter ? filter : "", filter ? strlen(filter) : 0, 0,
                        q, &q->where, MLOPS_OK };
    if (compile_filter(&p)) return p.rc;
    struct parser o = { func, "order_by", order_by ? order_by : "",
                        order_by ? strlen(order_by) : 0, 0, q, NULL, MLOPS_OK };
    if (compile_order(&o)) return o.rc;
    if (q->binds.failed) return mlops__err_nomem("compiling a search");
    return MLOPS_OK;
}

void mlops__query_free(mlops__query *q)
{
    mlops__buf_free(&q->where);
    mlops__binds_free(&q->binds);
    for (size_t i = 0; i < MLOPS__ORDER_MAX; i++) {
        mlops__buf_free(&q->keys[i].expr);
        mlops__buf_free(&q->keys[i].join);
    }
    q->nkeys = 0;
}
