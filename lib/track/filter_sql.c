/* Renders a parsed search (filter.h) as SQLite SQL over `runs r`. Every key
 * and value becomes a numbered parameter (?N); the SQL text only ever
 * holds fixed fragments from this file.
 *
 * SQLite refuses SQL that nests too deeply: its parser stack holds about
 * 100 entries (and an operand followed by "OR (" takes three of them),
 * and an expression tree may be 1,000 deep (a chain "a OR b OR ..." is as
 * deep as it is long). A filter may nest 64 levels of parentheses and
 * chain thousands of predicates, so the renderer bounds both:
 * - a chain of more than CHAIN_MAX operands is written as parenthesised
 *   groups of at most CHAIN_MAX (nesting grows with the log of the length);
 * - a subtree that would put the expression more than INLINE_LEVELS
 *   parentheses deep is moved into a common table expression
 *   "fN(seq) AS (SELECT r.seq FROM runs r WHERE ...)", defined in the WITH
 *   list before the query, and tested as "r.seq IN fN". CTEs are listed
 *   one after the other, so depth in the filter never becomes depth in
 *   the SQL text.
 * Ordinary filters (a few levels) stay one inline expression, which
 * SQLite plans as before. */
#include "track/filter.h"
#include "track/search_internal.h"

#include <stdlib.h>
#include <string.h>

/* Operands of one parenthesised group of AND or OR. */
#define CHAIN_MAX 16
/* Parenthesis levels an inline expression may use, predicates included. */
#define INLINE_LEVELS 8

struct render {
    mlops__query *q;
    int like_max; /* the connection's longest LIKE/GLOB pattern, in bytes */
    int ncte;
};

static void bind_value(struct render *r, mlops__buf *out, const mlops__literal *l)
{
    int n;
    if (l->type == MLOPS__T_TEXT) n = mlops__binds_text(&r->q->binds, l->s, l->slen);
    else if (l->is_int) n = mlops__binds_int(&r->q->binds, l->i);
    else n = mlops__binds_real(&r->q->binds, l->d);
    mlops__buf_addf(out, "?%d", n);
}

static void bind_key(struct render *r, mlops__buf *out, const mlops__field *f)
{
    mlops__buf_addf(out, "?%d", mlops__binds_text(&r->q->binds, f->key, f->keylen));
}

static const char *table_of(const mlops__field *f)
{
    return f->kind == MLOPS__F_METRIC  ? "metric_series"
           : f->kind == MLOPS__F_PARAM ? "run_params"
                                       : "run_tags";
}

/* The column a value of type t is compared with. */
static const char *value_column(const mlops__field *f, enum mlops__value_type t)
{
    if (f->kind == MLOPS__F_METRIC || f->kind == MLOPS__F_ATTR) return f->column;
    return t == MLOPS__T_NUMBER ? "num" : "value";
}

/* Opens the test "run r has key K in <table>, and ...": the caller writes
 * the condition on the value and the closing parenthesis. Metrics test
 * each candidate run through the (run, key) index, so that the cheaper
 * param and tag lists pick the candidates; params and tags give the list
 * of runs from their (key, value) index. */
static void open_key_subquery(struct render *r, mlops__buf *out, const mlops__field *f,
                              int negated)
{
    if (f->kind == MLOPS__F_METRIC)
        mlops__buf_addf(out, "%sEXISTS (SELECT 1 FROM metric_series WHERE run = r.seq AND key = ",
                        negated ? "NOT " : "");
    else
        mlops__buf_addf(out, "r.seq %sIN (SELECT run FROM %s WHERE key = ", negated ? "NOT " : "",
                        table_of(f));
    bind_key(r, out, f);
}

/* LIKE patterns (% any run, _ one character, \ escapes the next) to GLOB,
 * which is case-sensitive; GLOB's own wildcards are escaped as [*] [?] [[].
 * The parser has refused a lone trailing '\'. */
static void like_to_glob(const mlops__literal *l, mlops__buf *out)
{
    for (size_t i = 0; i < l->slen; i++) {
        char c = l->s[i];
        if (c == '\\' && i + 1 < l->slen) {
            c = l->s[++i];
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
}

/* "<column> [NOT] LIKE|GLOB ?p" or, for a pattern longer than SQLite takes
 * (SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 50,000 bytes by default), the same
 * test through mlops_like() (util/like.c, registered on every connection),
 * which has no such limit. */
static void like_test(struct render *r, mlops__buf *out, const char *column,
                      const mlops__fnode *n)
{
    const mlops__literal *l = &n->values[0];
    const char *not = n->value_negated ? "NOT " : "";
    mlops__literal pattern = *l;
    mlops__buf glob = MLOPS__BUF_INIT;
    if (!n->ilike) {
        like_to_glob(l, &glob);
        pattern.s = glob.data ? glob.data : (char *)"";
        pattern.slen = glob.len;
    }
    if (pattern.slen > (size_t)r->like_max) {
        mlops__buf_addf(out, "%smlops_like(", not);
        bind_value(r, out, l);
        mlops__buf_addf(out, ", %s, %d)", column, n->ilike);
    } else {
        mlops__buf_addf(out, "%s %s%s ", column, not, n->ilike ? "LIKE" : "GLOB");
        bind_value(r, out, &pattern);
        if (n->ilike) mlops__buf_add(out, " ESCAPE '\\'");
    }
    if (glob.failed) out->failed = 1;
    mlops__buf_free(&glob);
}

/* A predicate: one inline expression, true or false (never NULL). */
static void predicate(struct render *r, mlops__buf *out, const mlops__fnode *n)
{
    const mlops__field *f = &n->field;
    if (n->kind == MLOPS__N_EXISTS) {
        if (f->kind == MLOPS__F_ATTR) {
            mlops__buf_addf(out, "(%s IS %sNULL)", f->column, n->negated ? "" : "NOT ");
        } else {
            open_key_subquery(r, out, f, n->negated);
            mlops__buf_add(out, ")");
        }
        return;
    }
    /* attributes: coalesce(<test on the column>, 0); the rest: the run
     * has the key and <test on its value> */
    if (f->kind == MLOPS__F_ATTR) {
        mlops__buf_addf(out, "%scoalesce(", n->negated ? "NOT " : "");
    } else {
        open_key_subquery(r, out, f, n->negated);
        mlops__buf_add(out, " AND ");
    }
    const char *column = value_column(f, n->values[0].type);
    if (n->kind == MLOPS__N_LIKE) {
        like_test(r, out, column, n);
    } else if (n->kind == MLOPS__N_COMPARE) {
        mlops__buf_addf(out, "%s %s ", column, n->op);
        bind_value(r, out, &n->values[0]);
    } else { /* IN */
        mlops__buf_addf(out, "%s %sIN (", column, n->value_negated ? "NOT " : "");
        for (size_t i = 0; i < n->nvalues; i++) {
            if (i) mlops__buf_add(out, ", ");
            bind_value(r, out, &n->values[i]);
        }
        mlops__buf_add(out, ")");
    }
    mlops__buf_add(out, f->kind == MLOPS__F_ATTR ? ", 0)" : ")");
}

/* Parenthesis levels chain() uses for n operands. */
static int chain_levels(size_t n)
{
    int levels = 1;
    while (n > CHAIN_MAX) {
        n = (n + CHAIN_MAX - 1) / CHAIN_MAX;
        levels++;
    }
    return levels;
}

/* Writes operands[0..n) joined by op, in groups of at most CHAIN_MAX. */
static void chain(mlops__buf *out, mlops__buf *operands, size_t n, const char *op)
{
    mlops__buf_add(out, "(");
    if (n <= CHAIN_MAX) {
        for (size_t i = 0; i < n; i++) {
            if (i) mlops__buf_add(out, op);
            mlops__buf_addn(out, mlops__buf_str(&operands[i]), operands[i].len);
        }
    } else {
        size_t per = (n + CHAIN_MAX - 1) / CHAIN_MAX;
        for (size_t at = 0; at < n; at += per) {
            if (at) mlops__buf_add(out, op);
            chain(out, operands + at, n - at < per ? n - at : per, op);
        }
    }
    mlops__buf_add(out, ")");
}

/* Moves the expression in sql into a new CTE and leaves its test in sql. */
static void lift(struct render *r, mlops__buf *sql)
{
    mlops__buf *with = &r->q->with;
    int id = ++r->ncte;
    mlops__buf_addf(with, "%sf%d(seq) AS (SELECT r.seq FROM runs r WHERE ", with->len ? ", " : "",
                    id);
    mlops__buf_addn(with, mlops__buf_str(sql), sql->len);
    mlops__buf_add(with, ")");
    if (sql->failed) with->failed = 1;
    mlops__buf_free(sql);
    mlops__buf_addf(sql, "r.seq IN f%d", id);
}

/* Writes node n; returns the parenthesis levels it takes inline (at most
 * INLINE_LEVELS), or -1 when out of memory. */
static int node(struct render *r, mlops__buf *out, const mlops__fnode *n)
{
    if (n->kind != MLOPS__N_AND && n->kind != MLOPS__N_OR) {
        predicate(r, out, n);
        return 1;
    }
    mlops__buf *operands = calloc(n->nkids, sizeof *operands);
    if (!operands) return -1;
    int levels = chain_levels(n->nkids), deepest = 1, rc = 0;
    for (size_t i = 0; i < n->nkids && rc >= 0; i++) {
        int h = node(r, &operands[i], n->kids[i]);
        if (h < 0 || operands[i].failed) {
            rc = -1;
            break;
        }
        if (levels + h > INLINE_LEVELS) {
            lift(r, &operands[i]);
            h = 1;
        }
        if (h > deepest) deepest = h;
    }
    if (rc >= 0) chain(out, operands, n->nkids, n->kind == MLOPS__N_AND ? " AND " : " OR ");
    for (size_t i = 0; i < n->nkids; i++) mlops__buf_free(&operands[i]);
    free(operands);
    return rc < 0 ? -1 : levels + deepest;
}

/* Key i of the order: a LEFT JOIN bringing the run's row of that key as
 * s<i> (none for attributes) and the value expression. */
static void sort_key(struct render *r, const mlops__order_key *o, size_t i, mlops__sort_key *k)
{
    const mlops__field *f = &o->field;
    k->desc = o->desc;
    if (f->kind == MLOPS__F_ATTR) {
        mlops__buf_add(&k->expr, f->column);
        return;
    }
    mlops__buf_addf(&k->join, " LEFT JOIN %s s%zu ON s%zu.run = r.seq AND s%zu.key = ",
                    table_of(f), i, i, i);
    bind_key(r, &k->join, f);
    if (f->kind == MLOPS__F_METRIC) mlops__buf_addf(&k->expr, "s%zu.%s", i, f->column);
    /* params and tags: numbers first, in numeric order, then the rest as text */
    else mlops__buf_addf(&k->expr, "coalesce(s%zu.num, s%zu.value)", i, i);
}

int mlops__search_render(const mlops__search_tree *t, int like_max, mlops__query *q)
{
    struct render r = { q, like_max, 0 };
    int failed = t->filter && node(&r, &q->where, t->filter) < 0;
    for (size_t i = 0; i < t->nkeys; i++) {
        sort_key(&r, &t->keys[i], i, &q->keys[i]);
        failed |= q->keys[i].join.failed || q->keys[i].expr.failed;
    }
    q->nkeys = t->nkeys;
    if (failed || q->where.failed || q->with.failed || q->binds.failed)
        return mlops__err_nomem("compiling a search");
    return MLOPS_OK;
}

void mlops__query_free(mlops__query *q)
{
    mlops__buf_free(&q->with);
    mlops__buf_free(&q->where);
    mlops__binds_free(&q->binds);
    for (size_t i = 0; i < MLOPS__ORDER_MAX; i++) {
        mlops__buf_free(&q->keys[i].expr);
        mlops__buf_free(&q->keys[i].join);
        q->keys[i].desc = 0;
    }
    q->nkeys = 0;
}
