/* Validating a batch against a schema. One pass over each column: a
 * numeric column counts missing and out-of-range values, a categorical one
 * missing and unseen values (a hash set of the allowed categories, built
 * per call). The anomalies and their examples live in one arena owned by
 * the list. */
#include "validate/validate_internal.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/pool.h"
#include "util/str.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The anomalies of the schema's columns are found in parallel, each
 * column into a part of its own (its records and their text in the
 * part's arena); the list's items are then copied from the parts in
 * column order, and the parts kept until the list is freed. */
struct mlops_anomalies {
    mlops_anomaly *items;
    size_t n, cap;
    mlops__arena arena;
    mlops_anomalies **parts;
    size_t nparts;
};

MLOPS_API int mlops_validate_opts_init(mlops_validate_opts *opts, unsigned version)
{
    static const mlops_validate_opts defaults = MLOPS_VALIDATE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof *opts, version, MLOPS_VALIDATE_OPTS_VERSION);
}

MLOPS_API size_t mlops_anomalies_count(const mlops_anomalies *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_anomaly *mlops_anomalies_at(const mlops_anomalies *l, size_t i)
{
    return l && i < l->n ? &l->items[i] : NULL;
}

MLOPS_API void mlops_anomalies_free(mlops_anomalies *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->nparts; i++) mlops_anomalies_free(l->parts[i]);
    free(l->parts);
    mlops__arena_free(&l->arena);
    free(l->items);
    free(l);
}

/* ---- the batch being checked -------------------------------------------------- */

typedef struct batch {
    size_t ncols, nrows;
    const char *const *names;
    const int *kinds;
    const double *const *numbers;
    const char *const *const *strings;
    size_t *by_name; /* column indices sorted by name */
    unsigned char *matched;
    uint32_t max_examples;
} batch;

/* An insertion sort keeps the call reentrant (no global for qsort); the
 * batch has few columns, and this runs once per call. */
static void sort_names(batch *b)
{
    for (size_t i = 0; i < b->ncols; i++) b->by_name[i] = i;
    for (size_t i = 1; i < b->ncols; i++) {
        size_t v = b->by_name[i], j = i;
        while (j > 0 && strcmp(b->names[b->by_name[j - 1]], b->names[v]) > 0) {
            b->by_name[j] = b->by_name[j - 1];
            j--;
        }
        b->by_name[j] = v;
    }
}

static long find_column(const batch *b, const char *name)
{
    size_t lo = 0, hi = b->ncols;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->names[b->by_name[mid]], name);
        if (c == 0) return (long)b->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int check_batch(const char *fn, batch *b)
{
    int rc;
    if ((rc = mlops__check_array(fn, "names", b->names, b->ncols, sizeof *b->names)) ||
        (rc = mlops__check_array(fn, "kinds", b->kinds, b->ncols, sizeof *b->kinds)))
        return rc;
    for (size_t i = 0; i < b->ncols; i++) {
        if ((rc = mlops__check_name(fn, "column name", b->names[i], MLOPS_SCHEMA_NAME_MAX))) return rc;
        int k = b->kinds[i];
        if (k != MLOPS_PROFILE_NUMERIC && k != MLOPS_PROFILE_CATEGORICAL)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': kind %d is neither numeric nor categorical", fn,
                              b->names[i], k);
        const void *col;
        if (k == MLOPS_PROFILE_NUMERIC) {
            if (!b->numbers) return mlops__err_null(fn, "numbers");
            col = b->numbers[i];
            rc = mlops__check_array(fn, b->names[i], col, b->nrows, sizeof(double));
        } else {
            if (!b->strings) return mlops__err_null(fn, "strings");
            col = b->strings[i];
            rc = mlops__check_array(fn, b->names[i], col, b->nrows, sizeof(char *));
        }
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* ---- building anomalies ----------------------------------------------------------- */

typedef struct builder {
    const char *fn;
    mlops_anomalies *l;
    uint32_t max_examples;
    uint64_t rows[100];      /* the current column's examples */
    const char *values[100];
    size_t n_ex;
    char numbuf[100][32];    /* numeric examples as text */
} builder;

static void example_number(builder *bd, uint64_t row, double v)
{
    if (bd->n_ex >= bd->max_examples) return;
    char *t = bd->numbuf[bd->n_ex];
    if (isnan(v)) {
        snprintf(t, 32, "nan");
    } else if (isinf(v)) {
        snprintf(t, 32, "%s", v > 0 ? "inf" : "-inf");
    } else {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(t, 32, "%.*g", prec, v);
            if (strtod(t, NULL) == v) break;
        }
        for (char *p = t; *p; p++)
            if (*p == ',') *p = '.'; /* a locale's decimal comma */
    }
    bd->rows[bd->n_ex] = row;
    bd->values[bd->n_ex++] = t;
}

static void example_string(builder *bd, uint64_t row, const char *v)
{
    if (bd->n_ex >= bd->max_examples) return;
    bd->rows[bd->n_ex] = row;
    bd->values[bd->n_ex++] = v;
}

/* Appends an anomaly with the examples gathered so far (then cleared). */
static int emit(builder *bd, int kind, const char *column, int expected, int actual, uint64_t count,
                uint64_t total, double limit)
{
    mlops_anomalies *l = bd->l;
    size_t n_ex = bd->n_ex;
    bd->n_ex = 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        mlops_anomaly *p = realloc(l->items, cap * sizeof *p);
        if (!p) return mlops__err_nomem(bd->fn);
        l->items = p;
        l->cap = cap;
    }
    mlops_anomaly *a = &l->items[l->n];
    memset(a, 0, sizeof *a);
    a->version = 1;
    a->kind = kind;
    a->expected_kind = expected;
    a->actual_kind = actual;
    a->count = count;
    a->total = total;
    a->share = total ? (double)count / (double)total : 0.0;
    a->limit = limit;
    a->column = mlops__arena_strdup(&l->arena, column);
    uint64_t *rows = mlops__arena_alloc(&l->arena, (n_ex ? n_ex : 1) * sizeof *rows);
    const char **vals = mlops__arena_alloc(&l->arena, (n_ex ? n_ex : 1) * sizeof *vals);
    if (!a->column || !rows || !vals) return mlops__err_nomem(bd->fn);
    for (size_t i = 0; i < n_ex; i++) {
        rows[i] = bd->rows[i];
        vals[i] = mlops__arena_strdup(&l->arena, bd->values[i]);
        if (!vals[i]) return mlops__err_nomem(bd->fn);
    }
    a->n_examples = n_ex;
    a->example_rows = rows;
    a->example_values = vals;
    l->n++;
    return MLOPS_OK;
}

/* The first non-missing values of batch column i, as examples. */
static void first_values(builder *bd, const batch *b, size_t i)
{
    for (size_t r = 0; r < b->nrows && bd->n_ex < bd->max_examples; r++) {
        if (b->kinds[i] == MLOPS_PROFILE_NUMERIC) {
            if (!isnan(b->numbers[i][r])) example_number(bd, r, b->numbers[i][r]);
        } else if (b->strings[i][r]) {
            example_string(bd, r, b->strings[i][r]);
        }
    }
}

/* ---- the allowed categories as a hash set ----------------------------------------- */

/* One slot per allowed category (NULL key: empty), hash and length beside
 * the key so that a probe touches one cache line. */
typedef struct catslot {
    const char *key;
    uint64_t hash;
    size_t len;
} catslot;

typedef struct catset {
    size_t mask;
    catslot *slot;
} catset;

/* strlen (vectorised by the C library) then 8 bytes per step: a batch's
 * every string goes through here, so it is kept short; the quality needed
 * is only an even spread over a table at most half full. */
static inline uint64_t hash_str(const char *s, size_t *len)
{
    size_t n = strlen(s), i = 0;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    /* The tail byte by byte: a memcpy of a variable length is a call. */
    for (w = 0; i < n; i++) w = (w << 8) | (unsigned char)s[i];
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    *len = n;
    return h;
}

static int catset_build(const char *fn, catset *cs, const mlops__schema_col *c)
{
    size_t slots = 16;
    while (slots < 2 * c->n_categories) slots *= 2;
    cs->mask = slots - 1;
    cs->slot = calloc(slots, sizeof *cs->slot);
    if (!cs->slot) return mlops__err_nomem(fn);
    for (size_t i = 0; i < c->n_categories; i++) {
        size_t len;
        uint64_t h = hash_str(c->categories[i], &len);
        size_t j = (size_t)h & cs->mask;
        while (cs->slot[j].key) j = (j + 1) & cs->mask;
        cs->slot[j].key = c->categories[i];
        cs->slot[j].hash = h;
        cs->slot[j].len = len;
    }
    return MLOPS_OK;
}

static void catset_free(catset *cs)
{
    free(cs->slot);
}

static inline int catset_has(const catset *cs, const char *v)
{
    size_t len;
    uint64_t h = hash_str(v, &len);
    for (size_t j = (size_t)h & cs->mask; cs->slot[j].key; j = (j + 1) & cs->mask) {
        const catslot *e = &cs->slot[j];
        if (e->hash == h && e->len == len && memcmp(e->key, v, len) == 0) return 1;
    }
    return 0;
}

/* ---- checking one column ---------------------------------------------------------- */

/* Over the limit: a share strictly above the allowed one. */
static int over(uint64_t count, uint64_t total, double limit)
{
    return total > 0 && (double)count / (double)total > limit;
}

static int check_numeric(builder *bd, const mlops__schema_col *c, const double *x, size_t n)
{
    uint64_t missing = 0, outside = 0;
    int range = (c->checks & MLOPS_SCHEMA_CHECK_RANGE) != 0;
    double lo = range ? c->min : -INFINITY, hi = range ? c->max : INFINITY;
    for (size_t r = 0; r < n; r++) {
        double v = x[r];
        if (v >= lo && v <= hi) continue;
        if (isnan(v)) {
            missing++;
        } else {
            if (outside < bd->max_examples) example_number(bd, r, v);
            outside++;
        }
    }
    int rc = MLOPS_OK;
    uint64_t present = n - missing;
    if (range && over(outside, present, c->out_of_range_max))
        rc = emit(bd, MLOPS_ANOMALY_OUT_OF_RANGE, c->name, c->kind, c->kind, outside, present,
                  c->out_of_range_max);
    bd->n_ex = 0;
    if (!rc && (c->checks & MLOPS_SCHEMA_CHECK_MISSING) && over(missing, n, c->missing_max)) {
        for (size_t r = 0; r < n && bd->n_ex < bd->max_examples; r++)
            if (isnan(x[r])) example_number(bd, r, x[r]);
        rc = emit(bd, MLOPS_ANOMALY_MISSING_VALUES, c->name, c->kind, c->kind, missing, n, c->missing_max);
    }
    return rc;
}

static int check_categorical(builder *bd, const mlops__schema_col *c, const char *const *x, size_t n)
{
    uint64_t missing = 0, unseen = 0;
    int rc = MLOPS_OK;
    if (c->checks & MLOPS_SCHEMA_CHECK_CATEGORIES) {
        catset cs = { 0, NULL };
        if ((rc = catset_build(bd->fn, &cs, c))) {
            catset_free(&cs);
            return rc;
        }
        for (size_t r = 0; r < n; r++) {
            if (!x[r]) {
                missing++;
            } else if (!catset_has(&cs, x[r])) {
                if (unseen < bd->max_examples) example_string(bd, r, x[r]);
                unseen++;
            }
        }
        catset_free(&cs);
        uint64_t present = n - missing;
        if (over(unseen, present, c->unseen_max))
            rc = emit(bd, MLOPS_ANOMALY_UNSEEN_CATEGORY, c->name, c->kind, c->kind, unseen, present, c->unseen_max);
    } else {
        for (size_t r = 0; r < n; r++) missing += !x[r];
    }
    bd->n_ex = 0;
    if (!rc && (c->checks & MLOPS_SCHEMA_CHECK_MISSING) && over(missing, n, c->missing_max)) {
        for (size_t r = 0; r < n && bd->n_ex < bd->max_examples; r++)
            if (!x[r]) example_string(bd, r, "");
        rc = emit(bd, MLOPS_ANOMALY_MISSING_VALUES, c->name, c->kind, c->kind, missing, n, c->missing_max);
    }
    return rc;
}

static int check_column(builder *bd, const batch *b, const mlops__schema_col *c)
{
    long i = find_column(b, c->name);
    if (i < 0) {
        if (!(c->checks & MLOPS_SCHEMA_CHECK_PRESENCE)) return MLOPS_OK;
        return emit(bd, MLOPS_ANOMALY_MISSING_COLUMN, c->name, c->kind, 0, 0, b->nrows, 0.0);
    }
    b->matched[i] = 1;
    int kind = b->kinds[i];
    if (kind != c->kind) {
        first_values(bd, b, (size_t)i);
        return emit(bd, MLOPS_ANOMALY_KIND_CHANGE, c->name, c->kind, kind, 0, b->nrows, 0.0);
    }
    if (kind == MLOPS_PROFILE_NUMERIC) return check_numeric(bd, c, b->numbers[i], b->nrows);
    return check_categorical(bd, c, b->strings[i], b->nrows);
}

/* ---- the columns in parallel ------------------------------------------------------- */

typedef struct job {
    const char *fn;
    const mlops_schema *s;
    batch *b;
    mlops_anomalies **parts;
    uint32_t max_examples;
    pthread_mutex_t lock;
    size_t next; /* the next schema column to take, under lock */
    int rc;      /* the first failure (MLOPS_ENOMEM), under lock */
} job;

/* Takes columns until none is left; the caller's thread and the pool's
 * helpers run it alike. A failure's message is set again by the caller
 * (messages are per thread). */
static void worker(void *arg)
{
    job *jb = arg;
    builder *bd = malloc(sizeof *bd);
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        if (!bd && !jb->rc) jb->rc = MLOPS_ENOMEM;
        size_t i = jb->rc ? jb->s->n : jb->next++;
        pthread_mutex_unlock(&jb->lock);
        if (i >= jb->s->n) break;
        bd->fn = jb->fn;
        bd->l = jb->parts[i];
        bd->max_examples = jb->max_examples;
        bd->n_ex = 0;
        if (check_column(bd, jb->b, &jb->s->cols[i]) != MLOPS_OK) {
            pthread_mutex_lock(&jb->lock);
            jb->rc = MLOPS_ENOMEM;
            pthread_mutex_unlock(&jb->lock);
        }
    }
    free(bd);
}

/* Threads for a batch: one for small ones (starting helpers would cost
 * more than the work), else what the pool allows, at most one a column. */
static unsigned threads_for(size_t ncols, size_t nrows)
{
    if (ncols < 2 || ncols * nrows < ((size_t)1 << 20)) return 1;
    unsigned t = mlops__pool_threads(0);
    return ncols < t ? (unsigned)ncols : t;
}

/* Copies the parts' items into l, in column order. */
static int gather(const char *fn, mlops_anomalies *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nparts; i++) n += l->parts[i]->n;
    l->items = malloc((n ? n : 1) * sizeof *l->items);
    if (!l->items) return mlops__err_nomem(fn);
    l->cap = n ? n : 1;
    for (size_t i = 0; i < l->nparts; i++)
        for (size_t k = 0; k < l->parts[i]->n; k++) l->items[l->n++] = l->parts[i]->items[k];
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_validate(const mlops_schema *s, size_t ncols, const char *const *names,
                                    const int *kinds, const double *const *numbers,
                                    const char *const *const *strings, size_t nrows,
                                    const mlops_validate_opts *opts, mlops_anomalies **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    int rc;
    mlops_validate_opts o = MLOPS_VALIDATE_OPTS_INIT;
    if (opts) {
        if ((rc = mlops__opts_check(__func__, opts->version, MLOPS_VALIDATE_OPTS_VERSION,
                                    "mlops_validate_opts_init")))
            return rc;
        if (opts->max_examples > 100)
            return mlops__err(MLOPS_EINVAL, "%s: max_examples must be in 0..100", __func__);
        o = *opts;
    }
    batch b = { ncols, nrows, names, kinds, numbers, strings, NULL, NULL, o.max_examples };
    if ((rc = check_batch(__func__, &b))) return rc;
    b.by_name = malloc((ncols ? ncols : 1) * sizeof *b.by_name);
    b.matched = calloc(ncols ? ncols : 1, 1);
    mlops_anomalies *l = calloc(1, sizeof *l);
    builder *bd = malloc(sizeof *bd);
    if (!b.by_name || !b.matched || !l || !bd) {
        rc = mlops__err_nomem(__func__);
        goto out;
    }
    sort_names(&b);
    for (size_t i = 1; i < ncols; i++)
        if (strcmp(names[b.by_name[i - 1]], names[b.by_name[i]]) == 0) {
            rc = mlops__err(MLOPS_EINVAL, "%s: column '%s' is named twice in the batch", __func__,
                            names[b.by_name[i]]);
            goto out;
        }
    /* One part per schema column, and one for the unknown columns. */
    l->parts = calloc(s->n + 1, sizeof *l->parts);
    if (!l->parts) {
        rc = mlops__err_nomem(__func__);
        goto out;
    }
    for (; l->nparts <= s->n; l->nparts++)
        if (!(l->parts[l->nparts] = calloc(1, sizeof **l->parts))) {
            rc = mlops__err_nomem(__func__);
            goto out;
        }
    job jb = { __func__, s, &b, l->parts, o.max_examples, PTHREAD_MUTEX_INITIALIZER, 0, MLOPS_OK };
    mlops__pool_run(threads_for(s->n, nrows), worker, &jb);
    pthread_mutex_destroy(&jb.lock);
    if (jb.rc) {
        rc = mlops__err_nomem(__func__);
        goto out;
    }
    bd->fn = __func__;
    bd->l = l->parts[s->n];
    bd->max_examples = o.max_examples;
    bd->n_ex = 0;
    for (size_t i = 0; i < ncols && !rc; i++) {
        if (b.matched[i]) continue;
        first_values(bd, &b, i);
        rc = emit(bd, MLOPS_ANOMALY_UNKNOWN_COLUMN, names[i], 0, kinds[i], 0, nrows, 0.0);
    }
    if (!rc) rc = gather(__func__, l);
out:
    free(b.by_name);
    free(b.matched);
    free(bd);
    if (rc) {
        mlops_anomalies_free(l);
        return rc;
    }
    *out = l;
    return MLOPS_OK;
}
