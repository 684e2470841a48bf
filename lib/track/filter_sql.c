/* Renders a parsed search (filter.h) as SQL over `runs r`, for SQLite or
 * PostgreSQL. Every key and value becomes a numbered parameter (?N); the
 * SQL text only ever holds fixed fragments from this file.
 *
 * One renderer serves both dialects; they differ in a few places, each
 * marked where it is written (doc/search.md, "How it runs"):
 * - LIKE: SQLite's GLOB (case-sensitive), its LIKE (ASCII case folding)
 *   and mlops_like() beyond its pattern length; PostgreSQL's LIKE and
 *   ILIKE, which do the same on the COLLATE "C" columns, at any length;
 * - booleans: SQLite's 0 is PostgreSQL's FALSE;
 * - a CTE is tested as "r.seq IN fN" or "r.seq IN (SELECT seq FROM fN)";
 * - a param or tag sort key is a number or text row by row: one column
 *   on SQLite, two on PostgreSQL (search_internal.h, mlops__sort_key);
 * - an integer beyond 2^53 compared with a REAL column: SQLite compares
 *   exactly, PostgreSQL would round the integer (compare_value).
 * The SQLite text is the same as before PostgreSQL existed, so that its
 * plans do not change.
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
#include "track/track_internal.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Operands of one parenthesised group of AND or OR. */
#define CHAIN_MAX 16
/* Parenthesis levels an inline expression may use, predicates included. */
#define INLINE_LEVELS 8

struct render {
    mlops__query *q;
    int pg;       /* PostgreSQL, else SQLite */
    int like_max; /* the connection's longest LIKE/GLOB pattern, in bytes */
    int ncte;
    /* PostgreSQL: the predicate being written is an operand of the
     * filter's top-level AND (or the whole filter), which has few enough
     * of them to be planned as joins (open_key_subquery). */
    int joinable;
    /* PostgreSQL, format 10: the alias whose search_rows columns (facets,
     * mkeys, mlast) the query reads, or NULL when it reads none; and
     * whether metric clauses are tested on those rows (row_metrics) or,
     * as before, through metric_series (choose_rows). */
    const char *row;
    int row_metrics;
};

/* Top-level clauses PostgreSQL plans as joins: beyond this, as subplans. */
#define JOINABLE_MAX 4

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

/* Whether the column a value of type t is compared with holds REALs. */
static int real_column(const mlops__field *f, enum mlops__value_type t)
{
    if (f->kind == MLOPS__F_METRIC) return strcmp(f->column, "count") != 0;
    return f->kind != MLOPS__F_ATTR && t == MLOPS__T_NUMBER;
}

/* PostgreSQL compares a BIGINT parameter with a DOUBLE PRECISION column
 * by rounding the integer to a double; SQLite compares them exactly. For
 * an integer that no double equals (beyond 2^53), sets the doubles just
 * below and above it and returns 1; 0 when a double equals it. */
static int pg_inexact_int(int64_t i, double *below, double *above)
{
    double d = (double)i;
    int over; /* d > i */
    if (d >= 0x1p63) {
        over = 1; /* INT64_MAX rounds up to 2^63 */
    } else {
        int64_t back = (int64_t)d;
        if (back == i) return 0;
        over = back > i;
    }
    *below = over ? nextafter(d, -INFINITY) : d;
    *above = over ? d : nextafter(d, INFINITY);
    return 1;
}

/* Writes "<column> <op> ?N" with the value l. On PostgreSQL an integer no
 * double equals, tested against a REAL column, is replaced so that the
 * answer is SQLite's exact one: "<" and "<=" become "<" the double just
 * above it, ">" and ">=" become ">" the double just below, and for "="
 * and "<>" (op NULL: an IN list's value) it becomes NaN, which equals no
 * stored value: a stored value is never NaN (a NaN last value is stored
 * as NULL, min and max skip NaN, num is NULL unless the text is a plain
 * decimal number). */
static void compare_value(struct render *r, mlops__buf *out, const char *column, const char *op,
                          const mlops__field *f, const mlops__literal *l)
{
    mlops__literal exact = *l;
    double below = 0, above = 0;
    if (r->pg && l->type == MLOPS__T_NUMBER && l->is_int && real_column(f, l->type) &&
        pg_inexact_int(l->i, &below, &above)) {
        exact.is_int = 0;
        exact.d = NAN;
        if (op && op[0] == '<' && op[1] != '>') { /* < <= */
            op = "<";
            exact.d = above;
        } else if (op && op[0] == '>') { /* > >= */
            op = ">";
            exact.d = below;
        }
    }
    if (op) mlops__buf_addf(out, "%s %s ", column, op);
    bind_value(r, out, &exact);
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
    /* PostgreSQL turns every top-level EXISTS and IN (SELECT ...) of an AND
     * into a join, and planning a join of thousands of them takes minutes
     * (200 predicates: 59 s). Compared with TRUE or FALSE they stay
     * subplans: 3,000 predicates plan in under half a second. A filter of
     * at most JOINABLE_MAX clauses ANDed keeps them plain: as joins, the
     * planner can start from the most selective clause's index instead of
     * testing every run against each list (100,000 runs, three clauses:
     * 450 ms as subplans). */
    const char *is = r->pg && !negated && !r->joinable ? "TRUE = " : "";
    const char *metric_pre = r->pg ? (negated ? "FALSE = " : is) : negated ? "NOT " : "";
    if (f->kind == MLOPS__F_METRIC)
        mlops__buf_addf(out, "%sEXISTS (SELECT 1 FROM metric_series WHERE run = r.seq AND key = ",
                        metric_pre);
    else
        mlops__buf_addf(out, "%sr.seq %sIN (SELECT run FROM %s WHERE key = ", is,
                        negated ? "NOT " : "", table_of(f));
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

/* PostgreSQL: "<column> [NOT] LIKE|ILIKE ?p". SQLite: "<column> [NOT]
 * LIKE|GLOB ?p" or, for a pattern longer than the connection matches
 * natively (mlops__conn_like_max), the same test through mlops_like()
 * (lib/db/sqlite/like.c, registered on every SQLite connection), which has
 * no such limit. */
static void like_test(struct render *r, mlops__buf *out, const char *column,
                      const mlops__fnode *n)
{
    const mlops__literal *l = &n->values[0];
    const char *not = n->value_negated ? "NOT " : "";
    if (r->pg) {
        /* LIKE is case-sensitive, and ILIKE folds ASCII letters only on a
         * COLLATE "C" column (as every text column is); '\' is their
         * default escape character; a pattern may be of any length. */
        mlops__buf_addf(out, "%s %s%s ", column, not, n->ilike ? "ILIKE" : "LIKE");
        bind_value(r, out, l);
        return;
    }
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

/* Whether n tests a param's or tag's text value for equality with values
 * all shorter than MLOPS__PG_SHORT_VALUE characters: then so is every
 * value it accepts, and the test may say so, which lets PostgreSQL read
 * the partial (key, value, run) index of format 7 (lib/track/schema.c).
 * Bytes bound characters from above. */
static int short_values_only(const mlops__fnode *n, const char *column)
{
    if (strcmp(column, "value") != 0 || n->value_negated) return 0;
    if (n->kind == MLOPS__N_COMPARE) {
        if (strcmp(n->op, "=") != 0) return 0;
    } else if (n->kind != MLOPS__N_IN) {
        return 0;
    }
    size_t nvalues = n->kind == MLOPS__N_IN ? n->nvalues : 1;
    for (size_t i = 0; i < nvalues; i++)
        if (n->values[i].type != MLOPS__T_TEXT || n->values[i].slen >= MLOPS__PG_SHORT_VALUE)
            return 0;
    return 1;
}

/* A metric's last value from the run's search_rows row (format 10):
 * NULL when the run has no such key or its last value is NaN. */
static void row_metric_expr(struct render *r, mlops__buf *out, int64_t key_id)
{
    mlops__buf_addf(out, "%s.mlast[array_position(%s.mkeys, ?%d::integer)]", r->row, r->row,
                    mlops__binds_int(&r->q->binds, key_id));
}

/* A predicate: one inline expression, true or false (never NULL). */
static void predicate(struct render *r, mlops__buf *out, const mlops__fnode *n)
{
    const mlops__field *f = &n->field;
    if (r->row && n->facet_ids) {
        /* the run has a pair the test accepts (search.c looked them up) */
        mlops__buf_addf(out, "%s(%s.facets && ?%d::integer[])", n->negated ? "NOT " : "", r->row,
                        mlops__binds_text(&r->q->binds, n->facet_ids, strlen(n->facet_ids)));
        return;
    }
    if (r->row && r->row_metrics && n->row_metric && n->kind != MLOPS__N_EXISTS) {
        /* the last value from the run's row: NULL when the run lacks the
         * key or it is NaN, which no comparison accepts */
        mlops__buf expr = MLOPS__BUF_INIT;
        row_metric_expr(r, &expr, n->metric_key_id);
        mlops__buf_addf(out, "%scoalesce(", n->negated ? "NOT " : "");
        if (n->kind == MLOPS__N_COMPARE) {
            compare_value(r, out, mlops__buf_str(&expr), n->op, f, &n->values[0]);
        } else { /* IN */
            mlops__buf_addf(out, "%s %sIN (", mlops__buf_str(&expr), n->value_negated ? "NOT " : "");
            for (size_t i = 0; i < n->nvalues; i++) {
                if (i) mlops__buf_add(out, ", ");
                compare_value(r, out, mlops__buf_str(&expr), NULL, f, &n->values[i]);
            }
            mlops__buf_add(out, ")");
        }
        mlops__buf_add(out, ", FALSE)");
        if (expr.failed) out->failed = 1;
        mlops__buf_free(&expr);
        return;
    }
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
    if (r->pg && (short_values_only(n, column) || (n->short_key && !strcmp(column, "value"))))
        mlops__buf_add(out, "length(value) < " MLOPS__STR(MLOPS__PG_SHORT_VALUE) " AND ");
    if (n->kind == MLOPS__N_LIKE) {
        like_test(r, out, column, n);
    } else if (n->kind == MLOPS__N_COMPARE) {
        compare_value(r, out, column, n->op, f, &n->values[0]);
    } else { /* IN */
        mlops__buf_addf(out, "%s %sIN (", column, n->value_negated ? "NOT " : "");
        for (size_t i = 0; i < n->nvalues; i++) {
            if (i) mlops__buf_add(out, ", ");
            compare_value(r, out, column, NULL, f, &n->values[i]);
        }
        mlops__buf_add(out, ")");
    }
    mlops__buf_add(out, f->kind != MLOPS__F_ATTR ? ")" : r->pg ? ", FALSE)" : ", 0)");
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
    mlops__buf_addf(with, "%sf%d(seq) AS (SELECT r.seq FROM %s WHERE ", with->len ? ", " : "",
                    id, r->q->from);
    mlops__buf_addn(with, mlops__buf_str(sql), sql->len);
    mlops__buf_add(with, ")");
    if (sql->failed) with->failed = 1;
    mlops__buf_free(sql);
    mlops__buf_addf(sql, r->pg ? "r.seq IN (SELECT seq FROM f%d)" : "r.seq IN f%d", id);
}

/* Whether n is a pair test (format 10) that one pair answers: the run
 * has the pair with id facet_ids ("{id}"). */
static int single_pair_test(const struct render *r, const mlops__fnode *n)
{
    return r->row && n->kind != MLOPS__N_AND && n->kind != MLOPS__N_OR && n->facet_ids &&
           !n->negated && n->facet_ids[0] == '{' && n->facet_ids[1] != '}' &&
           !strchr(n->facet_ids, ',');
}

/* Writes the single-pair tests among the operands of the AND n as one
 * `facets @> '{a,b,...}'` (the run has all these pairs): one GIN scan key
 * whose rarest pair leads the intersection, where an `&&` per operand
 * made a key each (0.5 ms of the 100k-run benchmark's 8 ms query).
 * Returns how many operands it took (0 or 1 alone: none, written as they
 * are). */
static size_t merge_pair_tests(struct render *r, mlops__buf *out, const mlops__fnode *n)
{
    size_t taken = 0;
    for (size_t i = 0; i < n->nkids; i++) taken += single_pair_test(r, n->kids[i]);
    if (taken < 2) return 0;
    mlops__buf ids = MLOPS__BUF_INIT;
    for (size_t i = 0; i < n->nkids; i++) {
        const char *id = n->kids[i]->facet_ids;
        if (!single_pair_test(r, n->kids[i])) continue;
        mlops__buf_add(&ids, ids.len ? "," : "{");
        mlops__buf_addn(&ids, id + 1, strlen(id) - 2);
    }
    mlops__buf_add(&ids, "}");
    mlops__buf_addf(out, "(%s.facets @> ?%d::integer[])", r->row,
                    mlops__binds_text(&r->q->binds, mlops__buf_str(&ids), ids.len));
    if (ids.failed) out->failed = 1;
    mlops__buf_free(&ids);
    return taken;
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
    /* operands[0] is the merged pair tests when there are any */
    size_t merged = n->kind == MLOPS__N_AND ? merge_pair_tests(r, &operands[0], n) : 0;
    size_t nops = merged ? n->nkids - merged + 1 : n->nkids;
    int levels = chain_levels(nops), deepest = 1, rc = 0;
    int joinable = r->joinable && n->kind == MLOPS__N_AND;
    if (merged && operands[0].failed) rc = -1;
    for (size_t i = 0, at = merged ? 1 : 0; i < n->nkids && rc >= 0; i++) {
        if (merged && single_pair_test(r, n->kids[i])) continue;
        mlops__buf *op = &operands[at++];
        r->joinable = joinable;
        int h = node(r, op, n->kids[i]);
        if (h < 0 || op->failed) {
            rc = -1;
            break;
        }
        if (levels + h > INLINE_LEVELS) {
            lift(r, op);
            h = 1;
        }
        if (h > deepest) deepest = h;
    }
    if (rc >= 0) chain(out, operands, nops, n->kind == MLOPS__N_AND ? " AND " : " OR ");
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
        k->types = 1u << (f->type == MLOPS__T_NUMBER ? MLOPS__VAL_INT : MLOPS__VAL_TEXT);
        return;
    }
    if (r->row && o->row_metric) {
        row_metric_expr(r, &k->expr, o->metric_key_id);
        k->types = 1u << MLOPS__VAL_REAL;
        return;
    }
    mlops__buf_addf(&k->join, " LEFT JOIN %s s%zu ON s%zu.run = r.seq AND s%zu.key = ",
                    table_of(f), i, i, i);
    bind_key(r, &k->join, f);
    if (f->kind == MLOPS__F_METRIC) {
        mlops__buf_addf(&k->expr, "s%zu.%s", i, f->column);
        k->types = 1u << (real_column(f, MLOPS__T_NUMBER) ? MLOPS__VAL_REAL : MLOPS__VAL_INT);
        return;
    }
    /* params and tags: numbers first, in numeric order, then the rest as
     * text (SQLite orders a REAL before any TEXT) */
    k->types = 1u << MLOPS__VAL_REAL | 1u << MLOPS__VAL_TEXT;
    if (!r->pg) {
        mlops__buf_addf(&k->expr, "coalesce(s%zu.num, s%zu.value)", i, i);
        return;
    }
    mlops__buf_addf(&k->expr, "s%zu.num", i);
    mlops__buf_addf(&k->text, "CASE WHEN s%zu.num IS NULL THEN s%zu.value END", i, i);
}

/* Whether the tree below n names an attribute (1), or uses search_rows
 * given row_metrics (2); both bits may be set. */
static int tree_uses(const mlops__fnode *n, int row_metrics)
{
    if (n->kind == MLOPS__N_AND || n->kind == MLOPS__N_OR) {
        int u = 0;
        for (size_t i = 0; i < n->nkids; i++) u |= tree_uses(n->kids[i], row_metrics);
        return u;
    }
    if (n->field.kind == MLOPS__F_ATTR) return 1;
    if (n->facet_ids || (row_metrics && n->row_metric && n->kind != MLOPS__N_EXISTS)) return 2;
    return 0;
}

/* PostgreSQL, format 10: which table the query reads runs from, and
 * whether metric clauses read search_rows. A filter that is one clause or
 * an AND of up to JOINABLE_MAX of them, none a pair test, keeps its metric
 * clauses on metric_series, whose (key, last, run) index gives the runs
 * of a rare clause at once (a test on search_rows would read every row);
 * with a pair test the GIN bitmap picks the candidates and their rows hold
 * the metric values; under OR or past JOINABLE_MAX a metric clause is a
 * test per run either way, and the row's is the cheaper one. Without an
 * attribute the query reads search_rows alone ("search_rows r": seq,
 * experiment_id and deleted_ms are there too); with one, runs joined to
 * search_rows ("w"); when nothing uses search_rows, runs as before. */
static void choose_rows(struct render *r, const mlops__search_tree *t)
{
    const mlops__fnode *f = t->filter;
    int pair_test = 0;
    if (f && f->kind == MLOPS__N_AND) {
        for (size_t i = 0; i < f->nkids; i++) pair_test |= f->kids[i]->facet_ids != NULL;
    } else if (f) {
        pair_test = f->facet_ids != NULL;
    }
    r->row_metrics = !r->joinable || pair_test;
    int uses = f ? tree_uses(f, r->row_metrics) : 0;
    for (size_t i = 0; i < t->nkeys; i++) {
        if (t->keys[i].field.kind == MLOPS__F_ATTR) uses |= 1;
        else if (t->keys[i].row_metric) uses |= 2;
    }
    if (!(uses & 2)) {
        r->row = NULL;
        r->q->from = "runs r";
    } else if (uses & 1) {
        r->row = "w";
        r->q->from = "runs r JOIN search_rows w ON w.seq = r.seq";
    } else {
        r->row = "r";
        r->q->from = "search_rows r";
    }
}

int mlops__search_render(const mlops__search_tree *t, enum mlops__dialect dialect, int like_max,
                         mlops__query *q)
{
    struct render r = { q, dialect == MLOPS__POSTGRES, like_max, 0, 0, NULL, 0 };
    q->dialect = dialect;
    q->from = "runs r";
    const mlops__fnode *f = t->filter;
    r.joinable = f && (f->kind == MLOPS__N_AND ? f->nkids <= JOINABLE_MAX : f->kind != MLOPS__N_OR);
    if (r.pg) choose_rows(&r, t);
    int failed = t->filter && node(&r, &q->where, t->filter) < 0;
    for (size_t i = 0; i < t->nkeys; i++) {
        sort_key(&r, &t->keys[i], i, &q->keys[i]);
        failed |= q->keys[i].join.failed || q->keys[i].expr.failed || q->keys[i].text.failed;
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
        mlops__buf_free(&q->keys[i].text);
        q->keys[i].types = 0;
        q->keys[i].desc = 0;
    }
    q->nkeys = 0;
}

/* Whether the pairs a lookup of n finds are all the runs' values it
 * accepts only when its key holds no value of MLOPS__PG_SHORT_VALUE
 * characters or more (those are not in search_facets): every test but an
 * equality or IN with values all shorter than that. */
int mlops__facet_needs_short_key(const mlops__fnode *n)
{
    if (n->kind == MLOPS__N_EXISTS) return 1;
    return !short_values_only(n, value_column(&n->field, n->values[0].type));
}

int mlops__facet_lookup_render(const mlops__fnode *n, int limit, mlops__query *q)
{
    struct render r = { q, 1, 0, 0, 0, NULL, 0 };
    const mlops__field *f = &n->field;
    q->dialect = MLOPS__POSTGRES;
    mlops__buf *out = &q->where;
    mlops__buf_addf(out, "SELECT id FROM search_facets WHERE kind = %d AND key = ",
                    f->kind == MLOPS__F_TAG);
    bind_key(&r, out, f);
    if (n->kind != MLOPS__N_EXISTS) {
        const char *column = value_column(f, n->values[0].type);
        mlops__buf_add(out, " AND ");
        if (n->kind == MLOPS__N_LIKE) {
            like_test(&r, out, column, n);
        } else if (n->kind == MLOPS__N_COMPARE) {
            compare_value(&r, out, column, n->op, f, &n->values[0]);
        } else { /* IN */
            mlops__buf_addf(out, "%s %sIN (", column, n->value_negated ? "NOT " : "");
            for (size_t i = 0; i < n->nvalues; i++) {
                if (i) mlops__buf_add(out, ", ");
                compare_value(&r, out, column, NULL, f, &n->values[i]);
            }
            mlops__buf_add(out, ")");
        }
    }
    mlops__buf_addf(out, " ORDER BY id LIMIT %d", limit);
    if (out->failed || q->binds.failed) return mlops__err_nomem("compiling a search");
    return MLOPS_OK;
}

int mlops__metric_probe_render(const mlops__fnode *n, int limit, mlops__query *q)
{
    struct render r = { q, 1, 0, 0, 0, NULL, 0 };
    q->dialect = MLOPS__POSTGRES;
    mlops__buf *out = &q->where;
    mlops__buf_add(out, "SELECT count(*) FROM (SELECT 1 FROM metric_series WHERE key = ");
    bind_key(&r, out, &n->field);
    mlops__buf_add(out, " AND ");
    compare_value(&r, out, "last", n->op, &n->field, &n->values[0]);
    mlops__buf_addf(out, " LIMIT %d) AS probe", limit);
    if (out->failed || q->binds.failed) return mlops__err_nomem("compiling a search");
    return MLOPS_OK;
}
