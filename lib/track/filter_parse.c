/* The search language (doc/search.md): a recursive-descent parser over the
 * filter and ORDER BY texts that builds the normalised tree of filter.h
 * and checks every rule and limit a caller can break, with the position.
 * Nothing here knows SQL: filter_sql.c renders the tree. */
#include "track/filter.h"
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

/* A field as parsed: the tree's field, and what messages need. */
struct field {
    mlops__field f;
    int is_status;
    size_t pos;    /* where the field starts (0-based) */
    char text[64]; /* how to name it in messages */
};

/* A literal and where it starts. */
struct literal {
    mlops__literal v;
    size_t pos;
};

struct parser {
    const char *func, *what; /* "filter" or "order_by" */
    const char *src;
    size_t len, pos;
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
    f->f.key = key.data ? key.data : mlops__strdup("");
    f->f.keylen = key.len;
    if (!f->f.key) return oom(p);
    return MLOPS_OK;
}

static int check_key(struct parser *p, struct field *f)
{
    if (mlops__track_check_key(p->func, "key", f->f.key) != MLOPS_OK) {
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
        if (word_is(w, n, "metrics") || word_is(w, n, "metric")) entity = MLOPS__F_METRIC;
        else if (word_is(w, n, "params") || word_is(w, n, "param")) entity = MLOPS__F_PARAM;
        else if (word_is(w, n, "tags") || word_is(w, n, "tag")) entity = MLOPS__F_TAG;
        else if (word_is(w, n, "attributes") || word_is(w, n, "attribute") ||
                 word_is(w, n, "attr") || word_is(w, n, "run"))
            entity = MLOPS__F_ATTR;
        else
            return perr(p, p->pos,
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
        return perr(p, entity == MLOPS__F_ATTR ? p->pos : f->pos,
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
        if (!klen) return perr(p, start, "expected a key after '%s.'", prefix);
        const char *k = p->src + start;
        if (k[0] == '.' || k[klen - 1] == '.' || memmem(k, klen, "..", 2))
            return perr(p, start, "a key cannot begin or end with '.' or hold '..' unquoted; "
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
                    klen = (size_t)(dot - k);
                    break;
                }
        }
        f->f.key = malloc(klen + 1);
        if (!f->f.key) return oom(p);
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
                p->pos += an;
                break;
            }
        if (!f->f.column)
            return perr(p, at, "expected an aggregate after the quoted key: last, min, max or "
                               "count");
    }
    if (entity == MLOPS__F_METRIC && !f->f.column) f->f.column = "last";
    f->f.type = entity == MLOPS__F_METRIC ? MLOPS__T_NUMBER : MLOPS__T_TEXT;
    snprintf(f->text, sizeof f->text, "%s.%.40s%s", prefix, f->f.key,
             f->f.keylen > 40 ? "..." : "");
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
        lit->v.type = MLOPS__T_TEXT;
        lit->v.slen = s.len;
        lit->v.s = s.data ? s.data : mlops__strdup("");
        if (!lit->v.s) return oom(p);
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
            return perr(p, p->pos, "number out of range");
    }
    p->pos = i;
    return MLOPS_OK;
}

static void literal_free(mlops__literal *l)
{
    free(l->s);
    l->s = NULL;
}

/* ---- the tree ---- */

static void field_free(mlops__field *f)
{
    free(f->key);
    f->key = NULL;
}

static void node_free(mlops__fnode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->nkids; i++) node_free(n->kids[i]);
    free(n->kids);
    for (size_t i = 0; i < n->nvalues; i++) literal_free(&n->values[i]);
    free(n->values);
    field_free(&n->field);
    free(n);
}

static mlops__fnode *node_new(struct parser *p, enum mlops__fnode_kind kind)
{
    mlops__fnode *n = calloc(1, sizeof *n);
    if (!n) oom(p);
    else n->kind = kind;
    return n;
}

/* A predicate over field f (which the node takes over). */
static mlops__fnode *leaf_new(struct parser *p, enum mlops__fnode_kind kind, struct field *f)
{
    mlops__fnode *n = node_new(p, kind);
    if (!n) return NULL;
    n->field = f->f;
    f->f.key = NULL;
    return n;
}

/* Appends value l (taken over) to a predicate. */
static int add_value(struct parser *p, mlops__fnode *n, struct literal *l)
{
    if (n->nvalues == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 1;
        mlops__literal *grown = realloc(n->values, cap * sizeof *grown);
        if (!grown) return oom(p);
        n->values = grown;
        n->cap = cap;
    }
    n->values[n->nvalues++] = l->v;
    l->v.s = NULL;
    return MLOPS_OK;
}

/* Adds kid (taken over, freed on error) to the AND or OR node n; a kid of
 * the same kind gives its children instead, so chains and redundant
 * parentheses never nest. */
static int add_kid(struct parser *p, mlops__fnode *n, mlops__fnode *kid)
{
    if (kid->kind == n->kind) {
        for (size_t i = 0; i < kid->nkids; i++) {
            if (add_kid(p, n, kid->kids[i])) {
                for (size_t j = i + 1; j < kid->nkids; j++) node_free(kid->kids[j]);
                kid->nkids = 0;
                node_free(kid);
                return p->rc;
            }
        }
        kid->nkids = 0;
        node_free(kid);
        return MLOPS_OK;
    }
    if (n->nkids == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 4;
        mlops__fnode **grown = realloc(n->kids, cap * sizeof *grown);
        if (!grown) {
            node_free(kid);
            return oom(p);
        }
        n->kids = grown;
        n->cap = cap;
    }
    n->kids[n->nkids++] = kid;
    return MLOPS_OK;
}

/* NOT n, in place: De Morgan down to the predicates. AND and OR swap, so a
 * child still never has its parent's kind. Exact because predicates are
 * never unknown (doc/search.md). */
static void negate(mlops__fnode *n)
{
    switch (n->kind) {
    case MLOPS__N_AND:
    case MLOPS__N_OR:
        n->kind = n->kind == MLOPS__N_AND ? MLOPS__N_OR : MLOPS__N_AND;
        for (size_t i = 0; i < n->nkids; i++) negate(n->kids[i]);
        break;
    default: n->negated = !n->negated; break;
    }
}

/* ---- predicates ---- */

static int check_type(struct parser *p, const struct field *f, const struct literal *l)
{
    if (f->f.kind == MLOPS__F_PARAM || f->f.kind == MLOPS__F_TAG) return MLOPS_OK;
    if (f->f.type == l->v.type) return MLOPS_OK;
    return perr(p, l->pos, "%s compares with %s", f->text,
                f->f.type == MLOPS__T_NUMBER ? "numbers, not strings"
                                             : "'quoted strings', not numbers");
}

static const char *const statuses[] = { "RUNNING", "FINISHED", "FAILED", "KILLED" };

static int check_status(struct parser *p, const struct field *f, const struct literal *l)
{
    if (!f->is_status || l->v.type != MLOPS__T_TEXT) return MLOPS_OK;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(l->v.s, statuses[i])) return MLOPS_OK;
    return perr(p, l->pos, "unknown status '%.40s' (RUNNING, FINISHED, FAILED or KILLED)", l->v.s);
}

/* A pattern may not end with a lone '\' (an odd run of them). */
static int check_pattern(struct parser *p, int ilike, const struct literal *l)
{
    size_t run = 0;
    for (size_t i = l->v.slen; i > 0 && l->v.s[i - 1] == '\\'; i--) run++;
    if (run % 2)
        return perr(p, l->pos, "a%s pattern cannot end with a lone '\\'",
                    ilike ? "n ILIKE" : " LIKE");
    return MLOPS_OK;
}

static mlops__fnode *parse_like(struct parser *p, struct field *f, int negate_value, int ilike)
{
    struct literal l;
    if (parse_literal(p, &l)) return NULL;
    if (f->f.kind == MLOPS__F_METRIC || f->f.type == MLOPS__T_NUMBER)
        perr(p, f->pos, "%s is a number: LIKE and ILIKE take text fields", f->text);
    else if (l.v.type != MLOPS__T_TEXT)
        perr(p, l.pos, "LIKE and ILIKE take a 'quoted pattern'");
    else
        check_pattern(p, ilike, &l);
    mlops__fnode *n = p->rc ? NULL : leaf_new(p, MLOPS__N_LIKE, f);
    if (n) {
        n->value_negated = negate_value;
        n->ilike = ilike;
        add_value(p, n, &l);
    }
    literal_free(&l.v);
    return n;
}

static mlops__fnode *parse_compare(struct parser *p, struct field *f, const char *op)
{
    struct literal l;
    if (parse_literal(p, &l)) return NULL;
    mlops__fnode *n = NULL;
    if (!check_type(p, f, &l) && !check_status(p, f, &l)) n = leaf_new(p, MLOPS__N_COMPARE, f);
    if (n) {
        n->op = op;
        add_value(p, n, &l);
    }
    literal_free(&l.v);
    return n;
}

static mlops__fnode *parse_in(struct parser *p, struct field *f, int negate_value)
{
    size_t open = p->pos;
    if (peek(p) != '(') {
        perr(p, p->pos, "expected '(' and a list of values after IN");
        return NULL;
    }
    p->pos++;
    mlops__fnode *n = leaf_new(p, MLOPS__N_IN, f);
    if (!n) return NULL;
    n->value_negated = negate_value;
    do {
        if (n->nvalues) p->pos++; /* the ',' */
        struct literal l;
        if (parse_literal(p, &l)) break;
        if (n->nvalues && l.v.type != n->values[0].type)
            perr(p, l.pos, "the values of an IN list must all be %s",
                 n->values[0].type == MLOPS__T_NUMBER ? "numbers" : "strings");
        else if (!check_type(p, f, &l) && !check_status(p, f, &l) && n->nvalues == MLOPS__IN_MAX)
            perr(p, l.pos, "an IN list holds at most %d values", MLOPS__IN_MAX);
        if (!p->rc) add_value(p, n, &l);
        literal_free(&l.v);
    } while (!p->rc && peek(p) == ',');
    if (!p->rc && peek(p) != ')')
        perr(p, p->pos, "expected ',' or ')' in the IN list opened at position %zu", open + 1);
    if (p->rc) {
        node_free(n);
        return NULL;
    }
    p->pos++;
    return n;
}

static const char *const compare_ops[][2] = { { "<=", "<=" }, { ">=", ">=" }, { "!=", "<>" },
                                              { "<>", "<>" }, { "==", "=" },  { "=", "=" },
                                              { "<", "<" },   { ">", ">" } };

static mlops__fnode *parse_predicate(struct parser *p)
{
    struct field f;
    mlops__fnode *n = NULL;
    if (parse_field(p, &f)) {
        field_free(&f.f);
        return NULL;
    }
    skip_space(p);
    size_t oppos = p->pos;
    if (match_kw(p, "IS")) {
        int not_null = match_kw(p, "NOT");
        if (!match_kw(p, "NULL")) {
            perr(p, p->pos, "expected NULL after IS%s", not_null ? " NOT" : "");
        } else if ((n = leaf_new(p, MLOPS__N_EXISTS, &f)) != NULL) {
            n->negated = !not_null;
        }
    } else {
        int negate_value = match_kw(p, "NOT");
        int ilike = match_kw(p, "ILIKE");
        if (ilike || match_kw(p, "LIKE")) {
            n = parse_like(p, &f, negate_value, ilike);
        } else if (match_kw(p, "IN")) {
            n = parse_in(p, &f, negate_value);
        } else if (negate_value) {
            perr(p, p->pos, "expected LIKE, ILIKE or IN after NOT");
        } else {
            const char *op = NULL;
            for (size_t i = 0; i < sizeof compare_ops / sizeof compare_ops[0]; i++) {
                size_t len = strlen(compare_ops[i][0]);
                if (p->len - p->pos >= len && !strncmp(p->src + p->pos, compare_ops[i][0], len)) {
                    op = compare_ops[i][1];
                    p->pos += len;
                    break;
                }
            }
            if (!op)
                perr(p, oppos, "expected an operator after %s: = != < <= > >= LIKE ILIKE IN IS",
                     f.text);
            else
                n = parse_compare(p, &f, op);
        }
    }
    field_free(&f.f);
    return n;
}

/* ---- the grammar ---- */

static mlops__fnode *parse_or(struct parser *p, int depth);

/* not = { "NOT" } primary: a chain of NOTs is read as a count (it does
 * not nest anything), primary = "(" or ")" | predicate. */
static mlops__fnode *parse_not(struct parser *p, int depth)
{
    int nots = 0;
    while (match_kw(p, "NOT")) nots++;
    mlops__fnode *n;
    if (peek(p) == '(') {
        size_t open = p->pos++;
        if (depth == MLOPS__FILTER_DEPTH_MAX) {
            perr(p, open, "nested too deeply: at most %d levels of parentheses",
                 MLOPS__FILTER_DEPTH_MAX);
            return NULL;
        }
        if (!(n = parse_or(p, depth + 1))) return NULL;
        if (peek(p) != ')') {
            perr(p, p->pos, "expected ')' to close the '(' at position %zu", open + 1);
            node_free(n);
            return NULL;
        }
        p->pos++;
    } else if (!(n = parse_predicate(p))) {
        return NULL;
    }
    if (nots % 2) negate(n);
    return n;
}

/* and = not { "AND" not }; or = and { "OR" and }. One operand is returned
 * as it is; more become one n-ary node. */
static mlops__fnode *parse_chain(struct parser *p, int depth, enum mlops__fnode_kind kind);

static mlops__fnode *parse_operand(struct parser *p, int depth, enum mlops__fnode_kind kind)
{
    return kind == MLOPS__N_AND ? parse_not(p, depth) : parse_chain(p, depth, MLOPS__N_AND);
}

static mlops__fnode *parse_chain(struct parser *p, int depth, enum mlops__fnode_kind kind)
{
    const char *kw = kind == MLOPS__N_AND ? "AND" : "OR";
    mlops__fnode *first = parse_operand(p, depth, kind);
    if (!first || !match_kw(p, kw)) return first;
    mlops__fnode *n = node_new(p, kind);
    if (!n || add_kid(p, n, first)) {
        if (!n) node_free(first);
        node_free(n);
        return NULL;
    }
    do {
        mlops__fnode *kid = parse_operand(p, depth, kind);
        if (!kid || add_kid(p, n, kid)) {
            node_free(n);
            return NULL;
        }
    } while (match_kw(p, kw));
    return n;
}

static mlops__fnode *parse_or(struct parser *p, int depth)
{
    return parse_chain(p, depth, MLOPS__N_OR);
}

static int is_blank(const char *s)
{
    while (s && *s && is_space(*s)) s++;
    return !s || !*s;
}

static int check_text(const char *func, const char *what, const char *s)
{
    size_t n = strnlen(s, MLOPS__FILTER_TEXT_MAX + 1);
    if (n > MLOPS__FILTER_TEXT_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: %s is longer than %d bytes", func, what,
                          MLOPS__FILTER_TEXT_MAX);
    if (!mlops__utf8_valid(s, n))
        return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", func, what);
    return MLOPS_OK;
}

static int parse_filter(struct parser *p, mlops__fnode **out)
{
    if (is_blank(p->src)) return MLOPS_OK;
    mlops__fnode *n = parse_or(p, 0);
    if (!n) return p->rc;
    skip_space(p);
    if (p->pos < p->len) {
        node_free(n);
        if (p->src[p->pos] == ')') return perr(p, p->pos, "unbalanced ')'");
        return perr(p, p->pos, "expected AND, OR or the end of the filter");
    }
    *out = n;
    return MLOPS_OK;
}

static int parse_order(struct parser *p, mlops__search_tree *t)
{
    if (is_blank(p->src)) {
        t->keys[0].field.kind = MLOPS__F_ATTR;
        t->keys[0].field.column = "r.start_ms";
        t->keys[0].field.type = MLOPS__T_NUMBER;
        t->keys[0].desc = 1;
        t->nkeys = 1;
        return MLOPS_OK;
    }
    for (;;) {
        if (t->nkeys == MLOPS__ORDER_MAX)
            return perr(p, p->pos, "at most %d ORDER BY keys", MLOPS__ORDER_MAX);
        struct field f;
        if (parse_field(p, &f)) {
            field_free(&f.f);
            return p->rc;
        }
        mlops__order_key *k = &t->keys[t->nkeys++];
        k->field = f.f;
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

int mlops__search_parse(const char *func, const char *filter, const char *order_by,
                        mlops__search_tree *t)
{
    if (filter && check_text(func, "filter", filter)) return MLOPS_EINVAL;
    if (order_by && check_text(func, "order_by", order_by)) return MLOPS_EINVAL;
    struct parser p = { func, "filter", filter ? filter : "", filter ? strlen(filter) : 0, 0,
                        MLOPS_OK };
    if (parse_filter(&p, &t->filter)) return p.rc;
    struct parser o = { func, "order_by", order_by ? order_by : "",
                        order_by ? strlen(order_by) : 0, 0, MLOPS_OK };
    return parse_order(&o, t);
}

void mlops__search_tree_free(mlops__search_tree *t)
{
    node_free(t->filter);
    t->filter = NULL;
    for (size_t i = 0; i < t->nkeys; i++) field_free(&t->keys[i].field);
    t->nkeys = 0;
}
