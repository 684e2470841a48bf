/* Typed columns from CSV tables (see dataset.h). */
#include "dataset.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int ds_parse_number(const char *cell, double *out)
{
    while (*cell == ' ' || *cell == '\t') cell++;
    if (!*cell) return 0;
    char *end;
    errno = 0;
    double v = strtod(cell, &end);
    if (end == cell) return 0;
    while (*end == ' ' || *end == '\t') end++;
    if (*end) return 0;
    *out = v; /* overflow reads as +-inf, underflow as 0 or a subnormal */
    return 1;
}

/* ---- Comma-separated name lists ------------------------------------------------ */

typedef struct name_list {
    char *buf;
    const char **names;
    size_t n;
} name_list;

static int split(const char *text, name_list *l)
{
    memset(l, 0, sizeof *l);
    if (!text) return 0;
    size_t len = strlen(text);
    l->buf = malloc(len + 1);
    l->names = malloc((len / 2 + 2) * sizeof *l->names);
    if (!l->buf || !l->names) return -1;
    memcpy(l->buf, text, len + 1);
    char *p = l->buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (*p) l->names[l->n++] = p;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static int listed(const name_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0) return 1;
    return 0;
}

static void free_list(name_list *l)
{
    free(l->buf);
    free(l->names);
}

/* ---- Category code book: an open-addressing hash of labels ----------------------- */

typedef struct codebook {
    const char **labels; /* by code */
    size_t n, cap;
    uint32_t *slots;     /* code + 1, 0 = empty */
    size_t nslots;
} codebook;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int codebook_grow(codebook *cb)
{
    size_t nslots = cb->nslots ? cb->nslots * 2 : 64;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return -1;
    for (size_t code = 0; code < cb->n; code++) {
        size_t i = (size_t)hash_str(cb->labels[code]) & (nslots - 1);
        while (slots[i]) i = (i + 1) & (nslots - 1);
        slots[i] = (uint32_t)code + 1;
    }
    free(cb->slots);
    cb->slots = slots;
    cb->nslots = nslots;
    return 0;
}

/* The code of label, or -1 when it has none yet. */
static long codebook_find(const codebook *cb, const char *label)
{
    if (!cb->nslots) return -1;
    size_t i = (size_t)hash_str(label) & (cb->nslots - 1);
    while (cb->slots[i]) {
        size_t code = cb->slots[i] - 1;
        if (strcmp(cb->labels[code], label) == 0) return (long)code;
        i = (i + 1) & (cb->nslots - 1);
    }
    return -1;
}

/* The code of label, adding it when new; -1 when out of memory. */
static long codebook_code(codebook *cb, const char *label)
{
    if ((cb->n + 1) * 2 > cb->nslots && codebook_grow(cb) != 0) return -1;
    size_t i = (size_t)hash_str(label) & (cb->nslots - 1);
    while (cb->slots[i]) {
        size_t code = cb->slots[i] - 1;
        if (strcmp(cb->labels[code], label) == 0) return (long)code;
        i = (i + 1) & (cb->nslots - 1);
    }
    if (cb->n == cb->cap) {
        size_t cap = cb->cap ? cb->cap * 2 : 16;
        const char **labels = realloc(cb->labels, cap * sizeof *labels);
        if (!labels) return -1;
        cb->labels = labels;
        cb->cap = cap;
    }
    cb->labels[cb->n] = label;
    cb->slots[i] = (uint32_t)cb->n + 1;
    return (long)cb->n++;
}

/* ---- Building ------------------------------------------------------------------- */

void ds_free(ds_column *cols, size_t ncols)
{
    if (!cols) return;
    for (size_t i = 0; i < ncols; i++) {
        free(cols[i].side[0]);
        free(cols[i].side[1]);
        free(cols[i].labels);
        for (size_t k = 0; k < cols[i].nspelled; k++) free(cols[i].spelled[k]);
        free(cols[i].spelled);
    }
    free(cols);
}

/* Blanks only: a missing number (a category " " stays a category). */
static int blank(const char *cell)
{
    return cell[strspn(cell, " \t")] == '\0';
}

/* Does every non-empty cell of column c read as a number? */
static int all_numeric(const csv_table *t, size_t c)
{
    double v;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cell = t->cells[r * t->ncols + c];
        if (cell && !blank(cell) && !ds_parse_number(cell, &v)) return 0;
    }
    return 1;
}

/* Evidently's column types (evidently 0.7, core/datasets.py
 * infer_column_type): an integer column (pandas int64: every cell an
 * integer literal) with at most INTEGER_CARDINALITY_LIMIT distinct values
 * in the current data is categorical, so 0/1 labels and ratings get the
 * categorical tests. */
#define INTEGER_CARDINALITY_LIMIT 10

/* An optional sign and decimal digits, blanks around: what pandas reads
 * as an integer. */
static int integer_literal(const char *cell)
{
    while (*cell == ' ' || *cell == '\t') cell++;
    if (*cell == '+' || *cell == '-') cell++;
    if (*cell < '0' || *cell > '9') return 0;
    while (*cell >= '0' && *cell <= '9') cell++;
    while (*cell == ' ' || *cell == '\t') cell++;
    return *cell == 0;
}

/* Every non-empty cell is an integer literal. Unlike pandas, a missing
 * cell does not make the column a float one: one empty cell would
 * otherwise switch a column of ratings from chi-square to KS. */
static int all_integer(const csv_table *t, size_t c)
{
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cell = t->cells[r * t->ncols + c];
        if (cell && !blank(cell) && !integer_literal(cell)) return 0;
    }
    return 1;
}

/* At most `limit` distinct values among the non-empty cells. */
static int few_values(const csv_table *t, size_t c, size_t limit)
{
    double seen[INTEGER_CARDINALITY_LIMIT];
    size_t k = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cell = t->cells[r * t->ncols + c];
        double v;
        if (!cell || blank(cell) || !ds_parse_number(cell, &v)) continue;
        size_t i = 0;
        while (i < k && seen[i] != v) i++;
        if (i < k) continue;
        if (k == limit) return 0;
        seen[k++] = v;
    }
    return 1;
}

/* The values of one side of a column, owned by the column. */
static double *alloc_side(ds_column *col, size_t side, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v) {
        col->side[side] = v;
        col->n[side] = n;
    }
    return v;
}

static int fill_numeric(ds_column *col, const ds_input *in, size_t side, size_t c, int forced,
                        char *err, size_t errlen)
{
    const csv_table *t = in->table;
    double *v = alloc_side(col, side, t->nrows);
    if (!v) return fail(err, errlen, "out of memory");
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cell = t->cells[r * t->ncols + c];
        if (!cell || blank(cell)) {
            v[r] = NAN;
        } else if (!ds_parse_number(cell, &v[r])) {
            return fail(err, errlen, "%s line %zu, column '%.60s': '%.40s' is not a number (the column is %s)",
                        in->name, t->lines[r], col->name, cell,
                        forced ? "numeric by --numeric or by its profile" : "numeric");
        }
    }
    return 0;
}

/* An integer literal as %lld writes it ("01", "+1" and " 1 " are "1"),
 * into buf; NULL when it is none or beyond int64. */
static const char *integer_spelling(const char *cell, char buf[24])
{
    if (!integer_literal(cell)) return NULL;
    errno = 0;
    char *end;
    long long x = strtoll(cell, &end, 10);
    if (errno == ERANGE) return NULL;
    snprintf(buf, 24, "%lld", x);
    return buf;
}

/* Keeps a copy of label for as long as col; NULL when out of memory. */
static const char *keep_spelling(ds_column *col, const char *label)
{
    char **l = realloc(col->spelled, (col->nspelled + 1) * sizeof *l);
    if (!l) return NULL;
    col->spelled = l;
    char *copy = strdup(label);
    if (copy) col->spelled[col->nspelled++] = copy;
    return copy;
}

/* by_value: the column is categorical for holding few integers, and
 * categories are integers by value, as pandas reads them (the reference
 * may write "01" where the current data writes "1"). */
static int fill_categorical(ds_column *col, codebook *cb, const ds_input *in, size_t side,
                            size_t c, int by_value, char *err, size_t errlen)
{
    const csv_table *t = in->table;
    double *v = alloc_side(col, side, t->nrows);
    if (!v) return fail(err, errlen, "out of memory");
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cell = t->cells[r * t->ncols + c];
        if (!cell) {
            v[r] = NAN;
            continue;
        }
        char buf[24];
        const char *key = by_value ? integer_spelling(cell, buf) : NULL;
        long code = codebook_find(cb, key ? key : cell);
        if (code < 0) {
            const char *label = key ? keep_spelling(col, key) : cell;
            code = label ? codebook_code(cb, label) : -1;
        }
        if (code < 0) return fail(err, errlen, "out of memory");
        v[r] = (double)code;
    }
    return 0;
}

int ds_build(const ds_spec *spec, const ds_input *inputs, size_t nsides, ds_column **out,
             size_t *ncols, char *err, size_t errlen)
{
    *out = NULL;
    *ncols = 0;
    name_list only, num, cat;
    int rc = -1;
    ds_column *cols = NULL;
    size_t n = 0;
    if (split(spec->columns, &only) || split(spec->numeric, &num) || split(spec->categorical, &cat)) {
        fail(err, errlen, "out of memory");
        goto done;
    }
    const csv_table *first = inputs[0].table;
    /* Which columns, by their index in the first input. */
    if (only.n) {
        for (size_t i = 0; i < only.n; i++) {
            for (size_t k = 0; k < i; k++)
                if (strcmp(only.names[i], only.names[k]) == 0) {
                    fail(err, errlen, "column '%.60s' is selected twice", only.names[i]);
                    goto done;
                }
            for (size_t s = 0; s < nsides; s++)
                if (csv_column(inputs[s].table, only.names[i]) < 0) {
                    fail(err, errlen, "no column '%.60s' in %s", only.names[i], inputs[s].name);
                    goto done;
                }
        }
    } else {
        for (size_t s = 1; s < nsides; s++) {
            for (size_t c = 0; c < first->ncols; c++)
                if (csv_column(inputs[s].table, first->header[c]) < 0) {
                    fail(err, errlen, "column '%.60s' is in %s but not in %s (select columns with --columns)",
                         first->header[c], inputs[0].name, inputs[s].name);
                    goto done;
                }
            for (size_t c = 0; c < inputs[s].table->ncols; c++)
                if (csv_column(first, inputs[s].table->header[c]) < 0) {
                    fail(err, errlen, "column '%.60s' is in %s but not in %s (select columns with --columns)",
                         inputs[s].table->header[c], inputs[s].name, inputs[0].name);
                    goto done;
                }
        }
    }
    size_t want = only.n ? only.n : first->ncols;
    for (size_t i = 0; i < num.n; i++) {
        if (listed(&cat, num.names[i])) {
            fail(err, errlen, "column '%.60s' cannot be both numeric and categorical", num.names[i]);
            goto done;
        }
        if (csv_column(first, num.names[i]) < 0 || (only.n && !listed(&only, num.names[i]))) {
            fail(err, errlen, "--numeric names '%.60s', which is not a selected column", num.names[i]);
            goto done;
        }
    }
    for (size_t i = 0; i < cat.n; i++)
        if (csv_column(first, cat.names[i]) < 0 || (only.n && !listed(&only, cat.names[i]))) {
            fail(err, errlen, "--categorical names '%.60s', which is not a selected column", cat.names[i]);
            goto done;
        }

    cols = calloc(want ? want : 1, sizeof *cols);
    if (!cols) {
        fail(err, errlen, "out of memory");
        goto done;
    }
    for (; n < want; n++) {
        ds_column *col = &cols[n];
        col->name = only.n ? only.names[n] : first->header[n];
        size_t idx[2] = { 0, 0 };
        for (size_t s = 0; s < nsides; s++) idx[s] = (size_t)csv_column(inputs[s].table, col->name);
        col->name = first->header[idx[0]]; /* lives as long as the table */
        int forced_num = listed(&num, col->name), forced_cat = listed(&cat, col->name);
        int numeric = forced_num, integer = 0;
        if (!forced_num && !forced_cat) {
            numeric = 1;
            for (size_t s = 0; s < nsides && numeric; s++) numeric = all_numeric(inputs[s].table, idx[s]);
            integer = numeric;
            for (size_t s = 0; s < nsides && integer; s++) integer = all_integer(inputs[s].table, idx[s]);
            /* the current data decides, as Evidently types the current dataset */
            if (integer && few_values(inputs[nsides - 1].table, idx[nsides - 1], INTEGER_CARDINALITY_LIMIT))
                numeric = 0;
        }
        col->kind = numeric ? DS_NUMERIC : DS_CATEGORICAL;
        if (numeric) {
            for (size_t s = 0; s < nsides; s++)
                if (fill_numeric(col, &inputs[s], s, idx[s], forced_num, err, errlen)) {
                    n++;
                    goto done;
                }
        } else {
            codebook cb = { 0 };
            for (size_t s = 0; s < nsides; s++)
                /* by value only between two inputs read here: a profile
                 * keeps its categories' text, which later CSVs are
                 * compared with as written */
                if (fill_categorical(col, &cb, &inputs[s], s, idx[s], integer && nsides > 1, err,
                                     errlen)) {
                    free(cb.labels);
                    free(cb.slots);
                    n++;
                    goto done;
                }
            free(cb.slots);
            col->labels = cb.labels;
            col->nlabels = cb.n;
        }
    }
    *out = cols;
    *ncols = n;
    cols = NULL;
    rc = 0;
done:
    if (cols) ds_free(cols, n);
    free_list(&only);
    free_list(&num);
    free_list(&cat);
    return rc;
}
