/* Data validation of a large batch: ROWS rows x COLS columns (CAT of them
 * categorical, 50 categories each; the others numeric in [0, 1)) against a
 * schema with every check on every column, one value in a thousand out of
 * range or unseen and one in a hundred missing, so every anomaly path
 * runs. Every column has its own memory (no column served from cache by
 * the previous one). Prints the median time of the repeats. Not part of
 * the tests.
 *   usage: bench_validate [ROWS COLS CAT REPEATS]   (default 1000000 100 20 5) */
#include <mlops.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench_util.h"

static void must(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s\n", what, mlops_last_error());
        exit(1);
    }
}

/* xorshift64*: the same data on every run. */
static uint64_t state = 88172645463325252ull;
static uint64_t next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
    size_t cols = argc > 2 ? (size_t)atol(argv[2]) : 100;
    size_t ncat = argc > 3 ? (size_t)atol(argv[3]) : 20;
    int repeats = argc > 4 ? atoi(argv[4]) : 5;
    if (ncat > cols || repeats < 1 || repeats > 100 || rows == 0 || cols == 0) {
        fprintf(stderr, "usage: bench_validate [ROWS COLS CAT REPEATS]\n");
        return 2;
    }
    static char cats[51][16];
    const char *allowed[50];
    for (int k = 0; k < 51; k++) snprintf(cats[k], sizeof cats[k], "category-%02d", k);
    for (int k = 0; k < 50; k++) allowed[k] = cats[k];

    mlops_schema *s;
    must(mlops_schema_new(&s), "new");
    const char **names = malloc(cols * sizeof *names);
    int *kinds = malloc(cols * sizeof *kinds);
    const double **nums = calloc(cols, sizeof *nums);
    const char *const **strs = calloc(cols, sizeof *strs);
    char (*namebuf)[24] = malloc(cols * sizeof *namebuf);
    for (size_t c = 0; c < cols; c++) {
        snprintf(namebuf[c], sizeof namebuf[c], "col%03zu", c);
        names[c] = namebuf[c];
        mlops_schema_column col = MLOPS_SCHEMA_COLUMN_INIT;
        col.name = names[c];
        col.checks = MLOPS_SCHEMA_CHECK_ALL & ~(c < ncat ? MLOPS_SCHEMA_CHECK_RANGE : MLOPS_SCHEMA_CHECK_CATEGORIES);
        col.missing_max = 0.05;
        if (c < ncat) {
            kinds[c] = col.kind = MLOPS_PROFILE_CATEGORICAL;
            col.categories = allowed;
            col.n_categories = 50;
            const char **v = malloc(rows * sizeof *v);
            for (size_t r = 0; r < rows; r++) {
                uint64_t x = next();
                v[r] = x % 100 == 0 ? NULL : x % 1000 == 1 ? cats[50] : cats[(x >> 20) % 50];
            }
            strs[c] = v;
        } else {
            kinds[c] = col.kind = MLOPS_PROFILE_NUMERIC;
            col.min = 0.0;
            col.max = 1.0;
            double *v = malloc(rows * sizeof *v);
            for (size_t r = 0; r < rows; r++) {
                uint64_t x = next();
                v[r] = x % 100 == 0 ? NAN : x % 1000 == 1 ? 2.0 : (double)(x >> 11) * 0x1p-53;
            }
            nums[c] = v;
        }
        must(mlops_schema_column_set(s, &col), "column_set");
    }
    double *t = malloc((size_t)repeats * sizeof *t);
    size_t found = 0;
    for (int i = 0; i < repeats; i++) {
        mlops_anomalies *l;
        double t0 = now_s();
        must(mlops_schema_validate(s, cols, names, kinds, nums, strs, rows, NULL, &l), "validate");
        t[i] = now_s() - t0;
        found = mlops_anomalies_count(l);
        mlops_anomalies_free(l);
    }
    qsort(t, (size_t)repeats, sizeof *t, cmp_double);
    printf("validate %zu rows x %zu columns (%zu categorical): median %.3f s of %d (min %.3f, max %.3f), "
           "%zu anomalies\n",
           rows, cols, ncat, t[repeats / 2], repeats, t[0], t[repeats - 1], found);
    for (size_t c = 0; c < cols; c++) {
        free((void *)nums[c]);
        free((void *)strs[c]);
    }
    free(nums);
    free(strs);
    free(names);
    free(kinds);
    free(namebuf);
    free(t);
    mlops_schema_free(s);
    return 0;
}
