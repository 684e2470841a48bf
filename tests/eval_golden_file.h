/* The golden files of the evaluation suites (tests/eval/golden.txt,
 * golden_fairness.txt, calibration_golden.txt, written by the generators
 * beside them): their "data NAME i|d N v..." arrays by name, their other
 * lines as strings, and the 1e-12 comparison every golden check uses.
 * Each suite parses its own line kinds. One copy per test program
 * (static). */
#ifndef MLOPS_EVAL_GOLDEN_FILE_H
#define MLOPS_EVAL_GOLDEN_FILE_H

#include "testutil.h"

#include <mlops.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct named {
    char name[64];
    int is_int;
    size_t n;
    int *i;
    double *d;
} named;

static named arrays[256];
static size_t n_arrays;
static char **glines;
static size_t n_glines;

static inline const named *find(const char *name)
{
    for (size_t i = 0; i < n_arrays; i++)
        if (!strcmp(arrays[i].name, name)) return &arrays[i];
    ck_abort_msg("golden: no data named %s", name);
    return NULL;
}

/* Reads tests/eval/FILE once per program; a file with min_lines lines or
 * fewer (beside its data) fails, so that a truncated file cannot pass. */
static inline void load_golden_file(const char *file, size_t min_lines)
{
    if (glines) return;
    char name[256];
    snprintf(name, sizeof name, "eval/%s", file);
    FILE *f = tu_open_src(name);
    size_t cap = 0, lcap = 0;
    char *line = NULL;
    while (getline(&line, &lcap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "data ", 5)) {
            ck_assert_uint_lt(n_arrays, sizeof arrays / sizeof arrays[0]);
            named *a = &arrays[n_arrays++];
            char kind;
            int used = 0;
            ck_assert_int_eq(sscanf(line + 5, "%63s %c %zu%n", a->name, &kind, &a->n, &used), 3);
            a->is_int = kind == 'i';
            char *p = line + 5 + used, *end;
            if (a->is_int) a->i = malloc(a->n * sizeof *a->i);
            else a->d = malloc(a->n * sizeof *a->d);
            for (size_t j = 0; j < a->n; j++) {
                if (a->is_int) a->i[j] = (int)strtol(p, &end, 10);
                else a->d[j] = strtod(p, &end);
                ck_assert_msg(end != p, "golden: short data line %s", a->name);
                p = end;
            }
            continue;
        }
        if (line[0] == '#' || line[0] == '\0') continue;
        if (n_glines == cap) {
            cap = cap ? 2 * cap : 128;
            glines = realloc(glines, cap * sizeof *glines);
        }
        glines[n_glines++] = strdup(line);
    }
    free(line);
    fclose(f);
    ck_assert_uint_gt(n_glines, min_lines);
}

/* The first golden line of the given kind from *li on: *li is set to it,
 * and the result is a copy of it (free it) with *p past the kind word.
 * NULL after the last. The loop over a kind:
 *   for (size_t li = 0; (line = line_of_kind(&li, "case", &p)) != NULL; li++) */
static inline char *line_of_kind(size_t *li, const char *kind, char **p)
{
    size_t n = strlen(kind);
    for (; *li < n_glines; ++*li) {
        if (strncmp(glines[*li], kind, n) || glines[*li][n] != ' ') continue;
        char *line = strdup(glines[*li]);
        *p = line + n + 1;
        return line;
    }
    return NULL;
}

/* Within 1e-12 relative; NaN matches NaN, infinities match exactly. */
static inline int close12(double got, double want)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return got == want || fabs(got - want) <= 1e-12 * fmax(fabs(got), fabs(want));
}

/* The next number of a line; *p moves past it. */
static inline double next_double(char **p)
{
    char *end;
    double v = strtod(*p, &end);
    ck_assert_msg(end != *p, "golden: expected a number at '%s'", *p);
    *p = end;
    return v;
}

static inline long next_long(char **p)
{
    char *end;
    long v = strtol(*p, &end, 10);
    ck_assert_msg(end != *p, "golden: expected an integer at '%s'", *p);
    *p = end;
    return v;
}

/* The next KEY=VALUE of a case line, split at the '=' (the line is
 * changed in place): 1, or 0 at the "->" that ends the fields, *p then
 * pointing past it. A line without "->" fails. */
static inline int next_field(char **p, char **key, const char **value)
{
    char *tok = strtok_r(*p, " ", p);
    ck_assert_msg(tok != NULL, "golden: no -> in line");
    if (!strcmp(tok, "->")) return 0;
    char *eq = strchr(tok, '=');
    ck_assert_msg(eq != NULL, "golden: bad field %s", tok);
    *eq = '\0';
    *key = tok;
    *value = eq + 1;
    return 1;
}

/* The MLOPS_METRIC_ of a metric name in the golden lines. */
static inline int metric_of(const char *m)
{
    static const struct {
        const char *name;
        int id;
    } t[] = {
        { "mae", MLOPS_METRIC_MAE },          { "mse", MLOPS_METRIC_MSE },
        { "rmse", MLOPS_METRIC_RMSE },        { "mape", MLOPS_METRIC_MAPE },
        { "r2", MLOPS_METRIC_R2 },            { "ev", MLOPS_METRIC_EXPLAINED_VARIANCE },
        { "medae", MLOPS_METRIC_MEDIAN_AE },  { "maxerr", MLOPS_METRIC_MAX_ERROR },
        { "pinball", MLOPS_METRIC_PINBALL },  { "accuracy", MLOPS_METRIC_ACCURACY },
        { "balanced", MLOPS_METRIC_BALANCED_ACCURACY },
        { "precision", MLOPS_METRIC_PRECISION }, { "recall", MLOPS_METRIC_RECALL },
        { "fbeta", MLOPS_METRIC_FBETA },      { "selection_rate", MLOPS_METRIC_SELECTION_RATE },
        { "tpr", MLOPS_METRIC_TRUE_POSITIVE_RATE }, { "fpr", MLOPS_METRIC_FALSE_POSITIVE_RATE },
        { "roc_auc", MLOPS_METRIC_ROC_AUC },  { "ap", MLOPS_METRIC_AVERAGE_PRECISION },
        { "log_loss", MLOPS_METRIC_LOG_LOSS }, { "brier", MLOPS_METRIC_BRIER },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].name, m)) return t[i].id;
    ck_abort_msg("golden: metric %s", m);
    return 0;
}

#endif
