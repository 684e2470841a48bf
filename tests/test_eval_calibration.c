/* Calibration (mlops_eval_calibration and the ECE, MCE and RMSCE metrics
 * of mlops_eval_scores): every line of tests/eval/calibration_golden.txt
 * (torchmetrics' CalibrationError and its bins, scikit-learn's
 * calibration_curve; written by tests/eval/gen_calibration_golden.py)
 * within 1e-12 relative, bin counts exact; and what goldens cannot show:
 * weights equal to repeats, zero weights, bootstrap of ECE. */
#include "eval_golden_file.h"

#include <mlops.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void load(void)
{
    load_golden_file("calibration_golden.txt", 20);
}

typedef struct fields {
    const char *yt, *s, *labels;
    size_t k, bins;
    int pos;
} fields;

/* Parses "KEY=VALUE ... ->" and returns the rest of the line. */
static char *parse(char *p, fields *f)
{
    memset(f, 0, sizeof *f);
    f->k = 1;
    f->pos = 1;
    char *tok;
    const char *v;
    while (next_field(&p, &tok, &v)) {
        if (!strcmp(tok, "yt")) f->yt = v;
        else if (!strcmp(tok, "s")) f->s = v;
        else if (!strcmp(tok, "labels")) f->labels = v;
        else if (!strcmp(tok, "k")) f->k = strtoul(v, NULL, 10);
        else if (!strcmp(tok, "bins")) f->bins = strtoul(v, NULL, 10);
        else if (!strcmp(tok, "pos")) f->pos = atoi(v);
        else ck_abort_msg("golden: unknown field %s", tok);
    }
    return p;
}

/* Runs the calibration a line describes. */
static mlops_calibration_bins *run(const fields *f, int binning, mlops_calibration_result *r)
{
    const named *y = find(f->yt), *s = find(f->s);
    mlops_calibration_opts o = MLOPS_CALIBRATION_OPTS_INIT;
    o.n_bins = f->bins;
    o.binning = binning;
    o.pos_label = f->pos;
    if (f->labels) {
        o.labels = find(f->labels)->i;
        o.n_labels = find(f->labels)->n;
    }
    mlops_calibration_bins *b = NULL;
    mlops_calibration_result_init(r, MLOPS_CALIBRATION_RESULT_VERSION);
    int rc = mlops_eval_calibration(y->i, s->d, y->n, f->k, NULL, &o, r, &b);
    ck_assert_msg(rc == MLOPS_OK, "%s", mlops_last_error());
    ck_assert_uint_eq(s->n, y->n * f->k);
    return b;
}

START_TEST(golden_torchmetrics)
{
    load();
    size_t seen = 0;
    char *line, *p;
    for (size_t i = 0; (line = line_of_kind(&i, "calib", &p)) != NULL; i++) {
        strtok_r(p, " ", &p); /* id */
        fields f;
        p = parse(p, &f);
        mlops_calibration_result r;
        mlops_calibration_bins *b = run(&f, MLOPS_CALIBRATION_TORCHMETRICS, &r);
        double ece = next_double(&p), mce = next_double(&p), rms = next_double(&p);
        ck_assert_msg(close12(r.ece, ece) && close12(r.mce, mce) && close12(r.rmsce, rms),
                      "%s: %.17g %.17g %.17g", glines[i], r.ece, r.mce, r.rmsce);
        ck_assert_int_eq(r.reason, MLOPS_EVAL_DEFINED);
        size_t nb = (size_t)next_double(&p);
        ck_assert_uint_eq(mlops_calibration_bins_count(b), nb);
        double total = 0;
        for (size_t j = 0; j < nb; j++) total += mlops_calibration_bins_at(b, j)->weight;
        for (size_t j = 0; j < nb; j++) {
            const mlops_calibration_bin *c = mlops_calibration_bins_at(b, j);
            double count = next_double(&p), share = next_double(&p), conf = next_double(&p), acc = next_double(&p);
            ck_assert_msg((double)c->count == count, "%s bin %zu: count %llu", glines[i], j,
                          (unsigned long long)c->count);
            ck_assert(close12(c->weight / total, share));
            if (c->count == 0) /* torchmetrics writes 0 for an empty bin */
                ck_assert(isnan(c->confidence) && isnan(c->accuracy) && conf == 0 && acc == 0);
            else
                ck_assert_msg(close12(c->confidence, conf) && close12(c->accuracy, acc),
                              "%s bin %zu", glines[i], j);
            ck_assert(c->lower <= c->upper && c->version == 1);
        }
        ck_assert_ptr_null(mlops_calibration_bins_at(b, nb));
        mlops_calibration_bins_free(b);
        /* The same values through mlops_eval_scores when the bins are 15. */
        if (f.bins == 15) {
            mlops_eval_opts o = MLOPS_EVAL_OPTS_INIT;
            o.pos_label = f.pos;
            if (f.labels) {
                o.labels = find(f.labels)->i;
                o.n_labels = find(f.labels)->n;
            }
            const int metrics[3] = { MLOPS_METRIC_ECE, MLOPS_METRIC_MCE, MLOPS_METRIC_RMSCE };
            const double want[3] = { ece, mce, rms };
            for (int m = 0; m < 3; m++) {
                mlops_eval_result er = MLOPS_EVAL_RESULT_INIT;
                const named *y = find(f.yt);
                ck_assert_int_eq(mlops_eval_scores(metrics[m], y->i, find(f.s)->d, y->n, f.k,
                                                   NULL, &o, &er), MLOPS_OK);
                ck_assert(close12(er.value, want[m]) && er.reason == 0 && er.n == y->n);
            }
        }
        free(line);
        seen++;
    }
    ck_assert_uint_gt(seen, 15);
}
END_TEST

START_TEST(golden_sklearn_curve)
{
    load();
    size_t seen = 0;
    char *line, *p;
    for (size_t i = 0; (line = line_of_kind(&i, "curve", &p)) != NULL; i++) {
        strtok_r(p, " ", &p);
        fields f;
        p = parse(p, &f);
        mlops_calibration_result r;
        mlops_calibration_bins *b = run(&f, MLOPS_CALIBRATION_SKLEARN, &r);
        ck_assert_uint_eq(mlops_calibration_bins_count(b), f.bins);
        size_t m = (size_t)next_double(&p);
        double *want = malloc(2 * m * sizeof *want);
        for (size_t j = 0; j < 2 * m; j++) want[j] = next_double(&p);
        size_t got = 0;
        for (size_t j = 0; j < f.bins; j++) {
            const mlops_calibration_bin *c = mlops_calibration_bins_at(b, j);
            if (c->count == 0) continue;
            ck_assert_uint_lt(got, m);
            ck_assert_msg(close12(c->accuracy, want[got]) && close12(c->confidence, want[m + got]),
                          "%s: bin %zu: %.17g %.17g", glines[i], j, c->accuracy, c->confidence);
            got++;
        }
        ck_assert_uint_eq(got, m);
        free(want);
        mlops_calibration_bins_free(b);
        free(line);
        seen++;
    }
    ck_assert_uint_gt(seen, 5);
}
END_TEST

/* Integer weights give the values of the samples repeated. */
START_TEST(weights_equal_repeats)
{
    const int y[5] = { 0, 1, 1, 0, 1 };
    const double s[5] = { 0.1, 0.8, 0.35, 0.6, 1.0 }, w[5] = { 2, 1, 3, 0, 1 };
    int yr[7];
    double sr[7];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++)
        for (int c = 0; c < (int)w[i]; c++) yr[n] = y[i], sr[n++] = s[i];
    for (int binning = 0; binning < 2; binning++) {
        mlops_calibration_opts o = MLOPS_CALIBRATION_OPTS_INIT;
        o.binning = binning;
        o.n_bins = 4;
        mlops_calibration_result a = MLOPS_CALIBRATION_RESULT_INIT, b = MLOPS_CALIBRATION_RESULT_INIT;
        ck_assert_int_eq(mlops_eval_calibration(y, s, 5, 1, w, &o, &a, NULL), MLOPS_OK);
        ck_assert_int_eq(mlops_eval_calibration(yr, sr, n, 1, NULL, &o, &b, NULL), MLOPS_OK);
        ck_assert(close12(a.ece, b.ece) && close12(a.mce, b.mce) && close12(a.rmsce, b.rmsce));
        ck_assert(a.ece > 0);
    }
    const double zero[5] = { 0 };
    mlops_calibration_result z = MLOPS_CALIBRATION_RESULT_INIT;
    ck_assert_int_eq(mlops_eval_calibration(y, s, 5, 1, zero, NULL, &z, NULL), MLOPS_OK);
    ck_assert(isnan(z.ece) && isnan(z.mce) && isnan(z.rmsce) && z.reason == MLOPS_EVAL_NO_WEIGHT);
}
END_TEST

/* The bootstrap resamples calibration errors like any metric on scores. */
START_TEST(bootstrap_ece)
{
    load();
    const named *y = find("b_yt"), *s = find("b_p");
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = y->n;
    d.labels_true = y->i;
    d.scores = s->d;
    mlops_bootstrap_opts bo = MLOPS_BOOTSTRAP_OPTS_INIT;
    bo.resamples = 50;
    mlops_bootstrap_result r = MLOPS_BOOTSTRAP_RESULT_INIT;
    ck_assert_int_eq(mlops_eval_bootstrap(MLOPS_METRIC_ECE, &d, NULL, &bo, &r), MLOPS_OK);
    /* Resampling inflates ECE (it is biased upward), so the value itself
     * may lie below the interval. */
    ck_assert(r.defined == 50 && r.low < r.high && r.low > 0);
    mlops_eval_result e = MLOPS_EVAL_RESULT_INIT;
    ck_assert_int_eq(mlops_eval_scores(MLOPS_METRIC_ECE, y->i, s->d, y->n, 1, NULL, NULL, &e), MLOPS_OK);
    ck_assert(r.value == e.value);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eval_calibration");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, golden_torchmetrics);
    tcase_add_test(tc, golden_sklearn_curve);
    tcase_add_test(tc, weights_equal_repeats);
    tcase_add_test(tc, bootstrap_ece);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
