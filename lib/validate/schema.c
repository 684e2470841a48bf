/* Schemas: the object, its columns kept sorted by name, and editing. Every
 * way into a schema (editing, inference, both decoders) goes through
 * mlops__schema_set, so one function states what a valid column is. */
#include "validate/validate_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_schema_column_init(mlops_schema_column *c, unsigned version)
{
    static const mlops_schema_column defaults = MLOPS_SCHEMA_COLUMN_INIT;
    return mlops__opts_init(__func__, c, &defaults, sizeof *c, version, MLOPS_SCHEMA_COLUMN_VERSION);
}

MLOPS_API int mlops_schema_new(mlops_schema **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = calloc(1, sizeof **out);
    return *out ? MLOPS_OK : mlops__err_nomem(__func__);
}

static void col_clear(mlops__schema_col *c)
{
    free(c->name);
    for (size_t i = 0; i < c->n_categories; i++) free(c->categories[i]);
    free(c->categories);
    memset(c, 0, sizeof *c);
}

MLOPS_API void mlops_schema_free(mlops_schema *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) col_clear(&s->cols[i]);
    free(s->cols);
    free(s);
}

MLOPS_API size_t mlops_schema_column_count(const mlops_schema *s)
{
    return s ? s->n : 0;
}

int mlops__bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

/* Binary search: the index of name, or -(insertion point) - 1. */
static long search(const mlops_schema *s, const char *name, size_t n)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = s->cols[mid].name;
        int c = mlops__bytes_cmp(m, strlen(m), name, n);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

long mlops__schema_index(const mlops_schema *s, const char *name, size_t n)
{
    long i = search(s, name, n);
    return i < 0 ? -1 : i;
}

MLOPS_API int mlops_schema_column_find(const mlops_schema *s, const char *name, size_t *index)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!name) return mlops__err_null(__func__, "name");
    if (!index) return mlops__err_null(__func__, "index");
    long i = search(s, name, strlen(name));
    if (i < 0) return mlops__err(MLOPS_ENOTFOUND, "%s: no column '%.255s' in the schema", __func__, name);
    *index = (size_t)i;
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_column_get(const mlops_schema *s, size_t i, mlops_schema_column *c)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!c) return mlops__err_null(__func__, "c");
    int rc = mlops__opts_check(__func__, c->version, MLOPS_SCHEMA_COLUMN_VERSION, "mlops_schema_column_init");
    if (rc) return rc;
    if (i >= s->n)
        return mlops__err(MLOPS_EINVAL, "%s: column %zu is out of range (the schema has %zu)", __func__, i, s->n);
    const mlops__schema_col *k = &s->cols[i];
    c->name = k->name;
    c->kind = k->kind;
    c->checks = k->checks;
    c->min = k->min;
    c->max = k->max;
    c->out_of_range_max = k->out_of_range_max;
    c->categories = (const char *const *)k->categories;
    c->n_categories = k->n_categories;
    c->unseen_max = k->unseen_max;
    c->missing_max = k->missing_max;
    return MLOPS_OK;
}

static int share_ok(double v)
{
    return v >= 0.0 && v <= 1.0; /* false for NaN */
}

static int cmp_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return mlops__bytes_cmp(x, strlen(x), y, strlen(y));
}

/* Checks every field of c that its checks use. */
static int check_column(const char *fn, const mlops_schema_column *c)
{
    int rc = mlops__check_name(fn, "column name", c->name, MLOPS_SCHEMA_NAME_MAX);
    if (rc) return rc;
    if (c->kind != MLOPS_PROFILE_NUMERIC && c->kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__err(MLOPS_EINVAL, "%s: column '%s': kind %d is neither numeric nor categorical", fn,
                          c->name, c->kind);
    if (c->checks & ~MLOPS_SCHEMA_CHECK_ALL)
        return mlops__err(MLOPS_EINVAL, "%s: column '%s': unknown check bits 0x%x", fn, c->name,
                          c->checks & ~MLOPS_SCHEMA_CHECK_ALL);
    if (c->checks & MLOPS_SCHEMA_CHECK_RANGE) {
        if (c->kind != MLOPS_PROFILE_NUMERIC)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': a range check needs a numeric column", fn,
                              c->name);
        /* An end at the wrong infinity is no range (and JSON, which writes
         * infinite ends as null, could not give it back). */
        if (!(c->min <= c->max) || c->min == INFINITY || c->max == -INFINITY)
            return mlops__err(MLOPS_EINVAL,
                              "%s: column '%s': the range needs min <= max, neither NaN, min not +inf "
                              "and max not -inf", fn, c->name);
        if (!share_ok(c->out_of_range_max))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': out_of_range_max is not a share in [0, 1]",
                              fn, c->name);
    }
    if (c->checks & MLOPS_SCHEMA_CHECK_CATEGORIES) {
        if (c->kind != MLOPS_PROFILE_CATEGORICAL)
            return mlops__err(MLOPS_EINVAL,
                              "%s: column '%s': a category check needs a categorical column", fn, c->name);
        if (c->n_categories > MLOPS_SCHEMA_CATEGORIES_MAX)
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': more than %d categories", fn, c->name,
                              MLOPS_SCHEMA_CATEGORIES_MAX);
        if ((rc = mlops__check_array(fn, "categories", c->categories, c->n_categories, sizeof(char *))))
            return rc;
        for (size_t i = 0; i < c->n_categories; i++) {
            const char *v = c->categories[i];
            if (!v) return mlops__err(MLOPS_EINVAL, "%s: column '%s': category %zu is NULL", fn, c->name, i);
            size_t n = strlen(v);
            if (n > MLOPS_SCHEMA_CATEGORY_MAX || !mlops__utf8_valid(v, n))
                return mlops__err(MLOPS_EINVAL,
                                  "%s: column '%s': category %zu is not UTF-8 of at most %d bytes", fn,
                                  c->name, i, MLOPS_SCHEMA_CATEGORY_MAX);
        }
        if (!share_ok(c->unseen_max))
            return mlops__err(MLOPS_EINVAL, "%s: column '%s': unseen_max is not a share in [0, 1]", fn,
                              c->name);
    }
    if ((c->checks & MLOPS_SCHEMA_CHECK_MISSING) && !share_ok(c->missing_max))
        return mlops__err(MLOPS_EINVAL, "%s: column '%s': missing_max is not a share in [0, 1]", fn,
                          c->name);
    return MLOPS_OK;
}

/* A copy of c's fields into k (sorted, unique categories). */
static int copy_column(const char *fn, const mlops_schema_column *c, mlops__schema_col *k)
{
    memset(k, 0, sizeof *k);
    k->kind = c->kind;
    k->checks = c->checks;
    if (c->checks & MLOPS_SCHEMA_CHECK_RANGE) {
        k->min = c->min;
        k->max = c->max;
        k->out_of_range_max = c->out_of_range_max;
    }
    if (c->checks & MLOPS_SCHEMA_CHECK_MISSING) k->missing_max = c->missing_max;
    k->name = mlops__strdup(c->name);
    if (!k->name) return mlops__err_nomem(fn);
    if (!(c->checks & MLOPS_SCHEMA_CHECK_CATEGORIES)) return MLOPS_OK;
    k->unseen_max = c->unseen_max;
    size_t n = c->n_categories;
    k->categories = malloc((n ? n : 1) * sizeof *k->categories);
    if (!k->categories) goto nomem;
    for (size_t i = 0; i < n; i++) {
        k->categories[i] = mlops__strdup(c->categories[i]);
        if (!k->categories[i]) goto nomem;
        k->n_categories++;
    }
    qsort(k->categories, n, sizeof *k->categories, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && strcmp(k->categories[m - 1], k->categories[i]) == 0)
            free(k->categories[i]);
        else
            k->categories[m++] = k->categories[i];
    }
    k->n_categories = m;
    return MLOPS_OK;
nomem:
    col_clear(k);
    return mlops__err_nomem(fn);
}

int mlops__schema_set(const char *fn, mlops_schema *s, const mlops_schema_column *c)
{
    int rc = mlops__opts_check(fn, c->version, MLOPS_SCHEMA_COLUMN_VERSION, "mlops_schema_column_init");
    if (rc || (rc = check_column(fn, c))) return rc;
    long at = search(s, c->name, strlen(c->name));
    if (at < 0 && s->n >= MLOPS_SCHEMA_COLUMNS_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: a schema holds at most %d columns", fn, MLOPS_SCHEMA_COLUMNS_MAX);
    if (at < 0 && s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        mlops__schema_col *p = realloc(s->cols, cap * sizeof *p);
        if (!p) return mlops__err_nomem(fn);
        s->cols = p;
        s->cap = cap;
    }
    mlops__schema_col k;
    if ((rc = copy_column(fn, c, &k))) return rc;
    if (at >= 0) {
        col_clear(&s->cols[at]);
        s->cols[at] = k;
    } else {
        size_t i = (size_t)(-at - 1);
        memmove(&s->cols[i + 1], &s->cols[i], (s->n - i) * sizeof *s->cols);
        s->cols[i] = k;
        s->n++;
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_column_set(mlops_schema *s, const mlops_schema_column *c)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!c) return mlops__err_null(__func__, "c");
    return mlops__schema_set(__func__, s, c);
}

MLOPS_API int mlops_schema_column_delete(mlops_schema *s, const char *name)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!name) return mlops__err_null(__func__, "name");
    long i = search(s, name, strlen(name));
    if (i < 0) return mlops__err(MLOPS_ENOTFOUND, "%s: no column '%.255s' in the schema", __func__, name);
    col_clear(&s->cols[i]);
    memmove(&s->cols[i], &s->cols[i + 1], (s->n - (size_t)i - 1) * sizeof *s->cols);
    s->n--;
    return MLOPS_OK;
}
