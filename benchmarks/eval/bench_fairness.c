/* Metric frames by a sensitive feature on large arrays: accuracy, recall
 * and selection rate by 50 groups on the arrays bench_fairness.py writes
 * (so that fairlearn runs on the very same data). Prints one line per
 * metric: the median time of the repeats (building the frame and reading
 * its between-groups difference), the difference and the overall value.
 * Not part of the tests.
 *   usage: bench_fairness DIR REPEATS
 * DIR holds y.i32, p.i32 (binary labels) and g.i32 (group codes), raw
 * little-endian arrays of the same length. */
#include "bench_util.h"

#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_fairness DIR REPEATS\n");
        return 2;
    }
    int repeats = atoi(argv[2]);
    if (repeats < 1 || repeats > 100) repeats = 5;
    size_t n, n2, n3;
    int *y = slurp(argv[1], "y.i32", sizeof(int), &n), *p = slurp(argv[1], "p.i32", sizeof(int), &n2),
        *g = slurp(argv[1], "g.i32", sizeof(int), &n3);
    if (n != n2 || n != n3) {
        fprintf(stderr, "arrays differ in length\n");
        return 2;
    }
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = n;
    d.labels_true = y;
    d.labels_pred = p;
    static const struct {
        const char *name;
        int metric;
    } runs[] = {
        { "accuracy", MLOPS_METRIC_ACCURACY },
        { "recall", MLOPS_METRIC_RECALL },
        { "selection_rate", MLOPS_METRIC_SELECTION_RATE },
    };
    double *t = malloc((size_t)repeats * sizeof *t);
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        mlops_eval_result diff = MLOPS_EVAL_RESULT_INIT;
        double overall = 0;
        for (int i = 0; i < repeats; i++) {
            double t0 = now_s();
            mlops_fairness_frame *f = NULL;
            int rc = mlops_fairness_frame_build(runs[r].metric, &d, g, NULL, &f);
            if (!rc) rc = mlops_fairness_frame_difference(f, MLOPS_FAIRNESS_BETWEEN_GROUPS, &diff);
            t[i] = now_s() - t0;
            if (rc) {
                fprintf(stderr, "%s: %s\n", runs[r].name, mlops_last_error());
                return 1;
            }
            overall = mlops_fairness_frame_overall(f)->value;
            mlops_fairness_frame_free(f);
        }
        printf("%s %zu %.6f %.17g %.17g\n", runs[r].name, n, median(t, repeats), diff.value, overall);
    }
    free(t);
    free(y);
    free(p);
    free(g);
    return 0;
}
