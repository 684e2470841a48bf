/* Internal: the run comparison page (mlops_run_compare_html). Loading
 * (compare_load.c) reads the runs and turns each metric history into the
 * few points a chart draws; the page (compare_html.c) writes them out. */
#ifndef MLOPS_TRACK_COMPARE_INTERNAL_H
#define MLOPS_TRACK_COMPARE_INTERNAL_H

#include "mlops/store.h"
#include "mlops/track.h"

#include <stddef.h>
#include <stdint.h>

/* One run's history of one metric, ready to draw. */
typedef struct mlops__curve {
    int present;        /* the run has this metric */
    double *x, *y;      /* n points kept, finite, in x order: x is the
                           step, or seconds since the run's start */
    size_t n;
    uint64_t total;     /* points in the history */
    uint64_t finite;    /* of them with a finite value (the ones drawable) */
} mlops__curve;

typedef struct mlops__compare {
    size_t n_runs;
    mlops_run_info **runs;   /* snapshots, in the caller's order */
    char **labels;           /* what the page calls each run: its name, or
                                its id's first 8 digits; made distinct */
    char **experiments;      /* each run's experiment name */
    size_t n_metrics;
    const char **keys;       /* every metric key of any run, byte order
                                (borrowed from the snapshots) */
    mlops__curve *curves;    /* n_metrics x n_runs: curves[m * n_runs + r] */
    size_t n_params;
    const char **param_keys; /* every param key of any run, byte order */
    unsigned char *param_differs; /* per param key: 1 when the runs do not
                                     all have it with one value */
} mlops__compare;

/* strcmp for qsort over an array of const char *. */
int mlops__compare_key_cmp(const void *x, const void *y);

/* Reads runs run_ids[0..n) (checked by the caller: well formed and
 * distinct) in one read transaction, and every metric history of each,
 * keeping at most max_points (>= 3) per curve with LTTB. x_axis is
 * MLOPS_RUN_COMPARE_X_*. fn: the public function, for messages. On
 * failure *cmp is left empty. */
int mlops__compare_load(mlops_store *s, const char *fn, const char *const *run_ids, size_t n,
                        size_t max_points, int x_axis, mlops__compare *cmp);

/* Releases what mlops__compare_load filled; leaves *cmp zeroed. */
void mlops__compare_clear(mlops__compare *cmp);

#endif
