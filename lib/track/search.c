/* mlops_run_search: parses the filter and order (filter_parse.c), renders
 * them for the connection (filter_sql.c) and runs them with keyset paging
 * (search_token.c) inside one read snapshot. */
#include "store/store_internal.h"
#include "track/run_info.h"
#include "track/search_internal.h"
#include "track/track_internal.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/lifecycle.h"
#include "util/opts.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_search_opts_init(mlops_search_opts *opts, unsigned version)
{
    static const mlops_search_opts defaults = MLOPS_SEARCH_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_SEARCH_OPTS_VERSION);
}

/* Which query a page token belongs to: everything that decides the order
 * and the set of runs. */
static int fingerprint(const mlops_search_opts *o, uint8_t out[8])
{
    mlops__sha256 h;
    int rc = mlops__sha256_init(&h);
    if (rc) return rc;
    const char *parts[2] = { o->filter ? o->filter : "", o->order_by ? o->order_by : "" };
    for (int i = 0; i < 2; i++) mlops__sha256_update(&h, parts[i], strlen(parts[i]) + 1);
    int64_t life = o->lifecycle;
    mlops__sha256_update(&h, &life, sizeof life);
    if (o->experiment_count)
        mlops__sha256_update(&h, o->experiment_ids, o->experiment_count * sizeof(int64_t));
    mlops_digest d;
    rc = mlops__sha256_final(&h, &d);
    mlops__sha256_free(&h);
    if (!rc) memcpy(out, d.bytes, 8);
    return rc;
}

struct search_arg {
    const char *func;
    const mlops_search_opts *o;
    mlops__search_tree tree;
    mlops__query q; /* rendered in the transaction, for its connection */
    size_t limit;
    const mlops__value *after; /* keys of the page token, or NULL */
    int64_t after_seq;
    uint8_t fp[8];
    mlops__run_info_list list;
    char *next_token;
};

/* Key i's column that holds values of v's type: "k<i>", or on
 * PostgreSQL "k<i>t" for the text of a param or tag key. */
static void key_column(const mlops__query *q, size_t i, const mlops__value *v, mlops__buf *sql)
{
    int text = q->keys[i].text.len && v->type == MLOPS__VAL_TEXT;
    mlops__buf_addf(sql, text ? "k%zut" : "k%zu", i);
}

/* "key i is missing" */
static void key_missing(const mlops__query *q, size_t i, mlops__buf *sql)
{
    if (q->keys[i].text.len) mlops__buf_addf(sql, "(k%zu IS NULL AND k%zut IS NULL)", i, i);
    else mlops__buf_addf(sql, "k%zu IS NULL", i);
}

/* "key i sorts after value v (not NULL) with another type, or is
 * missing". Only PostgreSQL's two-column keys have two types: numbers
 * come before text, so after a number in ascending order come all text
 * and the missing (k<i> IS NULL), and after a text in descending order
 * all numbers and the missing (k<i>t IS NULL). */
static void key_later(const mlops__query *q, size_t i, const mlops__value *v, mlops__buf *sql)
{
    const mlops__sort_key *k = &q->keys[i];
    if (k->text.len && !k->desc && v->type == MLOPS__VAL_REAL)
        mlops__buf_addf(sql, "k%zu IS NULL", i);
    else if (k->text.len && k->desc && v->type == MLOPS__VAL_TEXT)
        mlops__buf_addf(sql, "k%zut IS NULL", i);
    else
        key_missing(q, i, sql);
}

/* "the row sorts strictly after the token's position" */
static void after_condition(struct search_arg *a, mlops__buf *sql)
{
    mlops__query *q = &a->q;
    mlops__buf_add(sql, " WHERE (");
    int first = 1;
    for (size_t i = 0; i <= q->nkeys; i++) {
        if (i < q->nkeys && a->after[i].type == MLOPS__VAL_NULL) continue; /* nothing after NULL */
        mlops__buf_add(sql, first ? "(" : " OR (");
        first = 0;
        for (size_t j = 0; j < i; j++) {
            if (a->after[j].type == MLOPS__VAL_NULL) {
                key_missing(q, j, sql);
            } else {
                key_column(q, j, &a->after[j], sql);
                mlops__buf_addf(sql, " = ?%d", mlops__binds_value(&q->binds, &a->after[j]));
            }
            mlops__buf_add(sql, " AND ");
        }
        if (i == q->nkeys) {
            mlops__buf_addf(sql, "seq < ?%d)", mlops__binds_int(&q->binds, a->after_seq));
            continue;
        }
        mlops__buf_add(sql, "(");
        key_column(q, i, &a->after[i], sql);
        mlops__buf_addf(sql, " %s ?%d OR ", q->keys[i].desc ? "<" : ">",
                        mlops__binds_value(&q->binds, &a->after[i]));
        key_later(q, i, &a->after[i], sql);
        mlops__buf_add(sql, "))");
    }
    mlops__buf_add(sql, ")");
}

/* ORDER BY for key i: missing last in either direction, then the value;
 * a two-column key puts numbers before text (after, when descending). */
static void order_key(const mlops__query *q, size_t i, mlops__buf *sql)
{
    const mlops__sort_key *k = &q->keys[i];
    const char *desc = k->desc ? " DESC" : "";
    if (!k->text.len) {
        mlops__buf_addf(sql, "(k%zu IS NULL), k%zu%s, ", i, i, desc);
        return;
    }
    key_missing(q, i, sql);
    mlops__buf_addf(sql, ", (k%zu IS NULL)%s, k%zu%s, k%zut%s, ", i, desc, i, desc, i, desc);
}

static void build_sql(struct search_arg *a, mlops__buf *sql)
{
    mlops__query *q = &a->q;
    const mlops_search_opts *o = a->o;
    if (q->with.len) mlops__buf_addf(sql, "WITH %s ", mlops__buf_str(&q->with));
    int pg = q->dialect == MLOPS__POSTGRES;
    mlops__buf_add(sql, "SELECT seq");
    for (size_t i = 0; i < q->nkeys; i++) {
        mlops__buf_addf(sql, ", k%zu", i);
        if (q->keys[i].text.len) mlops__buf_addf(sql, ", k%zut", i);
    }
    mlops__buf_add(sql, " FROM (SELECT r.seq AS seq");
    for (size_t i = 0; i < q->nkeys; i++) {
        mlops__buf_addf(sql, ", %s AS k%zu", mlops__buf_str(&q->keys[i].expr), i);
        if (q->keys[i].text.len)
            mlops__buf_addf(sql, ", %s AS k%zut", mlops__buf_str(&q->keys[i].text), i);
    }
    mlops__buf_addf(sql, " FROM %s", q->from);
    for (size_t i = 0; i < q->nkeys; i++) mlops__buf_add(sql, mlops__buf_str(&q->keys[i].join));
    mlops__buf_add(sql, " WHERE ");
    mlops__buf_add(sql, o->lifecycle == MLOPS_LIFECYCLE_ACTIVE    ? "r.deleted_ms IS NULL"
                        : o->lifecycle == MLOPS_LIFECYCLE_DELETED ? "r.deleted_ms IS NOT NULL"
                        : pg                                      ? "TRUE"
                                                                  : "1");
    if (o->experiment_count) {
        mlops__buf_add(sql, " AND r.experiment_id IN (");
        for (size_t i = 0; i < o->experiment_count; i++)
            mlops__buf_addf(sql, "%s?%d", i ? ", " : "",
                            mlops__binds_int(&q->binds, o->experiment_ids[i]));
        mlops__buf_add(sql, ")");
    }
    if (q->where.len) mlops__buf_addf(sql, " AND %s", mlops__buf_str(&q->where));
    mlops__buf_add(sql, pg ? ") AS page" : ")"); /* PostgreSQL 15 names every subquery */
    if (a->after) after_condition(a, sql);
    mlops__buf_add(sql, " ORDER BY ");
    for (size_t i = 0; i < q->nkeys; i++) order_key(q, i, sql);
    mlops__buf_addf(sql, "seq DESC LIMIT ?%d", mlops__binds_int(&q->binds, (int64_t)a->limit + 1));
}

static void value_from_column(mlops__stmt *st, int col, mlops__value *v)
{
    memset(v, 0, sizeof *v);
    switch (mlops__col_type(st, col)) {
    case MLOPS__COL_INT:
        v->type = MLOPS__VAL_INT;
        v->i = mlops__col_int64(st, col);
        break;
    case MLOPS__COL_REAL:
        v->type = MLOPS__VAL_REAL;
        v->d = mlops__col_double(st, col);
        break;
    case MLOPS__COL_TEXT:
    case MLOPS__COL_BLOB: {
        const char *t = mlops__col_text(st, col);
        size_t n = (size_t)mlops__col_bytes(st, col);
        v->s = malloc(n + 1);
        if (v->s) {
            memcpy(v->s, t, n);
            v->s[n] = '\0';
            v->slen = n;
            v->type = MLOPS__VAL_TEXT;
        } else {
            v->type = -1; /* out of memory */
        }
        break;
    }
    default: v->type = MLOPS__VAL_NULL; break;
    }
}

static int load_page(mlops__conn *c, struct search_arg *a, const int64_t *seqs, size_t n)
{
    /* PostgreSQL: a statement per table for the page, not five per run
     * (each is a round trip: 500 of them took most of a search's time). */
    if (mlops__conn_dialect(c) == MLOPS__POSTGRES) return mlops__run_infos_load(c, seqs, n, &a->list);
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT " MLOPS__RUN_COLUMNS " FROM runs WHERE seq = ?1", &st);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mlops__bind_int64(c, st, 1, seqs[i]);
        if (rc) break;
        int step = mlops__step(st);
        mlops_run_info *ri = NULL;
        if (step == MLOPS__ROW) rc = mlops__run_info_from_row(c, st, &ri);
        else rc = mlops__conn_row_error(c, step, "reading a run");
        mlops__reset(st);
        if (!rc) rc = mlops__run_info_list_push(&a->list, ri);
    }
    return rc;
}

/* Renders the search for connection c into a->q and prepares it. */
static int prepare(mlops__conn *c, struct search_arg *a, mlops__stmt **st)
{
    mlops__query_free(&a->q); /* a retried transaction renders again */
    int like_max = mlops__conn_like_max(c);
    int rc = MLOPS_OK;
    if (mlops__conn_dialect(c) == MLOPS__POSTGRES) rc = mlops__search_lookups(c, &a->tree);
    if (!rc) rc = mlops__search_render(&a->tree, mlops__conn_dialect(c), like_max, &a->q);
    if (!rc && a->after) rc = mlops__page_token_fits(a->func, a->after, &a->q);
    if (rc) return rc;
    mlops__buf sql = MLOPS__BUF_INIT;
    build_sql(a, &sql);
    if (sql.failed || a->q.binds.failed) {
        mlops__buf_free(&sql);
        return mlops__err_nomem("searching runs");
    }
    /* Equal values share a parameter, so a filter within the documented
     * limits stays far below SQLite's; the check names the limit should a
     * build of SQLite have a lower one. */
    int max_vars = mlops__conn_max_params(c);
    if (a->q.binds.n > (size_t)max_vars) {
        mlops__buf_free(&sql);
        return mlops__err(MLOPS_EINVAL,
                          "%s: the search needs %zu distinct values; the database binds at most %d",
                          a->func, a->q.binds.n, max_vars);
    }
    int rc2 = mlops__conn_prepare(c, mlops__buf_str(&sql), st);
    mlops__buf_free(&sql);
    return rc2;
}

static int search_tx(mlops__conn *c, void *arg)
{
    struct search_arg *a = arg;
    mlops__run_info_list_clear(&a->list); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    free(a->next_token);
    a->next_token = NULL;
    mlops__stmt *st = NULL;
    int rc = prepare(c, a, &st);
    if (rc) return rc;
    rc = mlops__binds_apply(c, &a->q.binds, st);
    int64_t *seqs = malloc((a->limit + 1) * sizeof *seqs);
    if (!seqs && !rc) rc = mlops__err_nomem("searching runs");
    size_t n = 0;
    int step = MLOPS__DONE;
    mlops__value last[MLOPS__ORDER_MAX];
    memset(last, 0, sizeof last);
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        if (n == a->limit) break; /* a row beyond the page: there is a next page */
        seqs[n++] = mlops__col_int64(st, 0);
        int col = 1;
        for (size_t k = 0; k < a->q.nkeys; k++) {
            mlops__value_clear(&last[k]);
            /* a two-column key (PostgreSQL): the number, else the text */
            int two = a->q.keys[k].text.len != 0;
            value_from_column(st, two && mlops__col_null(st, col) ? col + 1 : col, &last[k]);
            col += two ? 2 : 1;
            if (last[k].type < 0) rc = mlops__err_nomem("searching runs");
        }
    }
    int more = step == MLOPS__ROW && !rc;
    if (!rc && step != MLOPS__ROW && step != MLOPS__DONE)
        rc = mlops__conn_error(c, step, "searching runs");
    mlops__stmt_finalize(st);
    if (!rc && more)
        rc = mlops__page_token_encode(a->fp, last, a->q.nkeys, seqs[n - 1], &a->next_token);
    for (size_t k = 0; k < a->q.nkeys; k++) mlops__value_clear(&last[k]);
    if (!rc) rc = load_page(c, a, seqs, n);
    free(seqs);
    return rc;
}

static int check_opts(const char *func, const mlops_search_opts *o)
{
    if (mlops__opts_check(func, o->version, MLOPS_SEARCH_OPTS_VERSION, "mlops_search_opts_init"))
        return MLOPS_EINVAL;
    if (mlops__check_lifecycle(func, o->lifecycle)) return MLOPS_EINVAL;
    if (o->max_results > MLOPS_SEARCH_MAX_RESULTS)
        return mlops__err(MLOPS_EINVAL, "%s: max_results %zu is over %d", func, o->max_results,
                          MLOPS_SEARCH_MAX_RESULTS);
    if (o->experiment_count && !o->experiment_ids)
        return mlops__err_null(func, "opts->experiment_ids");
    if (o->experiment_count > MLOPS__IN_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: at most %d experiments", func, MLOPS__IN_MAX);
    return MLOPS_OK;
}

/* The one search behind mlops_run_search (an array) and
 * mlops_run_search_ex (a list object): on success *list holds the page
 * and *next_token the token or NULL; on failure both are empty. */
static int search(const char *fn, mlops_store *s, const mlops_search_opts *opts,
                  mlops__run_info_list *list, char **next_token)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    if (opts) o = *opts; /* version 1 is the only version so far: every field */
    int rc = check_opts(fn, &o);
    if (rc) return rc;

    struct search_arg *a = calloc(1, sizeof *a);
    if (!a) return mlops__err_nomem("searching runs");
    a->func = fn;
    a->o = &o;
    a->limit = o.max_results ? o.max_results : 1000;
    mlops__value after[MLOPS__ORDER_MAX];
    memset(after, 0, sizeof after);
    rc = mlops__search_parse(fn, o.filter, o.order_by, &a->tree);
    if (!rc) rc = fingerprint(&o, a->fp);
    if (!rc && o.page_token) {
        rc = mlops__page_token_decode(fn, o.page_token, a->fp, after, a->tree.nkeys,
                                      &a->after_seq);
        if (!rc) a->after = after;
    }
    if (!rc) rc = mlops__store_read(s, search_tx, a);
    for (size_t i = 0; i < MLOPS__ORDER_MAX; i++) mlops__value_clear(&after[i]);
    mlops__query_free(&a->q);
    mlops__search_tree_free(&a->tree);
    if (rc) {
        mlops_run_info_list_free(a->list.items, a->list.n);
        free(a->next_token);
    } else {
        *list = a->list;
        *next_token = a->next_token;
    }
    free(a);
    return rc;
}

MLOPS_API int mlops_run_search(mlops_store *s, const mlops_search_opts *opts,
                               mlops_run_info ***out, size_t *count, char **next_page_token)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    if (!count) return mlops__err_null(__func__, "count");
    *out = NULL;
    *count = 0;
    if (next_page_token) *next_page_token = NULL;
    mlops__run_info_list list = { NULL, 0, 0 };
    char *token = NULL;
    int rc = search(__func__, s, opts, &list, &token);
    if (rc) return rc;
    *out = list.items;
    *count = list.n;
    if (next_page_token) *next_page_token = token;
    else free(token);
    return MLOPS_OK;
}

MLOPS_API int mlops_run_search_ex(mlops_store *s, const mlops_search_opts *opts,
                                  mlops_run_infos **out, char **next_page_token)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (next_page_token) *next_page_token = NULL;
    mlops__run_info_list list = { NULL, 0, 0 };
    char *token = NULL;
    int rc = search(__func__, s, opts, &list, &token);
    if (!rc) rc = mlops__run_infos_new(list.items, list.n, out);
    if (rc) {
        free(token);
        return rc;
    }
    if (next_page_token) *next_page_token = token;
    else free(token);
    return MLOPS_OK;
}
