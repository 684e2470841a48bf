/* Evaluation metrics (include/mlops/eval.h): every line of the golden
 * vectors from scikit-learn (tests/eval/golden.txt, written by
 * tests/eval/gen_golden.py) within 1e-12 relative with the documented
 * reason, the bootstrap interval reproduced bit for bit from the
 * documented generator, and the properties goldens cannot show. */
#include "eval_golden_file.h"

#include <mlops.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- golden file ------------------------------------------------------------ */

static void load_golden(void)
{
    load_golden_file("golden.txt", 100);
}

/* The KEY=VALUE fields of a line, up to "->". */
typedef struct fields {
    const char *yt, *yp, *s, *w, *labels, *avg, *mc, *norm;
    size_t k;
    int pos, ff, adj;
    double beta, zd, alpha, max_fpr, confidence;
    uint32_t resamples;
    uint64_t seed;
} fields;

static char *parse_fields(char *p, fields *f)
{
    memset(f, 0, sizeof *f);
    f->k = 1;
    f->pos = 1;
    f->ff = 1;
    f->beta = 1.0;
    f->alpha = 0.5;
    f->max_fpr = 1.0;
    f->avg = "binary";
    f->mc = "ovr";
    f->norm = "none";
    char *tok;
    const char *v;
    while (next_field(&p, &tok, &v)) {
        if (!strcmp(tok, "yt")) f->yt = v;
        else if (!strcmp(tok, "yp")) f->yp = v;
        else if (!strcmp(tok, "s")) f->s = v;
        else if (!strcmp(tok, "w")) f->w = v;
        else if (!strcmp(tok, "labels")) f->labels = v;
        else if (!strcmp(tok, "avg")) f->avg = v;
        else if (!strcmp(tok, "mc")) f->mc = v;
        else if (!strcmp(tok, "norm")) f->norm = v;
        else if (!strcmp(tok, "k")) f->k = strtoul(v, NULL, 10);
        else if (!strcmp(tok, "pos")) f->pos = atoi(v);
        else if (!strcmp(tok, "ff")) f->ff = atoi(v);
        else if (!strcmp(tok, "adj")) f->adj = atoi(v);
        else if (!strcmp(tok, "beta")) f->beta = strtod(v, NULL);
        else if (!strcmp(tok, "zd")) f->zd = strtod(v, NULL);
        else if (!strcmp(tok, "alpha")) f->alpha = strtod(v, NULL);
        else if (!strcmp(tok, "max_fpr")) f->max_fpr = strtod(v, NULL);
        else if (!strcmp(tok, "confidence")) f->confidence = strtod(v, NULL);
        else if (!strcmp(tok, "resamples")) f->resamples = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(tok, "seed")) f->seed = strtoull(v, NULL, 10);
        else ck_abort_msg("golden: unknown field %s", tok);
    }
    return p;
}

static int avg_of(const char *s)
{
    if (!strcmp(s, "binary")) return MLOPS_AVERAGE_BINARY;
    if (!strcmp(s, "micro")) return MLOPS_AVERAGE_MICRO;
    if (!strcmp(s, "macro")) return MLOPS_AVERAGE_MACRO;
    if (!strcmp(s, "weighted")) return MLOPS_AVERAGE_WEIGHTED;
    ck_abort_msg("golden: average %s", s);
    return -1;
}

static int norm_of(const char *s)
{
    if (!strcmp(s, "true")) return MLOPS_NORMALIZE_TRUE;
    if (!strcmp(s, "pred")) return MLOPS_NORMALIZE_PRED;
    if (!strcmp(s, "all")) return MLOPS_NORMALIZE_ALL;
    return MLOPS_NORMALIZE_NONE;
}

static void opts_of(const fields *f, mlops_eval_opts *o)
{
    TU_OK(mlops_eval_opts_init(o, MLOPS_EVAL_OPTS_VERSION));
    o->average = avg_of(f->avg);
    o->pos_label = f->pos;
    o->beta = f->beta;
    o->zero_division = f->zd;
    if (f->labels) {
        const named *l = find(f->labels);
        o->labels = l->i;
        o->n_labels = l->n;
    }
    o->multi_class = !strcmp(f->mc, "ovo") ? MLOPS_MULTI_CLASS_OVO : MLOPS_MULTI_CLASS_OVR;
    o->max_fpr = f->max_fpr;
    o->force_finite = f->ff;
    o->alpha = f->alpha;
    o->adjusted = f->adj;
    o->normalize = norm_of(f->norm);
}

static void data_of(const fields *f, int family, mlops_eval_data *d)
{
    TU_OK(mlops_eval_data_init(d, MLOPS_EVAL_DATA_VERSION));
    const named *yt = find(f->yt);
    d->n = yt->n;
    if (family == 1) {
        d->values_true = yt->d;
        d->values_pred = find(f->yp)->d;
    } else {
        d->labels_true = yt->i;
        if (f->yp) d->labels_pred = find(f->yp)->i;
        if (f->s) d->scores = find(f->s)->d;
        d->k = f->k;
    }
    d->weights = f->w ? find(f->w)->d : NULL;
}

/* The fields of a line (past its id) as the options and data of a call;
 * returns what follows "->". */
static char *case_of(char *p, int family, fields *f, mlops_eval_opts *o, mlops_eval_data *d)
{
    char *rest = parse_fields(p, f);
    opts_of(f, o);
    data_of(f, family, d);
    return rest;
}

static int family_of(const char *s)
{
    return !strcmp(s, "reg") ? 1 : !strcmp(s, "lab") ? 2 : 3;
}

static int run_metric(int family, int metric, const mlops_eval_data *d, const mlops_eval_opts *o,
                      mlops_eval_result *r)
{
    if (family == 1)
        return mlops_eval_regression(metric, d->values_true, d->values_pred, d->n, d->weights, o, r);
    if (family == 2)
        return mlops_eval_labels(metric, d->labels_true, d->labels_pred, d->n, d->weights, o, r);
    return mlops_eval_scores(metric, d->labels_true, d->scores, d->n, d->k, d->weights, o, r);
}

static size_t count_kind(const char *kind)
{
    size_t c = 0;
    for (size_t i = 0; i < n_glines; i++) c += !strncmp(glines[i], kind, strlen(kind));
    return c;
}

START_TEST(golden_meta)
{
    load_golden();
    ck_assert_msg(!strncmp(glines[0], "meta sklearn ", 13), "first line: %s", glines[0]);
    printf("# golden: %s\n", glines[0]);
}
END_TEST

START_TEST(golden_cases)
{
    load_golden();
    size_t checked = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "case", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p), *fam = strtok_r(p, " ", &p), *m = strtok_r(p, " ", &p);
        int family = family_of(fam), metric = metric_of(m);
        fields f;
        mlops_eval_opts o;
        mlops_eval_data d;
        char *rest = case_of(p, family, &f, &o, &d);
        double want = strtod(rest, &rest);
        int reason = (int)strtol(rest, NULL, 10);
        mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
        int rc = run_metric(family, metric, &d, &o, &r);
        ck_assert_msg(rc == MLOPS_OK, "case %s (%s %s): rc %d (%s)", id, fam, m, rc,
                      mlops_last_error());
        ck_assert_msg(close12(r.value, want), "case %s (%s %s): %.17g, scikit-learn %.17g", id, fam,
                      m, r.value, want);
        ck_assert_msg(r.reason == reason, "case %s (%s %s): reason %d (%s), expected %d", id, fam,
                      m, r.reason, mlops_eval_reason_name(r.reason), reason);
        ck_assert_uint_eq(r.n, d.n);
        checked++;
        free(line);
    }
    ck_assert_uint_eq(checked, count_kind("case "));
    printf("# figure: %zu metric cases equal scikit-learn within 1e-12 relative\n", checked);
}
END_TEST

START_TEST(golden_per_class)
{
    load_golden();
    size_t checked = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "perclass", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p);
        fields f;
        mlops_eval_opts o;
        mlops_eval_data d;
        char *rest = case_of(p, 2, &f, &o, &d);
        size_t k = strtoul(rest, &rest, 10);
        mlops_eval_classes *l = NULL;
        TU_OK(mlops_eval_per_class(d.labels_true, d.labels_pred, d.n, d.weights, &o, &l));
        ck_assert_uint_eq(mlops_eval_classes_count(l), k);
        for (size_t c = 0; c < k; c++) {
            const mlops_eval_class *e = mlops_eval_classes_at(l, c);
            int label = (int)strtol(rest, &rest, 10);
            double v[4];
            for (int j = 0; j < 4; j++) v[j] = strtod(rest, &rest);
            int rs[3];
            for (int j = 0; j < 3; j++) rs[j] = (int)strtol(rest, &rest, 10);
            ck_assert_int_eq(e->label, label);
            ck_assert_msg(close12(e->precision, v[0]) && close12(e->recall, v[1]) &&
                              close12(e->fbeta, v[2]) && close12(e->support, v[3]),
                          "perclass %s class %d: %g %g %g %g, scikit-learn %g %g %g %g", id, label,
                          e->precision, e->recall, e->fbeta, e->support, v[0], v[1], v[2], v[3]);
            ck_assert_msg(e->precision_reason == rs[0] && e->recall_reason == rs[1] &&
                              e->fbeta_reason == rs[2],
                          "perclass %s class %d: reasons", id, label);
        }
        ck_assert_ptr_null(mlops_eval_classes_at(l, k));
        mlops_eval_classes_free(l);
        checked++;
        free(line);
    }
    ck_assert_uint_gt(checked, 0);
}
END_TEST

START_TEST(golden_confusion)
{
    load_golden();
    size_t checked = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "confusion", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p);
        fields f;
        mlops_eval_opts o;
        mlops_eval_data d;
        char *rest = case_of(p, 2, &f, &o, &d);
        size_t k = strtoul(rest, &rest, 10);
        int *labels = NULL;
        double *cm = NULL;
        size_t kk = 0;
        TU_OK(mlops_eval_confusion(d.labels_true, d.labels_pred, d.n, d.weights, &o, &labels, &cm,
                                   &kk));
        ck_assert_uint_eq(kk, k);
        for (size_t c = 0; c < k; c++) ck_assert_int_eq(labels[c], (int)strtol(rest, &rest, 10));
        for (size_t c = 0; c < k * k; c++) {
            double want = strtod(rest, &rest);
            ck_assert_msg(close12(cm[c], want), "confusion %s cell %zu: %.17g, scikit-learn %.17g",
                          id, c, cm[c], want);
        }
        mlops_free(labels);
        mlops_free(cm);
        checked++;
        free(line);
    }
    ck_assert_uint_gt(checked, 0);
}
END_TEST

START_TEST(golden_bootstrap)
{
    load_golden();
    size_t checked = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "bootstrap", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p), *fam = strtok_r(p, " ", &p), *m = strtok_r(p, " ", &p);
        fields f;
        mlops_eval_opts o;
        mlops_eval_data d;
        char *rest = case_of(p, family_of(fam), &f, &o, &d);
        double v = strtod(rest, &rest), lo = strtod(rest, &rest), hi = strtod(rest, &rest);
        unsigned defined = (unsigned)strtoul(rest, NULL, 10);
        mlops_bootstrap_opts bo;
        TU_OK(mlops_bootstrap_opts_init(&bo, MLOPS_BOOTSTRAP_OPTS_VERSION));
        bo.resamples = f.resamples;
        bo.confidence = f.confidence;
        bo.seed = f.seed;
        mlops_bootstrap_result r = MLOPS_BOOTSTRAP_RESULT_INIT;
        TU_OK(mlops_eval_bootstrap(metric_of(m), &d, &o, &bo, &r));
        ck_assert_msg(close12(r.value, v) && close12(r.low, lo) && close12(r.high, hi),
                      "bootstrap %s: %.17g [%.17g, %.17g], expected %.17g [%.17g, %.17g]", id,
                      r.value, r.low, r.high, v, lo, hi);
        ck_assert_uint_eq(r.defined, defined);
        ck_assert_uint_eq(r.resamples, f.resamples);
        ck_assert(r.low <= r.high);
        checked++;
        free(line);
    }
    ck_assert_uint_gt(checked, 0);
}
END_TEST

/* ---- properties ------------------------------------------------------------ */

/* The same AUC whatever the order of the samples, and 1 - AUC when the
 * scores are negated (ties stay ties). */
START_TEST(auc_order_and_symmetry)
{
    enum { N = 5000 };
    static int y[N];
    static double s[N], neg[N], rs[N];
    static int ry[N];
    uint64_t x = 42;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        y[i] = (int)((x >> 33) & 1);
        s[i] = (double)((x >> 40) % 50) / 50.0 + 0.2 * y[i];
        neg[i] = -s[i];
        ry[N - 1 - i] = y[i];
        rs[N - 1 - i] = s[i];
    }
    mlops_eval_result a = MLOPS_EVAL_RESULT_INIT, b = MLOPS_EVAL_RESULT_INIT,
                      c = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_scores(MLOPS_METRIC_ROC_AUC, y, s, N, 1, NULL, NULL, &a));
    TU_OK(mlops_eval_scores(MLOPS_METRIC_ROC_AUC, ry, rs, N, 1, NULL, NULL, &b));
    TU_OK(mlops_eval_scores(MLOPS_METRIC_ROC_AUC, y, neg, N, 1, NULL, NULL, &c));
    ck_assert(a.value > 0.6 && a.value < 1.0);
    ck_assert(a.value == b.value);
    ck_assert(fabs(1.0 - a.value - c.value) < 1e-14);
}
END_TEST

START_TEST(bootstrap_is_deterministic)
{
    double t[40], p[40];
    for (int i = 0; i < 40; i++) {
        t[i] = i;
        p[i] = i + (double)((i * 7919) % 13) / 3.0 - 2.0;
    }
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = 40;
    d.values_true = t;
    d.values_pred = p;
    mlops_bootstrap_opts bo = MLOPS_BOOTSTRAP_OPTS_INIT;
    mlops_bootstrap_result a = MLOPS_BOOTSTRAP_RESULT_INIT, b = MLOPS_BOOTSTRAP_RESULT_INIT,
                           c = MLOPS_BOOTSTRAP_RESULT_INIT;
    bo.seed = 3;
    TU_OK(mlops_eval_bootstrap(MLOPS_METRIC_MAE, &d, NULL, &bo, &a));
    TU_OK(mlops_eval_bootstrap(MLOPS_METRIC_MAE, &d, NULL, &bo, &b));
    bo.seed = 4;
    TU_OK(mlops_eval_bootstrap(MLOPS_METRIC_MAE, &d, NULL, &bo, &c));
    ck_assert(a.low == b.low && a.high == b.high);
    ck_assert(a.low != c.low || a.high != c.high);
    ck_assert(a.low <= a.value && a.value <= a.high);
    ck_assert_uint_eq(a.defined, 1000);
    /* one class in every resample: no finite value, NaN interval */
    const int one[4] = { 1, 1, 1, 1 };
    const double sc[4] = { 0.1, 0.2, 0.3, 0.4 };
    mlops_eval_data e = MLOPS_EVAL_DATA_INIT;
    e.n = 4;
    e.labels_true = one;
    e.scores = sc;
    bo.resamples = 50;
    TU_OK(mlops_eval_bootstrap(MLOPS_METRIC_ROC_AUC, &e, NULL, &bo, &a));
    ck_assert(isnan(a.value) && a.reason == MLOPS_EVAL_ONE_CLASS);
    ck_assert(isnan(a.low) && isnan(a.high) && a.defined == 0 && a.resamples == 50);
}
END_TEST

START_TEST(reasons_have_names)
{
    for (int r = 0; r <= MLOPS_EVAL_NO_WEIGHT; r++)
        ck_assert_str_ne(mlops_eval_reason_name(r), "unknown reason");
    ck_assert_str_eq(mlops_eval_reason_name(99), "unknown reason");
}
END_TEST

/* Labels far apart (no dense table) give the same counts as close ones. */
START_TEST(wide_labels)
{
    const int t[6] = { -2000000000, 5, 2000000000, 5, -2000000000, 2000000000 };
    const int p[6] = { -2000000000, 5, 5, 5, 2000000000, 2000000000 };
    const int tc[6] = { 0, 1, 2, 1, 0, 2 }, pc[6] = { 0, 1, 1, 1, 2, 2 };
    mlops_eval_opts o = MLOPS_EVAL_OPTS_INIT;
    o.average = MLOPS_AVERAGE_MACRO;
    mlops_eval_result a = MLOPS_EVAL_RESULT_INIT, b = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_labels(MLOPS_METRIC_FBETA, t, p, 6, NULL, &o, &a));
    TU_OK(mlops_eval_labels(MLOPS_METRIC_FBETA, tc, pc, 6, NULL, &o, &b));
    ck_assert(a.value == b.value);
}
END_TEST

/* Integer weights equal repeated samples: the weighted path (scores sorted
 * with their weights) against the unweighted one, on enough samples for
 * every radix pass, for ROC AUC (whole and partial) and average precision. */
START_TEST(weights_equal_repeats)
{
    enum { N = 20000 };
    static int y[N], ry[3 * N];
    static double s[N], w[N], rs[3 * N];
    size_t m = 0;
    uint64_t x = 7;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        y[i] = (int)((x >> 20) & 1);
        s[i] = (double)((x >> 33) % 100000) / 1e5 - 0.3 + 0.25 * y[i]; /* negatives too */
        w[i] = (double)((x >> 50) % 3);                                  /* 0, 1 or 2 */
        for (int r = 0; r < (int)w[i]; r++) {
            ry[m] = y[i];
            rs[m++] = s[i];
        }
    }
    int metrics[2] = { MLOPS_METRIC_ROC_AUC, MLOPS_METRIC_AVERAGE_PRECISION };
    double fprs[3] = { 1.0, 0.3, 0.05 };
    for (int a = 0; a < 2; a++)
        for (int f = 0; f < (a ? 1 : 3); f++) {
            mlops_eval_opts o = MLOPS_EVAL_OPTS_INIT;
            o.max_fpr = fprs[f];
            mlops_eval_result r1 = MLOPS_EVAL_RESULT_INIT, r2 = MLOPS_EVAL_RESULT_INIT;
            TU_OK(mlops_eval_scores(metrics[a], y, s, N, 1, w, &o, &r1));
            TU_OK(mlops_eval_scores(metrics[a], ry, rs, m, 1, NULL, &o, &r2));
            ck_assert_msg(close12(r1.value, r2.value), "metric %d max_fpr %g: %.17g vs %.17g",
                          metrics[a], fprs[f], r1.value, r2.value);
        }
}
END_TEST

/* Weights that sum to 0: NaN with its reason, never 0. */
START_TEST(zero_weights_are_undefined)
{
    const int y[4] = { 0, 1, 0, 1 };
    const double s[4] = { 0.1, 0.9, 0.4, 0.6 }, z[4] = { 0, 0, 0, 0 };
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_scores(MLOPS_METRIC_ROC_AUC, y, s, 4, 1, z, NULL, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT);
    TU_OK(mlops_eval_scores(MLOPS_METRIC_LOG_LOSS, y, s, 4, 1, z, NULL, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT);
    TU_OK(mlops_eval_labels(MLOPS_METRIC_ACCURACY, y, y, 4, z, NULL, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT);
    TU_OK(mlops_eval_regression(MLOPS_METRIC_MAE, s, s, 4, z, NULL, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT);
    TU_OK(mlops_eval_regression(MLOPS_METRIC_R2, s, s, 4, z, NULL, &r));
    ck_assert(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT);
}
END_TEST

/* The median absolute error with weights that sum to 0 is undefined as
 * every other weighted mean is: NaN with MLOPS_EVAL_NO_WEIGHT, not the
 * largest error (where scikit-learn's weighted percentile lands). */
START_TEST(median_ae_zero_weights_are_undefined)
{
    const double t[4] = { 1, 2, 3, 4 }, p[4] = { 1.5, 2, 2, 6 }, z[4] = { 0, 0, 0, 0 };
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_regression(MLOPS_METRIC_MEDIAN_AE, t, p, 4, z, NULL, &r));
    ck_assert_msg(isnan(r.value) && r.reason == MLOPS_EVAL_NO_WEIGHT, "got %g (reason %d)", r.value,
                  r.reason);
    /* one sample of positive weight: its own error */
    const double w1[4] = { 0, 0, 0, 2 };
    TU_OK(mlops_eval_regression(MLOPS_METRIC_MEDIAN_AE, t, p, 4, w1, NULL, &r));
    ck_assert(r.value == 2.0 && r.reason == MLOPS_EVAL_DEFINED);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, golden_meta);
    tcase_add_test(tc, golden_cases);
    tcase_add_test(tc, golden_per_class);
    tcase_add_test(tc, golden_confusion);
    tcase_add_test(tc, golden_bootstrap);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("properties");
    tcase_add_test(tp, auc_order_and_symmetry);
    tcase_add_test(tp, bootstrap_is_deterministic);
    tcase_add_test(tp, reasons_have_names);
    tcase_add_test(tp, wide_labels);
    tcase_add_test(tp, weights_equal_repeats);
    tcase_add_test(tp, zero_weights_are_undefined);
    tcase_add_test(tp, median_ae_zero_weights_are_undefined);
    suite_add_tcase(s, tp);
    return tu_run(s);
}
