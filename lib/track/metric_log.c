/* Logging metric points: a batch is validated, grouped by key and sorted
 * in memory, then written in one transaction: per key, the new points are
 * checked against those stored (re-logging a point is a no-op), appended
 * to the series' blocks and folded into its summary. */
#include "store/store_internal.h"
#include "track/metric_internal.h"
#include "track/track_internal.h"
#include "util/buf.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A point of the caller's batch, with its key's index among the batch's
 * distinct keys and its position in the batch (later logged wins ties). */
struct bpoint {
    mlops_metric_point p;
    uint32_t key;
    uint32_t order;
};

struct group {
    const char *key;
    size_t start, n; /* range of the batch's sorted points */
};

struct summary {
    int exists;
    int64_t id, count;
    uint64_t last_bits;
    int64_t last_step, last_ts;
    int has_range; /* min and max hold a non-NaN value */
    double min, max;
    mlops_metric_point tail[MLOPS__TAIL_MAX]; /* decoded tail */
    size_t ntail;
};

/* What a key's new points become: m[0..total) is the stored tail merged
 * with them; m[0..sealed) goes into blocks, the rest is the new tail. */
struct plan {
    mlops_metric_point *m;
    size_t total, sealed;
};

/* Groups handled together: bounds the summaries and merged points held at
 * once (a summary holds a decoded tail). */
#define GROUP_CHUNK 1000

struct batch {
    const char *func;
    const mlops_run *run;
    struct bpoint *pts;   /* grouped by key, each group sorted */
    struct group *groups;
    size_t ngroups;
    unsigned char *buf;   /* encoding scratch */
    size_t bufsize;
    mlops_metric_point *scratch; /* decoding scratch: MLOPS__BLOCK_MAX points */
    struct summary *sums;        /* of GROUP_CHUNK groups at a time (3 kB each) */
    struct plan *plans;          /* per group */
    uint32_t *slots;             /* group index + 1 by key hash (multi-row path); 0 = empty */
    size_t nslots;
    uint64_t added;              /* points that were new (imports count them) */
};

/* ---- preparing the batch in memory ---- */

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i <= MLOPS_KEY_MAX && s[i]; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* Gives every point the index of its distinct key and validates each
 * distinct key once. */
static int intern_keys(const char *func, const mlops_metric *m, size_t n, uint32_t *key_of,
                       const char ***keys_out, size_t *nkeys_out)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    uint32_t *slots = malloc(cap * sizeof *slots); /* key index + 1; 0 = empty */
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!slots || !keys) {
        free(slots);
        free(keys);
        return mlops__err_nomem("grouping metric points");
    }
    memset(slots, 0, cap * sizeof *slots);
    size_t nkeys = 0;
    int rc = MLOPS_OK;
    const char *prev_key = NULL;
    uint32_t prev_index = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *k = m[i].key;
        if (!k) {
            rc = mlops__err(MLOPS_EINVAL, "%s: metric %zu has a NULL key", func, i);
            break;
        }
        if (k == prev_key) { /* the common case: the same key pointer again */
            key_of[i] = prev_index;
            continue;
        }
        size_t slot = (size_t)hash_key(k) & (cap - 1);
        while (slots[slot] && strcmp(keys[slots[slot] - 1], k)) slot = (slot + 1) & (cap - 1);
        if (!slots[slot]) {
            rc = mlops__track_check_key(func, "metric key", k);
            if (rc) break;
            keys[nkeys] = k;
            slots[slot] = (uint32_t)++nkeys;
        }
        key_of[i] = prev_index = slots[slot] - 1;
        prev_key = k;
    }
    free(slots);
    if (rc) {
        free(keys);
        return rc;
    }
    *keys_out = keys;
    *nkeys_out = nkeys;
    return MLOPS_OK;
}

static int bpoint_cmp(const void *x, const void *y)
{
    const struct bpoint *a = x, *b = y;
    int c = mlops__point_cmp(&a->p, &b->p);
    if (c) return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Sorts a group by (step, ts, bits) and drops identical points, keeping
 * the one logged last. Returns the new length. */
static size_t sort_and_dedup(struct bpoint *g, size_t n)
{
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        if (mlops__point_cmp(&g[i - 1].p, &g[i].p) >= 0) sorted = 0;
    if (sorted) return n;
    qsort(g, n, sizeof *g, bpoint_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out && mlops__point_cmp(&g[out - 1].p, &g[i].p) == 0) g[out - 1] = g[i];
        else g[out++] = g[i];
    }
    return out;
}

static void batch_free(struct batch *b)
{
    for (size_t k = 0; b->plans && k < b->ngroups; k++) free(b->plans[k].m);
    free(b->pts);
    free(b->groups);
    free(b->buf);
    free(b->scratch);
    free(b->sums);
    free(b->plans);
    free(b->slots);
}

static int batch_prepare(struct batch *b, const mlops_metric *m, size_t n)
{
    if (n > UINT32_MAX || n > SIZE_MAX / sizeof(struct bpoint))
        return mlops__err(MLOPS_EINVAL, "%s: %zu points is too many for one call", b->func, n);
    uint32_t *key_of = malloc(n * sizeof *key_of);
    if (!key_of) return mlops__err_nomem("grouping metric points");
    const char **keys = NULL;
    size_t nkeys = 0;
    int rc = intern_keys(b->func, m, n, key_of, &keys, &nkeys);
    if (rc) {
        free(key_of);
        return rc;
    }
    /* Counting sort by key: groups keep the caller's order inside. */
    size_t *start = calloc(nkeys + 1, sizeof *start);
    b->pts = malloc(n * sizeof *b->pts);
    b->groups = malloc(nkeys * sizeof *b->groups);
    b->sums = malloc((nkeys < GROUP_CHUNK ? nkeys : GROUP_CHUNK) * sizeof *b->sums);
    b->plans = calloc(nkeys, sizeof *b->plans);
    if (!start || !b->pts || !b->groups || !b->sums || !b->plans) {
        free(start);
        free(key_of);
        free(keys);
        return mlops__err_nomem("grouping metric points");
    }
    for (size_t i = 0; i < n; i++) start[key_of[i] + 1]++;
    for (size_t k = 0; k < nkeys; k++) start[k + 1] += start[k];
    for (size_t k = 0; k < nkeys; k++) b->groups[k] = (struct group){ keys[k], start[k], 0 };
    for (size_t i = 0; i < n; i++) {
        struct group *g = &b->groups[key_of[i]];
        struct bpoint *bp = &b->pts[g->start + g->n++];
        bp->p.value = m[i].value;
        bp->p.step = m[i].step;
        bp->p.ts_ms = m[i].ts_ms;
        bp->key = key_of[i];
        bp->order = (uint32_t)i;
    }
    for (size_t k = 0; k < nkeys; k++)
        b->groups[k].n = sort_and_dedup(b->pts + b->groups[k].start, b->groups[k].n);
    b->ngroups = nkeys;
    free(start);
    free(key_of);
    free(keys);
    return MLOPS_OK;
}

/* ---- writing one key's points ---- */


static int corrupt(const struct batch *b)
{
    return mlops__err(MLOPS_ECORRUPT, "%s: stored points of run %s are malformed", b->func,
                      b->run->id);
}

static void summary_none(struct summary *s)
{
    s->exists = 0;
    s->count = 0;
    s->has_range = 0;
    s->ntail = 0;
}

/* Reads a stored summary from columns at..at+7 of the current row (id,
 * count, last_bits, last_step, last_ts, min, max, tail). */
static int summary_from_row(const struct batch *b, mlops__stmt *st, int at, struct summary *s)
{
    s->exists = 1;
    s->id = mlops__col_int64(st, at);
    s->count = mlops__col_int64(st, at + 1);
    s->last_bits = (uint64_t)mlops__col_int64(st, at + 2);
    s->last_step = mlops__col_int64(st, at + 3);
    s->last_ts = mlops__col_int64(st, at + 4);
    s->has_range = !mlops__col_null(st, at + 5);
    s->min = mlops__col_double(st, at + 5);
    s->max = mlops__col_double(st, at + 6);
    return mlops__tail_decode(st, at + 7, s->tail, &s->ntail) ? corrupt(b) : MLOPS_OK;
}

static int read_series(mlops__conn *c, const struct batch *b, const char *key, struct summary *s)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT id, count, last_bits, last_step, last_ts, min, max, tail "
                              "FROM metric_series WHERE run = ?1 AND key = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, b->run->seq);
    if (!rc) rc = mlops__bind_text(c, st, 2, key);
    if (rc) return rc;
    summary_none(s);
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        rc = summary_from_row(b, st, 0, s);
    } else if (step != MLOPS__DONE) {
        rc = mlops__conn_error(c, step, "reading a metric summary");
    }
    mlops__reset(st);
    return rc;
}

/* Index of p in the sorted g[0..n), or n. */
static size_t find_point(const struct bpoint *g, size_t n, const mlops_metric_point *p)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = mlops__point_cmp(&g[mid].p, p);
        if (cmp == 0) return mid;
        if (cmp < 0) lo = mid + 1;
        else hi = mid;
    }
    return n;
}

/* Drops the points of g[0..n) that are already stored, in the tail or in a
 * block. Blocks are only read when the batch reaches back to the series'
 * greatest step (the usual append never reads them). */
static int drop_stored(mlops__conn *c, struct batch *b, const struct summary *s,
                       struct bpoint *g, size_t *n)
{
    if (!s->exists || g[0].p.step > s->last_step) return MLOPS_OK;
    unsigned char *dup = calloc(*n, 1);
    if (!dup) return mlops__err_nomem("checking metric points");
    for (size_t i = 0; i < s->ntail; i++) {
        size_t at = find_point(g, *n, &s->tail[i]);
        if (at < *n) dup[at] = 1;
    }
    mlops__stmt *st = NULL;
    int rc = mlops__conn_stmt(c,
                              "SELECT data FROM metric_blocks WHERE series = ?1 "
                              "AND first_step <= ?3 AND last_step >= ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, s->id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, g[0].p.step);
    if (!rc) rc = mlops__bind_int64(c, st, 3, g[*n - 1].p.step);
    if (!rc && !b->scratch && !(b->scratch = malloc(MLOPS__BLOCK_MAX * sizeof *b->scratch)))
        rc = mlops__err_nomem("checking metric points");
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        size_t got;
        if (mlops__block_decode(mlops__col_blob(st, 0), (size_t)mlops__col_bytes(st, 0),
                                b->scratch, &got)) {
            rc = corrupt(b);
            break;
        }
        for (size_t i = 0; i < got; i++) {
            size_t at = find_point(g, *n, &b->scratch[i]);
            if (at < *n) dup[at] = 1;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading metric blocks");
    if (st) mlops__reset(st);
    size_t out = 0;
    for (size_t i = 0; i < *n; i++)
        if (!dup[i]) g[out++] = g[i];
    *n = out;
    free(dup);
    return rc;
}

/* Folds the new points into the summary. "last" is the point with the
 * greatest (step, ts); among equals, the one logged last wins, and a new
 * point wins over a stored one. */
static void fold_summary(struct summary *s, const struct bpoint *g, size_t n)
{
    const struct bpoint *last = NULL;
    for (size_t i = 0; i < n; i++) {
        const mlops_metric_point *p = &g[i].p;
        if (!last || p->step > last->p.step ||
            (p->step == last->p.step &&
             (p->ts_ms > last->p.ts_ms || (p->ts_ms == last->p.ts_ms && g[i].order > last->order))))
            last = &g[i];
        if (isnan(p->value)) continue;
        if (!s->has_range) {
            s->min = s->max = p->value;
            s->has_range = 1;
        } else {
            if (p->value < s->min) s->min = p->value;
            if (p->value > s->max) s->max = p->value;
        }
    }
    if (!s->exists || last->p.step > s->last_step ||
        (last->p.step == s->last_step && last->p.ts_ms >= s->last_ts)) {
        s->last_bits = mlops__value_bits(last->p.value);
        s->last_step = last->p.step;
        s->last_ts = last->p.ts_ms;
    }
    s->count += (int64_t)n;
}

static int ensure_buf(struct batch *b, size_t need)
{
    if (b->bufsize >= need) return MLOPS_OK;
    unsigned char *n = realloc(b->buf, need);
    if (!n) return mlops__err_nomem("encoding metric points");
    b->buf = n;
    b->bufsize = need;
    return MLOPS_OK;
}

/* Writes the summary and the tail p[0..ntail) (none when ntail is 0). */
static int write_series(mlops__conn *c, struct batch *b, const char *key, struct summary *s,
                        const mlops_metric_point *tail, size_t ntail)
{
    mlops__stmt *st;
    int rc = s->exists ? mlops__conn_stmt(c,
                                          "UPDATE metric_series SET count = ?2, last = ?3, "
                                          "last_bits = ?4, last_step = ?5, last_ts = ?6, "
                                          "min = ?7, max = ?8, tail = ?9 WHERE id = ?1",
                                          &st)
                       : mlops__conn_stmt(c,
                                          "INSERT INTO metric_series(run, key, count, last, "
                                          "last_bits, last_step, last_ts, min, max, tail) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
                                          &st);
    if (rc) return rc;
    double last = mlops__bits_value(s->last_bits);
    size_t len = 0;
    if (ntail) {
        rc = ensure_buf(b, mlops__block_bound(ntail));
        if (rc) return rc;
        len = mlops__block_encode(tail, ntail, b->buf);
    }
    /* The UPDATE has no key parameter, so the ones after it are one lower
     * (PostgreSQL cannot type a parameter number the text skips). */
    int k = s->exists ? 1 : 0;
    rc = mlops__bind_int64(c, st, 1, s->exists ? s->id : b->run->seq);
    if (!rc && !s->exists) rc = mlops__bind_text(c, st, 2, key);
    if (!rc) rc = mlops__bind_int64(c, st, 3 - k, s->count);
    if (!rc && !isnan(last)) rc = mlops__bind_double(c, st, 4 - k, last);
    if (!rc) rc = mlops__bind_int64(c, st, 5 - k, (int64_t)s->last_bits);
    if (!rc) rc = mlops__bind_int64(c, st, 6 - k, s->last_step);
    if (!rc) rc = mlops__bind_int64(c, st, 7 - k, s->last_ts);
    if (!rc && s->has_range) rc = mlops__bind_double(c, st, 8 - k, s->min);
    if (!rc && s->has_range) rc = mlops__bind_double(c, st, 9 - k, s->max);
    if (!rc && ntail) rc = mlops__bind_blob(c, st, 10 - k, b->buf, (int)len);
    if (rc) return rc;
    if (s->exists) rc = mlops__conn_step_done(c, st, "writing a metric summary");
    else rc = mlops__conn_step_id(c, st, "writing a metric summary", &s->id);
    return rc;
}

int mlops__metric_insert_block(mlops__conn *c, int64_t series, const mlops_metric_point *p,
                               size_t n, unsigned char *buf)
{
    size_t len = mlops__block_encode(p, n, buf);
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO metric_blocks(series, first_step, last_step, n, data) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, series);
    if (!rc) rc = mlops__bind_int64(c, st, 2, p[0].step);
    if (!rc) rc = mlops__bind_int64(c, st, 3, p[n - 1].step);
    if (!rc) rc = mlops__bind_int64(c, st, 4, (int64_t)n);
    if (!rc) rc = mlops__bind_blob(c, st, 5, buf, (int)len);
    if (!rc) rc = mlops__conn_step_done(c, st, "writing metric points");
    return rc;
}

/* The stored tail and the new points, merged in order (both are sorted and
 * share no point). malloc'd. */
static mlops_metric_point *merge_with_tail(const struct summary *s, const struct bpoint *g,
                                           size_t n)
{
    mlops_metric_point *m = malloc((s->ntail + n) * sizeof *m);
    if (!m) return NULL;
    size_t i = 0, j = 0, k = 0;
    while (i < s->ntail || j < n) {
        if (j == n || (i < s->ntail && mlops__point_cmp(&s->tail[i], &g[j].p) < 0))
            m[k++] = s->tail[i++];
        else
            m[k++] = g[j++].p;
    }
    return m;
}

/* Works out what group k's points become (after dropping those already
 * stored): its new summary, its merged points and how many are sealed.
 * Reads stored blocks only when the batch reaches back into the series. */
static int plan_group(mlops__conn *c, struct batch *b, size_t k, struct summary *s)
{
    struct bpoint *g = b->pts + b->groups[k].start;
    size_t n = b->groups[k].n;
    struct plan *pl = &b->plans[k];
    free(pl->m); /* from an attempt of this transaction that was rolled back */
    pl->m = NULL;
    pl->total = pl->sealed = 0;
    if (!n) return MLOPS_OK;
    int rc = drop_stored(c, b, s, g, &n);
    /* drop_stored compacted the group in place: a retry of this
     * transaction must see only what is left (the dropped points stay
     * stored), not the stale copies behind it. */
    if (!rc) b->groups[k].n = n;
    if (rc || !n) return rc;
    b->added += n;
    fold_summary(s, g, n);
    pl->m = merge_with_tail(s, g, n);
    if (!pl->m) return mlops__err_nomem("writing metric points");
    pl->total = s->ntail + n;
    /* Seal full blocks from the front while what is left could not stay a
     * tail; the rest (fewer than MLOPS__TAIL_MAX points) is the new tail. */
    while (pl->total - pl->sealed >= MLOPS__TAIL_MAX) {
        size_t left = pl->total - pl->sealed;
        pl->sealed += left < MLOPS__BLOCK_MAX ? left : MLOPS__BLOCK_MAX;
    }
    return MLOPS_OK;
}

/* Writes group k's plan one row per statement (cached statements). */
static int write_plan(mlops__conn *c, struct batch *b, size_t k, struct summary *s)
{
    struct plan *pl = &b->plans[k];
    const char *key = b->groups[k].key;
    if (!pl->total) return MLOPS_OK;
    int rc = MLOPS_OK;
    if (pl->sealed) {
        /* The series row must exist before its blocks (foreign key). */
        if (!s->exists) rc = write_series(c, b, key, s, NULL, 0);
        if (!rc) rc = ensure_buf(b, mlops__block_bound(MLOPS__BLOCK_MAX));
        s->exists = 1;
        for (size_t done = 0; !rc && done < pl->sealed;) {
            size_t n = pl->sealed - done < MLOPS__BLOCK_MAX ? pl->sealed - done : MLOPS__BLOCK_MAX;
            rc = mlops__metric_insert_block(c, s->id, pl->m + done, n, b->buf);
            done += n;
        }
    }
    if (!rc) rc = write_series(c, b, key, s, pl->m + pl->sealed, pl->total - pl->sealed);
    return rc;
}

/* ---- the multi-row path: a batch of many keys in a few statements ---- */

/* The group whose key is key, or b->ngroups. */
static size_t find_group(struct batch *b, const char *key)
{
    if (!b->slots) return b->ngroups;
    size_t slot = (size_t)hash_key(key) & (b->nslots - 1);
    while (b->slots[slot]) {
        size_t k = b->slots[slot] - 1;
        if (!strcmp(b->groups[k].key, key)) return k;
        slot = (slot + 1) & (b->nslots - 1);
    }
    return b->ngroups;
}

static int index_groups(struct batch *b)
{
    if (b->slots) return MLOPS_OK;
    b->nslots = 16;
    while (b->nslots < 2 * b->ngroups) b->nslots *= 2;
    b->slots = calloc(b->nslots, sizeof *b->slots);
    if (!b->slots) return mlops__err_nomem("writing metric points");
    for (size_t k = 0; k < b->ngroups; k++) {
        size_t slot = (size_t)hash_key(b->groups[k].key) & (b->nslots - 1);
        while (b->slots[slot]) slot = (slot + 1) & (b->nslots - 1);
        b->slots[slot] = (uint32_t)(k + 1);
    }
    return MLOPS_OK;
}

/* Fills the summaries of groups[first..first+count) (sums[0..count)) with
 * one SELECT per chunk of keys. */
static int read_chunk(mlops__conn *c, struct batch *b, size_t first, size_t count)
{
    int rc = index_groups(b);
    for (size_t i = 0; i < count; i++) summary_none(&b->sums[i]);
    size_t per = mlops__rows_per_statement(c, 1, 1);
    for (size_t at = first; !rc && at < first + count; at += per) {
        size_t n = first + count - at < per ? first + count - at : per;
        mlops__buf sql = MLOPS__BUF_INIT;
        mlops__buf_add(&sql, "SELECT key, id, count, last_bits, last_step, last_ts, min, max, "
                             "tail FROM metric_series WHERE run = ?1 AND key IN (");
        for (size_t i = 0; i < n; i++) mlops__buf_addf(&sql, i ? ", ?%zu" : "?%zu", i + 2);
        mlops__buf_add(&sql, ")");
        char *text = NULL;
        mlops__stmt *st = NULL;
        rc = mlops__buf_take(&sql, &text, "reading metric summaries");
        if (!rc) rc = mlops__conn_prepare(c, text, &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, b->run->seq);
        for (size_t i = 0; !rc && i < n; i++)
            rc = mlops__bind_text(c, st, (int)i + 2, b->groups[at + i].key);
        int step = MLOPS__DONE;
        while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
            size_t k = find_group(b, mlops__col_text(st, 0));
            if (k < first || k >= first + count) rc = corrupt(b);
            else rc = summary_from_row(b, st, 1, &b->sums[k - first]);
        }
        if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading metric summaries");
        mlops__stmt_finalize(st);
        free(text);
    }
    return rc;
}

/* Inserts or updates the series rows of groups[at..at+n) that have points
 * to write, and learns the new rows' ids (their summaries start at
 * sums[at - first]). */
static int upsert_series(mlops__conn *c, struct batch *b, size_t first, size_t at, size_t n)
{
    size_t rows = 0, bytes = 0;
    for (size_t k = at; k < at + n; k++) {
        const struct plan *pl = &b->plans[k];
        if (!pl->total) continue;
        rows++;
        bytes += mlops__block_bound(pl->total - pl->sealed);
    }
    if (!rows) return MLOPS_OK;
    int rc = ensure_buf(b, bytes);
    if (rc) return rc;
    mlops__buf sql = MLOPS__BUF_INIT;
    mlops__buf_add(&sql, "INSERT INTO metric_series(run, key, count, last, last_bits, last_step, "
                         "last_ts, min, max, tail) VALUES");
    mlops__sql_values(&sql, rows, 10, 1);
    mlops__buf_add(&sql, " ON CONFLICT (run, key) DO UPDATE SET count = excluded.count, "
                         "last = excluded.last, last_bits = excluded.last_bits, "
                         "last_step = excluded.last_step, last_ts = excluded.last_ts, "
                         "min = excluded.min, max = excluded.max, tail = excluded.tail "
                         "RETURNING id, key");
    char *text = NULL;
    mlops__stmt *st = NULL;
    rc = mlops__buf_take(&sql, &text, "writing metric summaries");
    if (!rc) rc = mlops__conn_prepare(c, text, &st);
    unsigned char *enc = b->buf;
    int p = 0;
    for (size_t k = at; !rc && k < at + n; k++) {
        const struct plan *pl = &b->plans[k];
        const struct summary *s = &b->sums[k - first];
        if (!pl->total) continue;
        size_t ntail = pl->total - pl->sealed, len = 0;
        if (ntail) len = mlops__block_encode(pl->m + pl->sealed, ntail, enc);
        double last = mlops__bits_value(s->last_bits);
        rc = mlops__bind_int64(c, st, p + 1, b->run->seq);
        if (!rc) rc = mlops__bind_text(c, st, p + 2, b->groups[k].key);
        if (!rc) rc = mlops__bind_int64(c, st, p + 3, s->count);
        if (!rc) rc = isnan(last) ? mlops__bind_null(c, st, p + 4)
                                  : mlops__bind_double(c, st, p + 4, last);
        if (!rc) rc = mlops__bind_int64(c, st, p + 5, (int64_t)s->last_bits);
        if (!rc) rc = mlops__bind_int64(c, st, p + 6, s->last_step);
        if (!rc) rc = mlops__bind_int64(c, st, p + 7, s->last_ts);
        if (!rc) rc = s->has_range ? mlops__bind_double(c, st, p + 8, s->min)
                                   : mlops__bind_null(c, st, p + 8);
        if (!rc) rc = s->has_range ? mlops__bind_double(c, st, p + 9, s->max)
                                   : mlops__bind_null(c, st, p + 9);
        if (!rc) rc = ntail ? mlops__bind_blob(c, st, p + 10, enc, (int)len)
                            : mlops__bind_null(c, st, p + 10);
        enc += len;
        p += 10;
    }
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        size_t k = find_group(b, mlops__col_text(st, 1));
        if (k < at || k >= at + n) {
            rc = corrupt(b);
            break;
        }
        b->sums[k - first].id = mlops__col_int64(st, 0);
        b->sums[k - first].exists = 1;
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "writing metric summaries");
    mlops__stmt_finalize(st);
    free(text);
    return rc;
}

/* The blocks of groups[first..first+count) in multi-row INSERTs, after
 * their series rows. */
static int insert_blocks(mlops__conn *c, struct batch *b, size_t first, size_t count)
{
    size_t nrows = 0, bytes = 0;
    for (size_t k = first; k < first + count; k++) {
        const struct plan *pl = &b->plans[k];
        for (size_t done = 0; done < pl->sealed; done += MLOPS__BLOCK_MAX, nrows++) {
            size_t n = pl->sealed - done < MLOPS__BLOCK_MAX ? pl->sealed - done : MLOPS__BLOCK_MAX;
            bytes += mlops__block_bound(n);
        }
    }
    if (!nrows) return MLOPS_OK;
    mlops__block_row *rows = malloc(nrows * sizeof *rows);
    unsigned char *data = malloc(bytes);
    if (!rows || !data) {
        free(rows);
        free(data);
        return mlops__err_nomem("writing metric points");
    }
    size_t r = 0, used = 0;
    for (size_t k = first; k < first + count; k++) {
        const struct plan *pl = &b->plans[k];
        for (size_t done = 0; done < pl->sealed;) {
            size_t n = pl->sealed - done < MLOPS__BLOCK_MAX ? pl->sealed - done : MLOPS__BLOCK_MAX;
            const mlops_metric_point *p = pl->m + done;
            size_t len = mlops__block_encode(p, n, data + used);
            rows[r++] = (mlops__block_row){ b->sums[k - first].id, p[0].step, p[n - 1].step, (int64_t)n,
                                            data + used, len };
            used += len;
            done += n;
        }
    }
    int rc = mlops__metric_insert_blocks(c, rows, r);
    free(rows);
    free(data);
    return rc;
}

/* Reads, plans and writes groups[first..first+count) together. */
static int chunk_tx(mlops__conn *c, struct batch *b, size_t first, size_t count)
{
    int rc = read_chunk(c, b, first, count);
    for (size_t k = first; !rc && k < first + count; k++)
        rc = plan_group(c, b, k, &b->sums[k - first]);
    size_t per = mlops__rows_per_statement(c, 10, 0);
    for (size_t at = first; !rc && at < first + count; at += per)
        rc = upsert_series(c, b, first, at, first + count - at < per ? first + count - at : per);
    if (!rc) rc = insert_blocks(c, b, first, count);
    for (size_t k = first; k < first + count; k++) { /* bounds the memory held */
        free(b->plans[k].m);
        b->plans[k].m = NULL;
    }
    return rc;
}

/* Writes every group of the batch inside the caller's transaction, and
 * counts the points that were new (from zero: a retried transaction
 * starts over). */
static int write_groups(mlops__conn *c, struct batch *b)
{
    int rc = MLOPS_OK;
    b->added = 0;
    /* On PostgreSQL each statement is a round trip under the store's lock:
     * a batch of several keys reads and writes them all at once. */
    if (b->ngroups > 1 && mlops__conn_dialect(c) == MLOPS__POSTGRES) {
        for (size_t at = 0; !rc && at < b->ngroups; at += GROUP_CHUNK)
            rc = chunk_tx(c, b, at, b->ngroups - at < GROUP_CHUNK ? b->ngroups - at : GROUP_CHUNK);
        return rc;
    }
    for (size_t k = 0; !rc && k < b->ngroups; k++) {
        rc = read_series(c, b, b->groups[k].key, &b->sums[0]);
        if (!rc) rc = plan_group(c, b, k, &b->sums[0]);
        if (!rc) rc = write_plan(c, b, k, &b->sums[0]);
        free(b->plans[k].m); /* bounds the memory held */
        b->plans[k].m = NULL;
    }
    return rc;
}

static int batch_tx(mlops__conn *c, void *arg)
{
    struct batch *b = arg;
    int rc = mlops__track_run_writable(c, b->run, b->func, 1);
    return rc ? rc : write_groups(c, b);
}

static int log_batch(const char *func, mlops_run *r, const mlops_metric *m, size_t n)
{
    struct batch b;
    b.added = 0;
    b.pts = NULL;
    b.groups = NULL;
    b.ngroups = 0;
    b.buf = NULL;
    b.bufsize = 0;
    b.scratch = NULL;
    b.sums = NULL;
    b.plans = NULL;
    b.slots = NULL;
    b.nslots = 0;
    b.func = func;
    b.run = r;
    int rc = batch_prepare(&b, m, n);
    if (!rc) rc = mlops__store_write(r->store, batch_tx, &b);
    batch_free(&b);
    return rc;
}

MLOPS_API int mlops_run_log_metrics(mlops_run *r, const mlops_metric *m, size_t n)
{
    if (!r) return mlops__err_null(__func__, "r");
    if (mlops__check_array(__func__, "m", m, n, sizeof *m)) return MLOPS_EINVAL;
    if (!n) return MLOPS_OK;
    return log_batch(__func__, r, m, n);
}

MLOPS_API int mlops_run_log_metric(mlops_run *r, const char *key, double value, int64_t step,
                                   int64_t ts_ms)
{
    if (!r) return mlops__err_null(__func__, "r");
    mlops_metric m = { key, value, step, ts_ms };
    return log_batch(__func__, r, &m, 1);
}

int mlops__metric_import_batch(mlops__conn *c, const char *func, const mlops_run *r,
                               const mlops_metric *m, size_t n, int ended, uint64_t *added)
{
    struct batch b;
    memset(&b, 0, sizeof b);
    b.func = func;
    b.run = r;
    int rc = batch_prepare(&b, m, n);
    if (!rc) rc = write_groups(c, &b);
    /* An ended run keeps no tails (mlops_run_end seals them). */
    if (!rc && ended && b.added) rc = mlops__metric_seal_tails(c, r->seq, r->id);
    if (!rc) *added = b.added;
    batch_free(&b);
    return rc;
}

int mlops__metric_seal_tails(mlops__conn *c, int64_t run, const char *run_id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT id, tail FROM metric_series "
                              "WHERE run = ?1 AND tail IS NOT NULL",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, run);
    if (rc) return rc;
    mlops_metric_point pts[MLOPS__TAIL_MAX];
    unsigned char *buf = malloc(mlops__block_bound(MLOPS__TAIL_MAX));
    if (!buf) return mlops__err_nomem("sealing metric points");
    /* PostgreSQL: the blocks are gathered and inserted together (each
     * statement is a round trip); the tails are already block encodings. */
    int gather = mlops__conn_dialect(c) == MLOPS__POSTGRES;
    mlops__block_row *rows = NULL;
    size_t nrows = 0, cap = 0, used = 0, bytes_cap = 0;
    unsigned char *bytes = NULL;
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        size_t n = 0;
        if (mlops__tail_decode(st, 1, pts, &n) || n == 0) {
            rc = mlops__err(MLOPS_ECORRUPT, "stored points of run %s are malformed", run_id);
            break;
        }
        if (!gather) {
            rc = mlops__metric_insert_block(c, mlops__col_int64(st, 0), pts, n, buf);
            continue;
        }
        if (nrows == cap) {
            cap = cap ? 2 * cap : 16;
            mlops__block_row *more = realloc(rows, cap * sizeof *rows);
            if (!more) {
                rc = mlops__err_nomem("sealing metric points");
                break;
            }
            rows = more;
        }
        size_t need = used + mlops__block_bound(n);
        if (need > bytes_cap) {
            unsigned char *more = realloc(bytes, 2 * need);
            if (!more) {
                rc = mlops__err_nomem("sealing metric points");
                break;
            }
            bytes = more;
            bytes_cap = 2 * need;
        }
        size_t len = mlops__block_encode(pts, n, bytes + used);
        used += len;
        /* data is pointed into bytes once it stops moving */
        rows[nrows++] = (mlops__block_row){ mlops__col_int64(st, 0), pts[0].step, pts[n - 1].step,
                                            (int64_t)n, NULL, len };
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "sealing metric points");
    mlops__reset(st);
    for (size_t i = 0, off = 0; i < nrows; off += rows[i].len, i++) rows[i].data = bytes + off;
    if (!rc && nrows) rc = mlops__metric_insert_blocks(c, rows, nrows);
    free(rows);
    free(bytes);
    free(buf);
    if (rc) return rc;
    rc = mlops__conn_stmt(c, "UPDATE metric_series SET tail = NULL WHERE run = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, run);
    if (!rc) rc = mlops__conn_step_done(c, st, "sealing metric points");
    return rc;
}
