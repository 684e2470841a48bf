/* The C side of the Python binding's overhead benchmark: logs metric
 * points through the public API exactly as benchmarks/python/bench_log.py
 * does through the binding, and prints one JSON line per workload with
 * the wall time of one repetition (the script runs both sides in turn and
 * compares medians).
 *
 *   arrays  N points: 10 keys x N/10 steps, one mlops_run_log_metrics call
 *           per 100 steps (1,000 points), as run.log_metric_arrays does
 *   dict    N points: one mlops_run_log_metrics call of the 10 keys per
 *           step, as run.log_metrics({...}, step=) does
 *   single  N mlops_run_log_metric calls, each committed on return
 *
 * usage: bench_log WORKDIR WORKLOAD N
 * Only the public API is used. */
#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench_util.h"

static const char *const keys10[] = { "loss",      "acc",   "lr",      "val_loss", "val_acc",
                                      "grad_norm", "epoch", "drift.x", "top5",     "f1" };

static void check(const char *what, int rc)
{
    if (rc) {
        fprintf(stderr, "bench_log: %s: %s\n", what, mlops_last_error());
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_log WORKDIR arrays|dict|single N\n");
        return 2;
    }
    const char *dir = argv[1], *workload = argv[2];
    long n = atol(argv[3]);
    mlops_store *s;
    int64_t exp;
    mlops_run *r;
    check("open", mlops_store_open(dir, NULL, &s));
    check("experiment", mlops_experiment_create(s, "bench", &exp));
    check("run", mlops_run_start(s, exp, "c", &r));
    const int64_t ts = 1700000000000;
    mlops_metric batch[1000];
    double t0 = now_s();
    if (strcmp(workload, "arrays") == 0) {
        for (long base = 0; base < n / 10; base += 100) {
            int k = 0;
            for (int key = 0; key < 10; key++)
                for (long st = base; st < base + 100; st++)
                    batch[k++] = (mlops_metric){ keys10[key], (double)st * 0.001 + key, st, ts };
            check("log_metrics", mlops_run_log_metrics(r, batch, 1000));
        }
    } else if (strcmp(workload, "dict") == 0) {
        for (long st = 0; st < n / 10; st++) {
            for (int key = 0; key < 10; key++)
                batch[key] = (mlops_metric){ keys10[key], (double)st * 0.001 + key, st, ts + st };
            check("log_metrics", mlops_run_log_metrics(r, batch, 10));
        }
    } else if (strcmp(workload, "single") == 0) {
        for (long st = 0; st < n; st++)
            check("log_metric", mlops_run_log_metric(r, "loss", 1.0 / (double)(st + 1), st, ts + st));
    } else {
        fprintf(stderr, "bench_log: unknown workload %s\n", workload);
        return 2;
    }
    double t = now_s() - t0;
    mlops_run_free(r);
    mlops_store_close(s);
    printf("{\"side\": \"c\", \"workload\": \"%s\", \"points\": %ld, \"seconds\": %.6f}\n", workload,
           n, t);
    return 0;
}
