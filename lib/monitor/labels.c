/* mlops_monitor_labels_ingest: delayed labels join earlier predictions by
 * id and add to their windows' mergeable statistics (confusion counts of
 * a classifier, error sums of a regressor), all in one write transaction
 * so that concurrent batches never lose a count. A window judged already
 * gets its statistics updated, never its judgment. */
#include "monitor/monitor_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_monitor_labels_result_init(mlops_monitor_labels_result *r, unsigned version)
{
    static const mlops_monitor_labels_result defaults = MLOPS_MONITOR_LABELS_RESULT_INIT;
    return mlops__opts_init(__func__, r, &defaults, sizeof defaults, version,
                            MLOPS_MONITOR_LABELS_RESULT_VERSION);
}

/* One matched label. */
typedef struct match {
    int64_t start;
    double y, pred;        /* regression */
    char *t, *p;           /* classification (malloc'd) */
} match;

typedef struct labels_op {
    const char *fn;
    const mlops_monitor *m;
    size_t n;
    const char *const *ids;
    const double *num;
    const char *const *str;
    match *mt;
    size_t nmt;
    /* the distinct ids: uniq[u] the index of the first label of the u-th
     * (by strcmp), reps[u] its labels, status[u] what the store said (0
     * unknown, 1 matched now, 2 labeled before) */
    size_t *uniq, *reps, nuniq;
    unsigned char *status;
    size_t joined_max; /* bytes of the longest chunk's ids joined */
    mlops_monitor_labels_result r;
} labels_op;

static int cmp_match(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (!x->t || !y->t) return 0;
    int c = strcmp(x->t, y->t);
    return c ? c : strcmp(x->p, y->p);
}

static void clear_matches(labels_op *op)
{
    for (size_t i = 0; i < op->nmt; i++) {
        free(op->mt[i].t);
        free(op->mt[i].p);
    }
    op->nmt = 0;
}

static int add_metric(mlops__conn *c, const labels_op *op, int64_t start, const char *name, double v,
                      int64_t n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO mon_window_metrics(monitor_id, start_ms, name, value, n) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(monitor_id, start_ms, name) DO "
                              "UPDATE SET value = mon_window_metrics.value + excluded.value, "
                              "n = mon_window_metrics.n + excluded.n",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (!rc) rc = mlops__bind_text(c, st, 3, name);
    if (!rc) rc = mlops__bind_double(c, st, 4, v);
    if (!rc) rc = mlops__bind_int64(c, st, 5, n);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a window's labels");
    return rc;
}

static int add_confusion(mlops__conn *c, const labels_op *op, int64_t start, const char *t, const char *p,
                         int64_t n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO mon_window_confusion(monitor_id, start_ms, y_true, y_pred, n) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(monitor_id, start_ms, y_true, "
                              "y_pred) DO UPDATE SET n = mon_window_confusion.n + excluded.n",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (!rc) rc = mlops__bind_text(c, st, 3, t);
    if (!rc) rc = mlops__bind_text(c, st, 4, p);
    if (!rc) rc = mlops__bind_int64(c, st, 5, n);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a window's labels");
    return rc;
}

/* Adds the matches of one window, mt[0..n), sorted by (true, pred). */
static int add_window(mlops__conn *c, labels_op *op, const match *mt, size_t n)
{
    int64_t start = mt[0].start;
    int rc = add_metric(c, op, start, "labels", (double)n, (int64_t)n);
    if (!rc && op->m->task == MLOPS_MONITOR_TASK_REGRESSION) {
        double s[5] = { 0, 0, 0, 0, 0 };
        for (size_t i = 0; i < n; i++) {
            double e = mt[i].pred - mt[i].y;
            s[0] += e;
            s[1] += fabs(e);
            s[2] += e * e;
            s[3] += mt[i].y;
            s[4] += mt[i].y * mt[i].y;
        }
        static const char *const names[5] = { "sum_err", "sum_abs_err", "sum_sq_err", "sum_y", "sum_y2" };
        for (int k = 0; !rc && k < 5; k++) rc = add_metric(c, op, start, names[k], s[k], (int64_t)n);
    } else {
        for (size_t i = 0; !rc && i < n;) {
            size_t e = i + 1;
            while (e < n && !strcmp(mt[e].t, mt[i].t) && !strcmp(mt[e].p, mt[i].p)) e++;
            rc = add_confusion(c, op, start, mt[i].t, mt[i].p, (int64_t)(e - i));
            i = e;
        }
    }
    if (rc) return rc;
    /* a window judged already: counted as late (its judgment stays) */
    mlops__stmt *st;
    if ((rc = mlops__conn_stmt(c, "SELECT state FROM mon_windows WHERE monitor_id = ?1 AND start_ms = ?2",
                               &st)))
        return rc;
    rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, start);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW && mlops__col_int(st, 0) != MLOPS_MONITOR_WINDOW_OPEN) op->r.late_labels += n;
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "reading a window");
    op->r.windows++;
    return MLOPS_OK;
}

/* ---- Finding the predictions of a batch of ids ----
 * One lookup and one update per label made a million labels two million
 * statements (round trips under the store's lock on PostgreSQL). The
 * distinct ids of a batch are marked labeled and read back in one
 * UPDATE ... RETURNING per chunk; only a chunk with ids left unmatched
 * (unknown, or labeled before) needs a second statement telling them
 * apart. PostgreSQL gets a chunk's ids as ONE text parameter, joined by
 * the unit separator (0x1F, which ids never contain: mlops__check_name
 * refuses control characters) and split by the server; SQLite, where a
 * statement costs no round trip, gets them as placeholders, in chunks of
 * 512, 64, 8 and 1 so that each statement is one of a few prepared once
 * per connection (texts built once per process: the statement cache keys
 * a text by its address). */

#define PG_CHUNK 4096
#define N_SIZES 4
static const size_t sizes[N_SIZES] = { 512, 64, 8, 1 };
#define SEP '\x1f'

#define UPDATE_HEAD "UPDATE mon_predictions SET labeled = 1 WHERE monitor_id = ?1 AND labeled = 0 AND id "
#define UPDATE_TAIL " RETURNING id, start_ms, prediction_num, prediction_text"
#define SELECT_HEAD "SELECT id FROM mon_predictions WHERE monitor_id = ?1 AND id "
#define ID_LIST_MAX (8 + 512 * 8)

static const char pg_update[] = UPDATE_HEAD "= ANY(string_to_array(?2, chr(31)))" UPDATE_TAIL;
static const char pg_select[] = SELECT_HEAD "= ANY(string_to_array(?2, chr(31)))";
static char sqlite_update[N_SIZES][sizeof UPDATE_HEAD + sizeof UPDATE_TAIL + ID_LIST_MAX];
static char sqlite_select[N_SIZES][sizeof SELECT_HEAD + ID_LIST_MAX];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sqlite_sql(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        char list[ID_LIST_MAX];
        size_t len = (size_t)snprintf(list, sizeof list, "IN (");
        for (size_t i = 0; i < sizes[s]; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, i ? ", ?%zu" : "?%zu", i + 2);
        snprintf(list + len, sizeof list - len, ")");
        snprintf(sqlite_update[s], sizeof sqlite_update[s], "%s%s%s", UPDATE_HEAD, list, UPDATE_TAIL);
        snprintf(sqlite_select[s], sizeof sqlite_select[s], "%s%s", SELECT_HEAD, list);
    }
}

/* The ids of the chunk uniq[at..at+n) bound from ?2 on, after the
 * monitor as ?1 (joined holds PostgreSQL's text). */
static int bind_ids(mlops__conn *c, labels_op *op, mlops__stmt *st, size_t at, size_t n, char *joined)
{
    int rc = mlops__bind_int64(c, st, 1, op->m->id);
    if (!joined) {
        for (size_t i = 0; !rc && i < n; i++)
            rc = mlops__bind_text(c, st, (int)i + 2, op->ids[op->uniq[at + i]]);
        return rc;
    }
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = op->ids[op->uniq[at + i]];
        size_t l = strlen(id);
        if (i) joined[len++] = SEP;
        memcpy(joined + len, id, l);
        len += l;
    }
    joined[len] = 0;
    return rc ? rc : mlops__bind_text(c, st, 2, joined);
}

static int cmp_id(const void *key, const void *elt, const labels_op *op)
{
    return strcmp((const char *)key, op->ids[*(const size_t *)elt]);
}

/* The position in uniq[at..at+n) of id, or SIZE_MAX. */
static size_t find_id(const labels_op *op, size_t at, size_t n, const char *id)
{
    size_t lo = at, hi = at + n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_id(id, &op->uniq[mid], op);
        if (!c) return mid;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return SIZE_MAX;
}

/* Marks the ids of a chunk labeled, keeping a match for each (status 1);
 * those left are told apart: labeled before (status 2) or unknown (0).
 * *got counts the matches. */
static int match_chunk(mlops__conn *c, labels_op *op, size_t at, size_t n, int size, char *joined)
{
    int pg = joined != NULL, regression = op->m->task == MLOPS_MONITOR_TASK_REGRESSION;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, pg ? pg_update : sqlite_update[size], &st);
    if (!rc) rc = bind_ids(c, op, st, at, n, joined);
    if (rc) return rc;
    size_t got = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        size_t u = find_id(op, at, n, mlops__col_text(st, 0));
        if (u == SIZE_MAX || op->status[u]) {
            mlops__reset(st);
            return mlops__err(MLOPS_ECORRUPT, "%s: the store returned a prediction not asked for", op->fn);
        }
        op->status[u] = 1;
        got++;
        size_t r = op->uniq[u];
        match *mt = &op->mt[op->nmt];
        memset(mt, 0, sizeof *mt);
        mt->start = mlops__col_int64(st, 1);
        if (regression) {
            mt->pred = mlops__col_null(st, 2) ? NAN : mlops__col_double(st, 2);
            mt->y = op->num[r];
        } else {
            char buf[40];
            const char *p = mlops__col_text(st, 3), *t = op->str ? op->str[r] : buf;
            if (!op->str) snprintf(buf, sizeof buf, "%.17g", op->num[r]);
            mt->t = strdup(t);
            mt->p = strdup(p ? p : "");
        }
        op->nmt++;
        if (!regression && (!mt->t || !mt->p)) {
            mlops__reset(st);
            return mlops__err_nomem(op->fn);
        }
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "matching labels to predictions");
    if (got == n) return MLOPS_OK;
    if ((rc = mlops__conn_stmt(c, pg ? pg_select : sqlite_select[size], &st))) return rc;
    if ((rc = bind_ids(c, op, st, at, n, joined))) return rc;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        size_t u = find_id(op, at, n, mlops__col_text(st, 0));
        if (u != SIZE_MAX && !op->status[u]) op->status[u] = 2;
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading predictions");
    return MLOPS_OK;
}

static int labels_tx(mlops__conn *c, void *arg)
{
    labels_op *op = arg;
    const mlops_monitor *m = op->m;
    pthread_once(&sql_once, build_sqlite_sql);
    clear_matches(op);
    op->r.matched = op->r.unknown_ids = op->r.duplicates = op->r.windows = op->r.late_labels = 0;
    memset(op->status, 0, op->nuniq);
    int pg = mlops__conn_dialect(c) == MLOPS__POSTGRES;
    char *joined = NULL;
    int rc = MLOPS_OK;
    if (pg && !(joined = malloc(op->joined_max))) return mlops__err_nomem(op->fn);
    int max_params = mlops__conn_max_params(c);
    for (size_t at = 0; !rc && at < op->nuniq;) {
        size_t left = op->nuniq - at, n;
        int s = 0;
        if (pg) {
            n = left < PG_CHUNK ? left : PG_CHUNK;
        } else {
            while (s < N_SIZES - 1 && (sizes[s] > left || 1 + (long)sizes[s] > (long)max_params)) s++;
            n = sizes[s];
        }
        rc = match_chunk(c, op, at, n, s, joined);
        at += n;
    }
    free(joined);
    /* The first label of an id counts; a repeat is a duplicate, unless
     * the id is unknown. */
    for (size_t u = 0; u < op->nuniq; u++) {
        if (op->status[u] == 0) op->r.unknown_ids += op->reps[u];
        else op->r.duplicates += op->reps[u] - (op->status[u] == 1);
        op->r.matched += op->status[u] == 1;
    }
    if (rc) return rc;
    qsort(op->mt, op->nmt, sizeof *op->mt, cmp_match);
    for (size_t i = 0; !rc && i < op->nmt;) {
        size_t e = i + 1;
        while (e < op->nmt && op->mt[e].start == op->mt[i].start) e++;
        rc = add_window(c, op, op->mt + i, e - i);
        i = e;
    }
    if (!rc && op->r.unknown_ids) {
        mlops__stmt *st;
        rc = mlops__conn_stmt(c, "UPDATE mon_label_settings SET unknown_labels = unknown_labels + ?2 "
                                 "WHERE monitor_id = ?1", &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, (int64_t)op->r.unknown_ids);
        if (!rc) rc = mlops__conn_step_done(c, st, "counting unknown labels");
    }
    return rc;
}

typedef struct id_pos {
    const char *id;
    size_t r;
} id_pos;

static int cmp_id_pos(const void *a, const void *b)
{
    const id_pos *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->r > y->r) - (x->r < y->r);
}

/* Fills op's distinct ids (each with its first label) and the room the
 * longest chunk of them takes joined. */
static int distinct_ids(labels_op *op)
{
    id_pos *v = malloc(op->n * sizeof *v);
    op->uniq = malloc(op->n * sizeof *op->uniq);
    op->reps = malloc(op->n * sizeof *op->reps);
    op->status = malloc(op->n);
    if (!v || !op->uniq || !op->reps || !op->status) {
        free(v);
        return mlops__err_nomem(op->fn);
    }
    for (size_t r = 0; r < op->n; r++) v[r] = (id_pos){ op->ids[r], r };
    qsort(v, op->n, sizeof *v, cmp_id_pos);
    op->nuniq = 0;
    for (size_t i = 0; i < op->n; i++) {
        if (op->nuniq && !strcmp(v[i].id, op->ids[op->uniq[op->nuniq - 1]])) {
            op->reps[op->nuniq - 1]++;
            continue;
        }
        op->uniq[op->nuniq] = v[i].r;
        op->reps[op->nuniq++] = 1;
    }
    free(v);
    op->joined_max = 1;
    for (size_t at = 0; at < op->nuniq; at += PG_CHUNK) {
        size_t len = 1;
        for (size_t u = at; u < op->nuniq && u < at + PG_CHUNK; u++) len += strlen(op->ids[op->uniq[u]]) + 1;
        if (len > op->joined_max) op->joined_max = len;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_monitor_labels_ingest(mlops_store *s, const char *name, size_t n,
                                          const char *const *ids, const double *numeric,
                                          const char *const *strings,
                                          mlops_monitor_labels_result *res)
{
    const char *fn = __func__;
    if (!s) return mlops__err_null(fn, "s");
    int rc = mlops__monitor_check_name(fn, name);
    if (!rc && res)
        rc = mlops__opts_check(fn, res->version, MLOPS_MONITOR_LABELS_RESULT_VERSION,
                               "mlops_monitor_labels_result_init");
    if (!rc) rc = mlops__check_array(fn, "ids", ids, n, sizeof *ids);
    if (!rc && n && !numeric == !strings)
        rc = mlops__err(MLOPS_EINVAL, "%s: give the labels as numeric or as strings (one of them)", fn);
    for (size_t r = 0; !rc && r < n; r++) {
        if (!ids[r]) rc = mlops__err(MLOPS_EINVAL, "%s: ids[%zu] is NULL", fn, r);
        else if ((rc = mlops__check_name(fn, "id", ids[r], 1024))) break;
        else if (strings && !strings[r]) rc = mlops__err(MLOPS_EINVAL, "%s: strings[%zu] is NULL", fn, r);
        else if (numeric && !isfinite(numeric[r]))
            rc = mlops__err(MLOPS_EINVAL, "%s: numeric[%zu] is not a finite number", fn, r);
    }
    if (!rc) rc = mlops__store_check_writable(s, fn);
    if (rc) return rc;
    mlops_monitor *m = NULL;
    if ((rc = mlops__monitor_read(s, fn, name, &m))) return rc;
    labels_op op;
    memset(&op, 0, sizeof op);
    op.fn = fn;
    op.m = m;
    op.n = n;
    op.ids = ids;
    op.num = numeric;
    op.str = strings;
    if (m->task == MLOPS_MONITOR_TASK_NONE)
        rc = mlops__err(MLOPS_EINVAL, "%s: monitor '%s' has no task: it keeps no predictions", fn, name);
    else if (m->task == MLOPS_MONITOR_TASK_REGRESSION && strings && n)
        rc = mlops__err(MLOPS_EINVAL, "%s: monitor '%s' is a regression: its labels are numeric", fn, name);
    if (!rc && n && !(op.mt = malloc(n * sizeof *op.mt))) rc = mlops__err_nomem(fn);
    if (!rc && n) rc = distinct_ids(&op);
    if (!rc && n) rc = mlops__store_write(s, labels_tx, &op);
    clear_matches(&op);
    free(op.mt);
    free(op.uniq);
    free(op.reps);
    free(op.status);
    mlops_monitor_free(m);
    if (!rc && res) {
        unsigned v = res->version;
        *res = op.r;
        res->version = v;
    }
    return rc;
}
