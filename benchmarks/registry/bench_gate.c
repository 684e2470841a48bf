/* Benchmark of promotion gates (doc/gates.md): a gate of 10 conditions
 * on a dataset (6 thresholds, 3 against the baseline, 1 fairness
 * measure), a candidate and a baseline each with an evaluation of 12
 * metrics, on a SQLite store.
 *
 *   evaluate   the gate decided for the candidate, as a promotion decides
 *              it: the gate read and parsed from reg_gates, every value
 *              looked up in the store (the latest evaluation of each
 *              version), each condition decided -- in one read
 *              transaction (goal: <= 1 ms).
 *   promote    mlops_model_promote of a candidate the gate refuses: the
 *              evaluation above plus the write transaction that records the
 *              decision event (durability "none": no fsync, so the figure
 *              is the library's work, not the disk's).
 *
 * Medians of the repeats, milliseconds of wall time. The evaluation uses
 * the library's internal gate functions (the static library), the same
 * ones mlops__alias_move calls.
 * usage: bench_gate [-r REPS] DIR      (DIR: an existing folder in which
 *                                       a new store is made) */
#include "registry/gate_store.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_PROG "bench_gate" /* in die()'s messages */
#include "../bench_util.h"

static const char *const CONDITIONS[10] = {
    "metrics.auc >= 0.8",
    "metrics.f1 >= 0.5",
    "metrics.precision >= 0.5",
    "metrics.recall >= 0.5",
    "metrics.log_loss <= 0.7",
    "metrics.brier <= 0.25",
    "metrics.auc >= baseline.metrics.auc - 0.005",
    "metrics.p95_latency_ms <= baseline.metrics.p95_latency_ms * 1.1",
    "metrics.ece <= baseline.metrics.ece + 0.01",
    "fair(demographic_parity_difference) <= 0.1",
};

static const char *const METRICS[12] = {
    "auc", "f1", "precision", "recall", "log_loss", "brier", "p95_latency_ms", "ece",
    "fair.demographic_parity_difference", "accuracy", "mae", "rows",
};

typedef struct eval_ctx {
    mlops_store *s;
    mlops_digest dataset;
    int passed, checks;
} eval_ctx;

/* What mlops__alias_move's evaluation does for one candidate. */
static int evaluate_tx(mlops__conn *c, void *arg)
{
    eval_ctx *x = arg;
    int64_t model_id = 0;
    mlops__reg_version cand, base;
    int rc = mlops__reg_model_id(c, "bench", "churn", &model_id);
    if (!rc) rc = mlops__reg_version_find(c, "bench", "churn", model_id, 2, 0, &cand);
    if (!rc) rc = mlops__reg_version_find(c, "bench", "churn", model_id, 1, 0, &base);
    mlops__gate_rules g;
    int found = 0;
    if (!rc) rc = mlops__gate_load(c, "bench", model_id, "champion", &g, &found);
    if (rc) return rc;
    mlops__gate_subject subj = { c, "bench", "churn", &cand, &base, &g.dataset };
    mlops__gate_lookup l;
    mlops__gate_lookup_init(&l, &subj);
    x->passed = 1;
    x->checks = 0;
    for (size_t k = 0; !rc && k < g.n; k++) {
        mlops__gate_verdict v;
        rc = mlops__gate_cond_eval(&g.conds[k], &l, &v);
        x->checks++;
        if (v.outcome == MLOPS__GATE_FAIL) x->passed = 0;
    }
    mlops__gate_rules_free(&g);
    return rc;
}

static void record(mlops_store *s, int64_t version, const mlops_digest *ds, double shift)
{
    double values[12];
    for (int i = 0; i < 12; i++) values[i] = 0.5 + 0.03 * i + shift;
    values[0] = 0.85 + shift;   /* auc */
    values[6] = 40.0;           /* p95 latency */
    values[7] = 0.02;           /* ece */
    values[8] = 0.05;           /* fairness */
    values[4] = values[5] = 0.2;
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 12;
    in.names = METRICS;
    in.values = values;
    CHECK(mlops_evaluation_record(s, "churn", version, ds, &in, NULL, NULL));
}

int main(int argc, char **argv)
{
    int reps = 301, opt;
    while ((opt = getopt(argc, argv, "r:")) != -1) {
        if (opt == 'r') reps = atoi(optarg);
        else {
            fprintf(stderr, "usage: bench_gate [-r REPS] DIR\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    if (optind != argc - 1) {
        fprintf(stderr, "usage: bench_gate [-r REPS] DIR\n");
        return 2;
    }
    const char *parent = argv[optind];
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/store-%ld", parent, (long)getpid());

    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    CHECK(mlops_store_open(dir, &o, &s));
    mlops_digest art, ds;
    CHECK(mlops_blob_put(s, "weights", 7, &art));
    CHECK(mlops_digest_compute("holdout", 7, &ds));
    CHECK(mlops_model_create(s, "churn"));
    for (int i = 0; i < 3; i++) {
        int64_t v;
        CHECK(mlops_model_version_create(s, "churn", &art, NULL, &v));
    }
    record(s, 1, &ds, 0.0);
    record(s, 2, &ds, 0.01);  /* passes */
    record(s, 3, &ds, -0.05); /* worse: refused */
    CHECK(mlops_model_alias_set(s, "churn", "champion", 1));
    CHECK(mlops_model_gate_set(s, "churn", "champion", CONDITIONS, 10, &ds, NULL));

    double *t = malloc((size_t)reps * sizeof *t);
    if (!t) die("malloc", 1);
    eval_ctx x = { s, ds, 0, 0 };
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        CHECK(mlops__store_read(s, evaluate_tx, &x));
        t[r] = (now_s() - t0) * 1e3;
    }
    if (!x.passed || x.checks != 10) die("the candidate should pass 10 conditions", 1);
    double eval_ms = median(t, reps);

    int preps = reps < 101 ? reps : 101;
    for (int r = 0; r < preps; r++) {
        double t0 = now_s();
        int rc = mlops_model_promote(s, "churn", 3, "champion", NULL, NULL, NULL);
        t[r] = (now_s() - t0) * 1e3;
        if (rc != MLOPS_EPOLICY) die("a refused promotion", rc);
    }
    double promote_ms = median(t, preps);
    printf("gate of 10 conditions on a dataset (SQLite, %d repeats):\n", reps);
    printf("  evaluate (read gate, look up 19 values, decide):  median %.3f ms (goal <= 1 ms)\n",
           eval_ms);
    printf("  promote, refused (evaluate + record the decision): median %.3f ms (%d repeats)\n",
           promote_ms, preps);
    free(t);
    mlops_store_close(s);
    return 0;
}
