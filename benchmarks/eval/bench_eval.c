/* Evaluation metrics on large arrays: ROC AUC, average precision, log loss
 * and F1 macro on the arrays bench.py writes (so that scikit-learn runs on
 * the very same data). Prints one line per metric: the median time of the
 * repeats and the value. Not part of the tests.
 *   usage: bench_eval DIR REPEATS
 * DIR holds y.i32 (binary labels), s.f64 (scores in [0, 1]), yt.i32 and
 * yp.i32 (multiclass labels), raw little-endian arrays of the same length. */
#include "bench_util.h"

#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_eval DIR REPEATS\n");
        return 2;
    }
    int repeats = atoi(argv[2]);
    if (repeats < 1 || repeats > 100) repeats = 5;
    size_t n, n2, n3, n4;
    int *y = slurp(argv[1], "y.i32", sizeof(int), &n);
    double *s = slurp(argv[1], "s.f64", sizeof(double), &n2);
    int *yt = slurp(argv[1], "yt.i32", sizeof(int), &n3);
    int *yp = slurp(argv[1], "yp.i32", sizeof(int), &n4);
    if (n != n2 || n != n3 || n != n4) {
        fprintf(stderr, "arrays differ in length\n");
        return 2;
    }
    mlops_eval_opts macro = MLOPS_EVAL_OPTS_INIT;
    macro.average = MLOPS_AVERAGE_MACRO;
    struct {
        const char *name;
        int metric;
    } runs[] = {
        { "roc_auc", MLOPS_METRIC_ROC_AUC },
        { "average_precision", MLOPS_METRIC_AVERAGE_PRECISION },
        { "log_loss", MLOPS_METRIC_LOG_LOSS },
        { "f1_macro", MLOPS_METRIC_FBETA },
    };
    double *t = malloc((size_t)repeats * sizeof *t);
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        mlops_eval_result res = MLOPS_EVAL_RESULT_INIT;
        for (int i = 0; i < repeats; i++) {
            double t0 = now_s();
            int rc = runs[r].metric == MLOPS_METRIC_FBETA
                         ? mlops_eval_labels(runs[r].metric, yt, yp, n, NULL, &macro, &res)
                         : mlops_eval_scores(runs[r].metric, y, s, n, 1, NULL, NULL, &res);
            t[i] = now_s() - t0;
            if (rc) {
                fprintf(stderr, "%s: %s\n", runs[r].name, mlops_last_error());
                return 1;
            }
        }
        printf("%s %zu %.6f %.17g\n", runs[r].name, n, median(t, repeats), res.value);
    }
    free(t);
    free(y);
    free(s);
    free(yt);
    free(yp);
    return 0;
}
