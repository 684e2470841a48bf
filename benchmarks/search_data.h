/* The search data set of benchmarks/track and benchmarks/pg (their Python
 * twins mlflow_bench.py and mlflow_pg.py make the same one): run i has
 * params lr (one of 5 values) and p1..p9, tag team (vision-* or nlp-*),
 * and 20 metrics (acc, loss, m2..m19) with one point each; the query is a
 * three-clause filter ordered by a metric. Include after bench_util.h
 * (with BENCH_PROG defined: it uses CHECK). */
#ifndef MLOPS_BENCH_SEARCH_DATA_H
#define MLOPS_BENCH_SEARCH_DATA_H

#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_FILTER "metrics.acc > 0.5 AND params.lr = '0.01' AND tags.team LIKE 'vision%'"
#define SEARCH_ORDER "metrics.loss ASC"

static inline double search_metric_value(long run, int k)
{
    return (double)((run * 7919 + (long)k * 104729) % 1000) / 1000.0;
}

/* Run i of the data set, in experiment e of s, ended. */
static inline void search_data_run(mlops_store *s, int64_t e, long i)
{
    static const char *const lrs[] = { "0.001", "0.003", "0.01", "0.03", "0.1" };
    static const char *const pk[] = { "", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9" };
    mlops_run *r;
    CHECK(mlops_run_start(s, e, NULL, &r));
    char vals[10][32];
    mlops_kv params[10];
    params[0] = (mlops_kv){ "lr", lrs[i % 5] };
    for (int k = 1; k < 10; k++) {
        snprintf(vals[k], sizeof vals[k], "v%ld", (i * 31 + k) % 7);
        params[k] = (mlops_kv){ pk[k], vals[k] };
    }
    CHECK(mlops_run_log_params(r, params, 10));
    CHECK(mlops_run_tag_set(r, "team", i % 2 ? "nlp-core" : "vision-core"));
    mlops_metric m[20];
    char mk[20][8];
    for (int k = 0; k < 20; k++) {
        if (k == 0) strcpy(mk[k], "acc");
        else if (k == 1) strcpy(mk[k], "loss");
        else snprintf(mk[k], sizeof mk[k], "m%d", k);
        m[k] = (mlops_metric){ mk[k], search_metric_value(i, k), 0, 1700000000000 + i };
    }
    CHECK(mlops_run_log_metrics(r, m, 20));
    CHECK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    mlops_run_free(r);
}

/* Runs the query (filter NULL: SEARCH_FILTER) reps + 1 times (the first
 * warms the caches) and returns the median of the last reps, in ms; *got
 * receives the runs returned. */
static inline double search_data_median_ms(mlops_store *s, const char *filter, int reps,
                                           size_t *got)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.filter = filter ? filter : SEARCH_FILTER;
    o.order_by = SEARCH_ORDER;
    o.max_results = 100;
    double *t = calloc((size_t)reps, sizeof *t);
    if (!t) die("calloc", MLOPS_ENOMEM);
    for (int i = 0; i < reps + 1; i++) {
        mlops_run_infos *runs;
        char *token = NULL;
        double a = now_s();
        CHECK(mlops_run_search_ex(s, &o, &runs, &token));
        if (i) t[i - 1] = (now_s() - a) * 1000;
        *got = mlops_run_infos_count(runs);
        mlops_run_infos_free(runs);
        mlops_free(token);
    }
    double m = median(t, reps);
    free(t);
    return m;
}

#endif
