/* Run snapshots: a run with its params, tags and metric summaries, read
 * in one snapshot; used by mlops_run_get, mlops_run_list and searches. */
#include "store/store_internal.h"
#include "track/lineage_internal.h"
#include "track/metric_internal.h"
#include "track/run_info.h"
#include "track/track_internal.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/lifecycle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mlops_run_info {
    mlops__arena arena; /* the struct itself and everything it points to */
    char id[MLOPS_RUN_ID_LEN + 1];
    int64_t seq, experiment_id, start_ms, end_ms, deleted_ms;
    int status;
    const char *name, *parent_id;
    mlops_kv *params, *tags;
    size_t nparams, ntags;
    mlops_metric_summary *metrics;
    size_t nmetrics;
    mlops_lineage_edge *lineage;
    size_t nlineage;
};

static int nomem(void)
{
    return mlops__err_nomem("reading a run");
}

/* Makes room for one more element in an arena array of *n elements of
 * size `size` with capacity *cap (old copies stay in the arena). */
static int arena_grow(mlops__arena *ar, void **arr, size_t size, size_t n, size_t *cap)
{
    if (n < *cap) return MLOPS_OK;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *grown = mlops__arena_alloc(ar, ncap * size);
    if (!grown) return nomem();
    if (n) memcpy(grown, *arr, n * size);
    *arr = grown;
    *cap = ncap;
    return MLOPS_OK;
}

/* Appends the (key, value) in columns at, at+1 of st's row. */
static int kv_append(mlops__stmt *st, int at, mlops__arena *ar, mlops_kv **out, size_t *n,
                     size_t *cap)
{
    int rc = arena_grow(ar, (void **)out, sizeof **out, *n, cap);
    if (rc) return rc;
    mlops_kv *kv = &(*out)[*n];
    kv->key = mlops__arena_strdup(ar, mlops__col_text(st, at));
    kv->value = mlops__arena_strdup(ar, mlops__col_text(st, at + 1));
    if (!kv->key || !kv->value) return nomem();
    (*n)++;
    return MLOPS_OK;
}

/* Reads rows of (key, value) into an arena array. */
static int load_kv(mlops__conn *c, mlops__stmt *st, mlops__arena *ar, mlops_kv **out,
                   size_t *n)
{
    size_t cap = 0;
    int step, rc = MLOPS_OK;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        rc = kv_append(st, 0, ar, out, n, &cap);
        if (rc) break;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a run");
    mlops__reset(st);
    return rc;
}

/* Appends the summary in columns at..at+6 of st's row (key, last_bits,
 * last_step, last_ts, min, max, count). */
static int metric_append(mlops__stmt *st, int at, mlops_run_info *ri, size_t *cap)
{
    int rc = arena_grow(&ri->arena, (void **)&ri->metrics, sizeof *ri->metrics, ri->nmetrics, cap);
    if (rc) return rc;
    mlops_metric_summary *m = &ri->metrics[ri->nmetrics];
    m->key = mlops__arena_strdup(&ri->arena, mlops__col_text(st, at));
    if (!m->key) return nomem();
    m->last = mlops__bits_value((uint64_t)mlops__col_int64(st, at + 1));
    m->last_step = mlops__col_int64(st, at + 2);
    m->last_ts_ms = mlops__col_int64(st, at + 3);
    int has_range = !mlops__col_null(st, at + 4);
    m->min = has_range ? mlops__col_double(st, at + 4) : NAN;
    m->max = has_range ? mlops__col_double(st, at + 5) : NAN;
    m->count = mlops__col_int64(st, at + 6);
    ri->nmetrics++;
    return MLOPS_OK;
}

static int load_metrics(mlops__conn *c, mlops_run_info *ri)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT key, last_bits, last_step, last_ts, min, max, count "
                              "FROM metric_series WHERE run = ?1 ORDER BY key",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, ri->seq);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        rc = metric_append(st, 0, ri, &cap);
        if (rc) break;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a run's metrics");
    mlops__reset(st);
    return rc;
}

/* The run's own fields from a row of MLOPS__RUN_COLUMNS; no params,
 * tags, metrics or lineage yet. */
static int info_new(mlops__stmt *row, mlops_run_info **out)
{
    mlops__arena ar = MLOPS__ARENA_INIT;
    mlops_run_info *ri = mlops__arena_alloc(&ar, sizeof *ri);
    if (!ri) return nomem();
    memset(ri, 0, sizeof *ri);
    ri->arena = ar;
    ri->seq = mlops__col_int64(row, 0);
    const char *id = mlops__col_text(row, 1);
    if (id && mlops__col_bytes(row, 1) == MLOPS_RUN_ID_LEN) memcpy(ri->id, id, MLOPS_RUN_ID_LEN);
    ri->experiment_id = mlops__col_int64(row, 2);
    ri->name = mlops__arena_strdup(&ri->arena, mlops__col_text(row, 3));
    ri->parent_id = mlops__arena_strdup(&ri->arena, mlops__col_text(row, 4));
    ri->status = mlops__track_status_from_name(mlops__col_text(row, 5));
    ri->start_ms = mlops__col_int64(row, 6);
    ri->end_ms = mlops__col_int64(row, 7);
    ri->deleted_ms = mlops__col_int64(row, 8);
    if ((!mlops__col_null(row, 3) && !ri->name) ||
        (!mlops__col_null(row, 4) && !ri->parent_id)) {
        mlops_run_info_free(ri);
        return nomem();
    }
    *out = ri;
    return MLOPS_OK;
}

int mlops__run_info_from_row(mlops__conn *c, mlops__stmt *row, mlops_run_info **out)
{
    mlops_run_info *ri = NULL;
    int rc = info_new(row, &ri);
    if (rc) return rc;
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c, "SELECT key, value FROM run_params WHERE run = ?1 ORDER BY key",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, ri->seq);
    if (!rc) rc = load_kv(c, st, &ri->arena, &ri->params, &ri->nparams);
    if (!rc)
        rc = mlops__conn_stmt(c, "SELECT key, value FROM run_tags WHERE run = ?1 ORDER BY key",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, ri->seq);
    if (!rc) rc = load_kv(c, st, &ri->arena, &ri->tags, &ri->ntags);
    if (!rc) rc = load_metrics(c, ri);
    if (!rc) rc = mlops__lineage_load(c, ri->seq, &ri->arena, &ri->lineage, &ri->nlineage);
    if (rc) {
        mlops_run_info_free(ri);
        return rc;
    }
    *out = ri;
    return MLOPS_OK;
}

/* ---- a page of runs with one statement per table ---- */

struct seq_pos {
    int64_t seq;
    size_t pos;
};

static int seq_pos_cmp(const void *x, const void *y)
{
    const struct seq_pos *a = x, *b = y;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct page {
    const int64_t *seqs;
    size_t n;
    struct seq_pos *by_seq; /* sorted by seq */
    mlops_run_info **ri;    /* by position in seqs */
};

static mlops_run_info **page_slot(const struct page *p, int64_t seq)
{
    struct seq_pos key = { seq, 0 };
    struct seq_pos *f = bsearch(&key, p->by_seq, p->n, sizeof key, seq_pos_cmp);
    return f ? &p->ri[f->pos] : NULL;
}

enum page_part { PAGE_RUNS, PAGE_PARAMS, PAGE_TAGS, PAGE_METRICS, PAGE_LINEAGE };

/* Each part's statement as head "(?1, ..., ?n)" tail (SQLite), and on
 * PostgreSQL as one statement whose parameter is the page's seqs as an
 * array literal: its text is the same for every page, so the connection
 * caches it, the server parses it once and reuses its plan, where a list
 * of a hundred parameters was parsed and planned again for every page
 * (about a third of a page's load: issue 16). The order of the (run, key)
 * indexes gives ORDER BY run, key without a sort either way. */
static const char *const part_sql[][2] = {
    [PAGE_RUNS] = { "SELECT " MLOPS__RUN_COLUMNS " FROM runs WHERE seq IN", "" },
    [PAGE_PARAMS] = { "SELECT run, key, value FROM run_params WHERE run IN", " ORDER BY run, key" },
    [PAGE_TAGS] = { "SELECT run, key, value FROM run_tags WHERE run IN", " ORDER BY run, key" },
    [PAGE_METRICS] = { "SELECT run, key, last_bits, last_step, last_ts, min, max, count "
                       "FROM metric_series WHERE run IN",
                       " ORDER BY run, key" },
    [PAGE_LINEAGE] = { "SELECT DISTINCT run FROM run_lineage WHERE run IN", "" },
};

#define PG_SEQS " = ANY(CAST(?1 AS bigint[]))"
/* (each in parentheses: clang's -Wstring-concatenation takes two literals
 * in an array's initializer for a missing comma) */
static const char *const pg_part_sql[] = {
    [PAGE_RUNS] = ("SELECT " MLOPS__RUN_COLUMNS " FROM runs WHERE seq" PG_SEQS),
    [PAGE_PARAMS] = ("SELECT run, key, value FROM run_params WHERE run" PG_SEQS " ORDER BY run, key"),
    [PAGE_TAGS] = ("SELECT run, key, value FROM run_tags WHERE run" PG_SEQS " ORDER BY run, key"),
    [PAGE_METRICS] = ("SELECT run, key, last_bits, last_step, last_ts, min, max, count "
                      "FROM metric_series WHERE run" PG_SEQS " ORDER BY run, key"),
    [PAGE_LINEAGE] = ("SELECT DISTINCT run FROM run_lineage WHERE run" PG_SEQS),
};

/* The statement of part bound to the page's seqs: on PostgreSQL a cached
 * statement (*cached set: reset it after use), on SQLite one prepared for
 * the page (finalize it). */
static int page_stmt(mlops__conn *c, const struct page *p, enum page_part part,
                     mlops__stmt **st, int *cached)
{
    *st = NULL;
    *cached = mlops__conn_dialect(c) == MLOPS__POSTGRES;
    mlops__buf sql = MLOPS__BUF_INIT;
    int rc;
    if (*cached) {
        mlops__buf_add(&sql, "{");
        for (size_t i = 0; i < p->n; i++)
            mlops__buf_addf(&sql, i ? ",%lld" : "%lld", (long long)p->seqs[i]);
        mlops__buf_add(&sql, "}");
        rc = sql.failed ? nomem() : mlops__conn_stmt(c, pg_part_sql[part], st);
        if (!rc) rc = mlops__bind_text(c, *st, 1, mlops__buf_str(&sql));
        mlops__buf_free(&sql);
        return rc;
    }
    mlops__buf_add(&sql, part_sql[part][0]);
    mlops__buf_add(&sql, " (");
    for (size_t i = 0; i < p->n; i++) mlops__buf_addf(&sql, i ? ", ?%zu" : "?%zu", i + 1);
    mlops__buf_add(&sql, ")");
    mlops__buf_add(&sql, part_sql[part][1]);
    rc = sql.failed ? nomem() : mlops__conn_prepare(c, mlops__buf_str(&sql), st);
    mlops__buf_free(&sql);
    for (size_t i = 0; !rc && i < p->n; i++) rc = mlops__bind_int64(c, *st, (int)i + 1, p->seqs[i]);
    return rc;
}

/* Reads one table's rows for the whole page from st (ordered by run, so
 * each run's rows are consecutive: `cap` is the capacity of the current
 * run's array). */
static int page_part(mlops__conn *c, struct page *p, enum page_part part, mlops__stmt *st)
{
    int rc = MLOPS_OK;
    int64_t *linked = part == PAGE_LINEAGE ? malloc(p->n * sizeof *linked) : NULL;
    if (part == PAGE_LINEAGE && !linked) rc = nomem();
    size_t nlinked = 0, cap = 0;
    int64_t current = 0;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        mlops_run_info **slot = page_slot(p, mlops__col_int64(st, 0));
        if (!slot || (part != PAGE_RUNS && !*slot)) {
            rc = mlops__conn_row_error(c, MLOPS__DONE, "reading runs");
            break;
        }
        mlops_run_info *ri = *slot;
        if (part != PAGE_RUNS && ri->seq != current) {
            current = ri->seq;
            cap = 0;
        }
        switch (part) {
        case PAGE_RUNS: rc = info_new(st, slot); break;
        case PAGE_PARAMS: rc = kv_append(st, 1, &ri->arena, &ri->params, &ri->nparams, &cap); break;
        case PAGE_TAGS: rc = kv_append(st, 1, &ri->arena, &ri->tags, &ri->ntags, &cap); break;
        case PAGE_METRICS: rc = metric_append(st, 1, ri, &cap); break;
        case PAGE_LINEAGE: linked[nlinked++] = ri->seq; break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading runs");
    /* Runs with lineage are few: theirs is read run by run. */
    for (size_t i = 0; !rc && i < nlinked; i++) {
        mlops_run_info *ri = *page_slot(p, linked[i]);
        rc = mlops__lineage_load(c, ri->seq, &ri->arena, &ri->lineage, &ri->nlineage);
    }
    free(linked);
    for (size_t i = 0; !rc && part == PAGE_RUNS && i < p->n; i++)
        if (!p->ri[i]) rc = mlops__conn_row_error(c, MLOPS__DONE, "reading a run");
    return rc;
}

#define PAGE_PARTS (PAGE_LINEAGE + 1)

/* PostgreSQL plans a prepared statement anew at each of its first five
 * executions, with the page's seqs as a constant whose every element it
 * estimates, before it keeps a generic plan (the same index scans): in a
 * process that searches a few times, as the CLI and the 100k-run
 * benchmark do, that was 0.4 ms of a page's 2.4 ms of server time (issue
 * 16). So the page's statements run between these two, which make the
 * server plan them once per connection; RESET gives back the session's
 * own setting (the library never sets it). */
static const char generic_on_sql[] = "SET LOCAL plan_cache_mode = force_generic_plan";
static const char generic_off_sql[] = "RESET plan_cache_mode";

/* Runs the bracket statement st (run ahead or not) to its end. */
static int bracket_step(mlops__conn *c, mlops__stmt *st)
{
    int step = mlops__step(st);
    return step == MLOPS__DONE ? MLOPS_OK : mlops__conn_error(c, step, "reading runs");
}

static int page_chunk(mlops__conn *c, const int64_t *seqs, size_t n, mlops__run_info_list *list)
{
    struct page p = { seqs, n, malloc(n * sizeof *p.by_seq), calloc(n, sizeof *p.ri) };
    int rc = p.by_seq && p.ri ? MLOPS_OK : nomem();
    for (size_t i = 0; !rc && i < n; i++) p.by_seq[i] = (struct seq_pos){ seqs[i], i };
    if (!rc) qsort(p.by_seq, n, sizeof *p.by_seq, seq_pos_cmp);
    /* Every part's statement bound, then all run at once: on PostgreSQL
     * one round trip for the five (pipeline mode), whose results are read
     * while the server answers the next (issue 16), between the two
     * statements of generic plans (all[0] and all[PAGE_PARTS + 1]). */
    mlops__stmt *all[PAGE_PARTS + 2] = { NULL };
    mlops__stmt **st = all + 1;
    int cached[PAGE_PARTS] = { 0 };
    int pg = mlops__conn_dialect(c) == MLOPS__POSTGRES;
    if (!rc && pg) rc = mlops__conn_stmt(c, generic_on_sql, &all[0]);
    if (!rc && pg) rc = mlops__conn_stmt(c, generic_off_sql, &all[PAGE_PARTS + 1]);
    for (int part = PAGE_RUNS; !rc && part < PAGE_PARTS; part++)
        rc = page_stmt(c, &p, (enum page_part)part, &st[part], &cached[part]);
    if (!rc && pg) rc = mlops__stmts_run_ahead(c, all, PAGE_PARTS + 2);
    else if (!rc) rc = mlops__stmts_run_ahead(c, st, PAGE_PARTS);
    if (!rc && pg) rc = bracket_step(c, all[0]);
    for (int part = PAGE_RUNS; !rc && part < PAGE_PARTS; part++)
        rc = page_part(c, &p, (enum page_part)part, st[part]);
    if (!rc && pg) rc = bracket_step(c, all[PAGE_PARTS + 1]);
    for (int part = PAGE_RUNS; part < PAGE_PARTS; part++) {
        if (st[part] && cached[part]) mlops__reset(st[part]);
        else if (st[part]) mlops__stmt_finalize(st[part]);
    }
    if (all[0]) mlops__reset(all[0]);
    if (all[PAGE_PARTS + 1]) mlops__reset(all[PAGE_PARTS + 1]);
    for (size_t i = 0; i < n && p.ri; i++) {
        if (!rc) rc = mlops__run_info_list_push(list, p.ri[i]);
        else mlops_run_info_free(p.ri[i]);
    }
    free(p.by_seq);
    free(p.ri);
    return rc;
}

int mlops__run_infos_load(mlops__conn *c, const int64_t *seqs, size_t n,
                          mlops__run_info_list *list)
{
    size_t per = (size_t)mlops__conn_max_params(c);
    if (per > 1000) per = 1000;
    int rc = MLOPS_OK;
    for (size_t at = 0; !rc && at < n; at += per)
        rc = page_chunk(c, seqs + at, n - at < per ? n - at : per, list);
    return rc;
}

struct get_arg {
    const char *fn;
    const char *run_id;
    mlops_run_info *out;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_arg *a = arg;
    mlops_run_info_free(a->out); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    a->out = NULL;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT " MLOPS__RUN_COLUMNS " FROM runs WHERE run_id = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, a->run_id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) rc = mlops__run_info_from_row(c, st, &a->out);
    else if (step == MLOPS__DONE)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no run '%s'", a->fn, a->run_id);
    else rc = mlops__conn_error(c, step, "reading a run");
    mlops__reset(st);
    return rc;
}

MLOPS_API int mlops_run_get(mlops_store *s, const char *run_id, mlops_run_info **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    int rc = mlops__track_check_run_id(__func__, run_id);
    if (rc) return rc;
    struct get_arg a = { __func__, run_id, NULL };
    rc = mlops__store_read(s, get_tx, &a);
    if (!rc) *out = a.out;
    return rc;
}

/* ---- lists ---- */

int mlops__run_info_list_push(mlops__run_info_list *l, mlops_run_info *ri)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        mlops_run_info **grown = realloc(l->items, ncap * sizeof *grown);
        if (!grown) {
            mlops_run_info_free(ri);
            return mlops__err_nomem("listing runs");
        }
        l->items = grown;
        l->cap = ncap;
    }
    l->items[l->n++] = ri;
    return MLOPS_OK;
}

void mlops__run_info_list_clear(mlops__run_info_list *l)
{
    for (size_t i = 0; i < l->n; i++) mlops_run_info_free(l->items[i]);
    l->n = 0;
}

struct list_arg {
    const char *func;
    int64_t experiment_id;
    int lifecycle;
    mlops__run_info_list list;
};

static int list_tx(mlops__conn *c, void *arg)
{
    struct list_arg *a = arg;
    mlops__run_info_list_clear(&a->list); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    int deleted;
    int rc = mlops__track_experiment_state(c, a->func, a->experiment_id, &deleted);
    if (rc) return rc;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT " MLOPS__RUN_COLUMNS " FROM runs WHERE experiment_id = ?1 "
                          "AND " MLOPS__LIFECYCLE_SQL("deleted_ms", 2) " "
                          "ORDER BY start_ms DESC, seq DESC",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, a->experiment_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, a->lifecycle);
    if (rc) return rc;
    /* Rows first, then each run's data: the statements share a connection
     * but not a cursor. */
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        mlops_run_info *ri;
        rc = mlops__run_info_from_row(c, st, &ri);
        if (!rc) rc = mlops__run_info_list_push(&a->list, ri);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing runs");
    mlops__reset(st);
    return rc;
}

/* The one listing behind mlops_run_list (an array) and mlops_run_list_ex
 * (a list object): *list holds the snapshots on success, nothing on
 * failure. */
static int list_read(const char *func, mlops_store *s, int64_t experiment_id, int lifecycle,
                     mlops__run_info_list *list)
{
    int rc = mlops__check_lifecycle(func, lifecycle);
    if (rc) return rc;
    struct list_arg a;
    memset(&a, 0, sizeof a);
    a.func = func;
    a.experiment_id = experiment_id;
    a.lifecycle = lifecycle;
    rc = mlops__store_read(s, list_tx, &a);
    if (rc) {
        mlops_run_info_list_free(a.list.items, a.list.n);
        return rc;
    }
    *list = a.list;
    return MLOPS_OK;
}

MLOPS_API int mlops_run_list(mlops_store *s, int64_t experiment_id, int lifecycle,
                             mlops_run_info ***out, size_t *count)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    if (!count) return mlops__err_null(__func__, "count");
    *out = NULL;
    *count = 0;
    mlops__run_info_list list = { NULL, 0, 0 };
    int rc = list_read(__func__, s, experiment_id, lifecycle, &list);
    if (rc) return rc;
    *out = list.items;
    *count = list.n;
    return MLOPS_OK;
}

MLOPS_API int mlops_run_list_ex(mlops_store *s, int64_t experiment_id, int lifecycle,
                                mlops_run_infos **out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    mlops__run_info_list list = { NULL, 0, 0 };
    int rc = list_read(__func__, s, experiment_id, lifecycle, &list);
    if (!rc) rc = mlops__run_infos_new(list.items, list.n, out);
    return rc;
}

MLOPS_API void mlops_run_info_list_free(mlops_run_info **list, size_t count)
{
    if (!list) return;
    for (size_t i = 0; i < count; i++) mlops_run_info_free(list[i]);
    free(list);
}

MLOPS_API void mlops_run_info_free(mlops_run_info *ri)
{
    if (!ri) return;
    mlops__arena ar = ri->arena;
    mlops__arena_free(&ar);
}

/* ---- getters ---- */

MLOPS_API const char *mlops_run_info_id(const mlops_run_info *ri)
{
    return ri ? ri->id : NULL;
}

MLOPS_API int64_t mlops_run_info_experiment_id(const mlops_run_info *ri)
{
    return ri ? ri->experiment_id : 0;
}

MLOPS_API const char *mlops_run_info_name(const mlops_run_info *ri)
{
    return ri ? ri->name : NULL;
}

MLOPS_API const char *mlops_run_info_parent_id(const mlops_run_info *ri)
{
    return ri ? ri->parent_id : NULL;
}

MLOPS_API int mlops_run_info_status(const mlops_run_info *ri)
{
    return ri ? ri->status : -1;
}

MLOPS_API int64_t mlops_run_info_start_ms(const mlops_run_info *ri)
{
    return ri ? ri->start_ms : 0;
}

MLOPS_API int64_t mlops_run_info_end_ms(const mlops_run_info *ri)
{
    return ri ? ri->end_ms : 0;
}

MLOPS_API int64_t mlops_run_info_deleted_ms(const mlops_run_info *ri)
{
    return ri ? ri->deleted_ms : 0;
}

MLOPS_API const mlops_kv *mlops_run_info_params(const mlops_run_info *ri, size_t *count)
{
    if (count) *count = ri ? ri->nparams : 0;
    return ri && ri->nparams ? ri->params : NULL;
}

MLOPS_API const mlops_kv *mlops_run_info_tags(const mlops_run_info *ri, size_t *count)
{
    if (count) *count = ri ? ri->ntags : 0;
    return ri && ri->ntags ? ri->tags : NULL;
}

MLOPS_API const mlops_metric_summary *mlops_run_info_metrics(const mlops_run_info *ri,
                                                             size_t *count)
{
    if (count) *count = ri ? ri->nmetrics : 0;
    return ri && ri->nmetrics ? ri->metrics : NULL;
}

MLOPS_API size_t mlops_run_info_param_count(const mlops_run_info *ri)
{
    return ri ? ri->nparams : 0;
}

MLOPS_API int mlops_run_info_param_at(const mlops_run_info *ri, size_t i, const char **key,
                                      const char **value)
{
    if (!ri) return mlops__err_null(__func__, "ri");
    return mlops__track_kv_at(__func__, ri->params, ri->nparams, i, key, value);
}

MLOPS_API size_t mlops_run_info_tag_count(const mlops_run_info *ri)
{
    return ri ? ri->ntags : 0;
}

MLOPS_API int mlops_run_info_tag_at(const mlops_run_info *ri, size_t i, const char **key,
                                    const char **value)
{
    if (!ri) return mlops__err_null(__func__, "ri");
    return mlops__track_kv_at(__func__, ri->tags, ri->ntags, i, key, value);
}

MLOPS_API size_t mlops_run_info_metric_count(const mlops_run_info *ri)
{
    return ri ? ri->nmetrics : 0;
}

MLOPS_API int mlops_run_info_metric_at(const mlops_run_info *ri, size_t i,
                                       const mlops_metric_summary **summary)
{
    if (!ri) return mlops__err_null(__func__, "ri");
    if (i >= ri->nmetrics)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is not below %zu", __func__, i,
                          ri->nmetrics);
    if (summary) *summary = &ri->metrics[i];
    return MLOPS_OK;
}

MLOPS_API const mlops_lineage_edge *mlops_run_info_lineage(const mlops_run_info *ri,
                                                           size_t *count)
{
    if (count) *count = ri ? ri->nlineage : 0;
    return ri && ri->nlineage ? ri->lineage : NULL;
}

MLOPS_API const char *mlops_run_info_param(const mlops_run_info *ri, const char *key)
{
    return ri ? mlops__track_kv_find(ri->params, ri->nparams, key) : NULL;
}

MLOPS_API const char *mlops_run_info_tag(const mlops_run_info *ri, const char *key)
{
    return ri ? mlops__track_kv_find(ri->tags, ri->ntags, key) : NULL;
}

MLOPS_API const mlops_metric_summary *mlops_run_info_metric(const mlops_run_info *ri,
                                                            const char *key)
{
    if (!ri || !key) return NULL;
    size_t lo = 0, hi = ri->nmetrics;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ri->metrics[mid].key, key);
        if (!c) return &ri->metrics[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
