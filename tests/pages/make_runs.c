/* Fills a store with runs to draw: `make_runs DIR RUNS POINTS` creates (or
 * opens) the store DIR, an experiment "pages", and RUNS finished runs,
 * each with params (one of which differs between runs), a metric "loss"
 * of POINTS points (a decaying curve with noise, one step per point,
 * 10 ms apart) and a metric "accuracy" of 20 points, written in batches
 * of 100,000 points per transaction. Prints the run ids, one per line.
 * Used by the pages' browser check (tests/pages/test_pages_render.py) and
 * the comparison benchmark (benchmarks/pages/). */
#include <mlops.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 100000

static void check(int rc, const char *what)
{
    if (rc == MLOPS_OK) return;
    fprintf(stderr, "make_runs: %s: %s\n", what, mlops_last_error());
    exit(1);
}

/* A small deterministic generator (xorshift64*): the same store every time. */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static double uniform(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 0x2545F4914F6CDD1Du) >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: make_runs DIR RUNS POINTS\n");
        return 2;
    }
    long runs = strtol(argv[2], NULL, 10), points = strtol(argv[3], NULL, 10);
    if (runs < 1 || points < 1) {
        fprintf(stderr, "make_runs: RUNS and POINTS must be at least 1\n");
        return 2;
    }
    mlops_store *s = NULL;
    check(mlops_store_open(argv[1], NULL, &s), "open");
    int64_t exp_id = 0;
    int rc = mlops_experiment_create(s, "pages", &exp_id);
    if (rc == MLOPS_EEXIST) {
        mlops_experiment *e = NULL;
        check(mlops_experiment_get_by_name(s, "pages", &e), "experiment");
        exp_id = mlops_experiment_id(e);
        mlops_experiment_free(e);
    } else {
        check(rc, "experiment");
    }
    mlops_metric *batch = malloc(BATCH * sizeof *batch);
    if (!batch) return 1;
    const int64_t t0 = 1796300000000; /* 2026-12-03, a fixed start */
    for (long r = 0; r < runs; r++) {
        char name[64], lr[32];
        snprintf(name, sizeof name, "run-%02ld", r + 1);
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.name = name;
        o.start_ms = t0 + r * 60000;
        mlops_run *run = NULL;
        check(mlops_run_start_ex(s, exp_id, &o, &run), "start");
        snprintf(lr, sizeof lr, "%g", 0.001 * (double)(r + 1));
        const mlops_kv params[] = { { "lr", lr }, { "optimizer", "adam" }, { "epochs", "10" } };
        check(mlops_run_log_params(run, params, 3), "params");
        double rate = 5.0 / (double)points * (1.0 + 0.15 * (double)r);
        for (long at = 0; at < points; at += BATCH) {
            size_t n = 0;
            for (long i = at; i < points && i < at + BATCH; i++) {
                double v = 0.1 + 2.0 * exp(-rate * (double)i) + 0.05 * (uniform() - 0.5);
                batch[n++] = (mlops_metric){ "loss", v, i, o.start_ms + i * 10 };
            }
            check(mlops_run_log_metrics(run, batch, n), "loss");
        }
        for (int i = 0; i < 20; i++)
            batch[i] = (mlops_metric){ "accuracy", 0.5 + 0.45 * (1.0 - exp(-0.2 * i)) - 0.01 * (double)r,
                                      (int64_t)i * (points / 20 + 1), o.start_ms + i * 1000 };
        check(mlops_run_log_metrics(run, batch, 20), "accuracy");
        check(mlops_run_end(run, MLOPS_RUN_FINISHED), "end");
        printf("%s\n", mlops_run_id(run));
        mlops_run_free(run);
    }
    free(batch);
    mlops_store_close(s);
    return 0;
}
