/* Fairness (include/mlops/fairness.h): every line of the golden vectors
 * from fairlearn and AIF360 (tests/eval/golden_fairness.txt, written by
 * tests/eval/gen_golden_fairness.py) within 1e-12 relative, with the
 * documented NaN where fairlearn says 0, and the properties goldens
 * cannot show (labels of the base rates, group order, errors). */
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
    load_golden_file("golden_fairness.txt", 90);
}

typedef struct fields {
    const char *yt, *yp, *s, *w, *g, *avg, *method, *agg, *priv, *unpriv;
    size_t k;
    int pos;
} fields;

static char *parse_fields(char *p, fields *f)
{
    memset(f, 0, sizeof *f);
    f->k = 1;
    f->pos = 1;
    f->avg = "binary";
    f->method = "between_groups";
    f->agg = "worst_case";
    char *tok;
    const char *v;
    while (next_field(&p, &tok, &v)) {
        if (!strcmp(tok, "yt")) f->yt = v;
        else if (!strcmp(tok, "yp")) f->yp = v;
        else if (!strcmp(tok, "s")) f->s = v;
        else if (!strcmp(tok, "w")) f->w = v;
        else if (!strcmp(tok, "g")) f->g = v;
        else if (!strcmp(tok, "avg")) f->avg = v;
        else if (!strcmp(tok, "method")) f->method = v;
        else if (!strcmp(tok, "agg")) f->agg = v;
        else if (!strcmp(tok, "priv")) f->priv = v;
        else if (!strcmp(tok, "unpriv")) f->unpriv = v;
        else if (!strcmp(tok, "k")) f->k = strtoul(v, NULL, 10);
        else if (!strcmp(tok, "pos")) f->pos = atoi(v);
        else ck_abort_msg("golden: unknown field %s", tok);
    }
    return p;
}

static void check_value(const char *id, const char *what, double got, int got_reason,
                        double want, int want_reason)
{
    ck_assert_msg(close12(got, want), "%s %s: got %.17g, want %.17g", id, what, got, want);
    ck_assert_msg(got_reason == want_reason, "%s %s: reason %d, want %d", id, what, got_reason,
                  want_reason);
}

/* ---- golden cases ---------------------------------------------------------------- */

START_TEST(golden_meta)
{
    load_golden();
    ck_assert_msg(!strncmp(glines[0], "meta fairlearn ", 15), "first line: %s", glines[0]);
    printf("# golden: %s\n", glines[0]);
}
END_TEST

START_TEST(golden_frames)
{
    load_golden();
    size_t seen = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "frame", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p), *family = strtok_r(p, " ", &p),
             *metric = strtok_r(p, " ", &p);
        fields f;
        p = parse_fields(p, &f);
        mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
        const named *yt = find(f.yt);
        d.n = yt->n;
        if (!strcmp(family, "reg")) {
            d.values_true = yt->d;
            d.values_pred = find(f.yp)->d;
        } else {
            d.labels_true = yt->i;
            if (f.yp) d.labels_pred = find(f.yp)->i;
            if (f.s) d.scores = find(f.s)->d;
            d.k = f.k;
        }
        d.weights = f.w ? find(f.w)->d : NULL;
        mlops_eval_opts o = MLOPS_EVAL_OPTS_INIT;
        o.pos_label = f.pos;
        o.average = !strcmp(f.avg, "macro")      ? MLOPS_AVERAGE_MACRO
                    : !strcmp(f.avg, "weighted") ? MLOPS_AVERAGE_WEIGHTED
                                                 : MLOPS_AVERAGE_BINARY;
        mlops_fairness_frame *fr = NULL;
        ck_assert_msg(mlops_fairness_frame_build(metric_of(metric), &d, find(f.g)->i, &o, &fr) ==
                          MLOPS_OK,
                      "%s: %s", id, mlops_last_error());
        const mlops_fairness_group *ov = mlops_fairness_frame_overall(fr);
        double want = next_double(&p);
        int want_r = (int)next_long(&p);
        check_value(id, "overall", ov->value, ov->reason, want, want_r);
        ck_assert_uint_eq(ov->count, d.n);
        size_t k = (size_t)next_long(&p);
        ck_assert_uint_eq(mlops_fairness_frame_count(fr), k);
        for (size_t j = 0; j < k; j++) {
            const mlops_fairness_group *g = mlops_fairness_frame_at(fr, j);
            ck_assert_int_eq(g->group, (int)next_long(&p));
            want = next_double(&p);
            want_r = (int)next_long(&p);
            check_value(id, "group", g->value, g->reason, want, want_r);
            ck_assert_uint_eq(g->count, (uint64_t)next_long(&p));
            ck_assert_msg(close12(g->weight, next_double(&p)), "%s weight", id);
            ck_assert_msg(close12(g->positives, next_double(&p)), "%s positives", id);
            ck_assert_msg(close12(g->negatives, next_double(&p)), "%s negatives", id);
        }
        ck_assert_ptr_null(mlops_fairness_frame_at(fr, k));
        static const char *what[4] = { "difference between_groups", "difference to_overall",
                                       "ratio between_groups", "ratio to_overall" };
        for (int a = 0; a < 4; a++) {
            mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
            int method = a % 2 ? MLOPS_FAIRNESS_TO_OVERALL : MLOPS_FAIRNESS_BETWEEN_GROUPS;
            TU_OK(a < 2 ? mlops_fairness_frame_difference(fr, method, &r)
                        : mlops_fairness_frame_ratio(fr, method, &r));
            want = next_double(&p);
            want_r = (int)next_long(&p);
            check_value(id, what[a], r.value, r.reason, want, want_r);
        }
        mlops_fairness_frame_free(fr);
        free(line);
        seen++;
    }
    ck_assert_uint_ge(seen, 50);
}
END_TEST

START_TEST(golden_parity)
{
    load_golden();
    size_t seen = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "parity", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p), *kind = strtok_r(p, " ", &p),
             *measure = strtok_r(p, " ", &p);
        fields f;
        p = parse_fields(p, &f);
        mlops_fairness_opts o = MLOPS_FAIRNESS_OPTS_INIT;
        o.method = !strcmp(f.method, "to_overall") ? MLOPS_FAIRNESS_TO_OVERALL
                                                   : MLOPS_FAIRNESS_BETWEEN_GROUPS;
        o.agg = !strcmp(f.agg, "mean") ? MLOPS_FAIRNESS_MEAN : MLOPS_FAIRNESS_WORST_CASE;
        int m = !strcmp(measure, "dp")    ? MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY
                : !strcmp(measure, "eo") ? MLOPS_FAIRNESS_EQUALIZED_ODDS
                                         : MLOPS_FAIRNESS_EQUAL_OPPORTUNITY;
        const named *yt = find(f.yt);
        const double *w = f.w ? find(f.w)->d : NULL;
        mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
        int rc = !strcmp(kind, "diff")
                     ? mlops_fairness_difference(m, yt->i, find(f.yp)->i, find(f.g)->i, yt->n, w,
                                                 &o, &r)
                     : mlops_fairness_ratio(m, yt->i, find(f.yp)->i, find(f.g)->i, yt->n, w, &o,
                                            &r);
        ck_assert_msg(rc == MLOPS_OK, "%s: %s", id, mlops_last_error());
        double want = next_double(&p);
        check_value(id, kind, r.value, r.reason, want, (int)next_long(&p));
        ck_assert_uint_eq(r.n, yt->n);
        free(line);
        seen++;
    }
    ck_assert_uint_ge(seen, 40);
}
END_TEST

START_TEST(golden_aif360)
{
    load_golden();
    size_t seen = 0;
    char *line, *p;
    for (size_t li = 0; (line = line_of_kind(&li, "aif", &p)) != NULL; li++) {
        char *id = strtok_r(p, " ", &p), *kind = strtok_r(p, " ", &p);
        fields f;
        p = parse_fields(p, &f);
        mlops_fairness_opts o = MLOPS_FAIRNESS_OPTS_INIT;
        const named *priv = find(f.priv);
        o.privileged = priv->i;
        o.n_privileged = priv->n;
        if (f.unpriv) {
            o.unprivileged = find(f.unpriv)->i;
            o.n_unprivileged = find(f.unpriv)->n;
        }
        const named *yp = find(f.yp);
        const double *w = f.w ? find(f.w)->d : NULL;
        mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
        int rc = !strcmp(kind, "di")
                     ? mlops_fairness_disparate_impact(yp->i, find(f.g)->i, yp->n, w, &o, &r)
                     : mlops_fairness_statistical_parity_difference(yp->i, find(f.g)->i, yp->n, w,
                                                                    &o, &r);
        ck_assert_msg(rc == MLOPS_OK, "%s: %s", id, mlops_last_error());
        double want = next_double(&p);
        check_value(id, kind, r.value, r.reason, want, (int)next_long(&p));
        free(line);
        seen++;
    }
    ck_assert_uint_ge(seen, 6);
}
END_TEST

/* ---- properties ------------------------------------------------------------------ */

/* The base rates follow fairlearn's labels: pos_label decides, more than
 * two labels are refused, and the undefined rates say why. */
START_TEST(rates_labels_and_reasons)
{
    const int t[] = { 0, 0, 1, 1 }, p[] = { 0, 1, 1, 1 }, t3[] = { 0, 1, 2, 2 };
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_labels(MLOPS_METRIC_TRUE_POSITIVE_RATE, t, p, 4, NULL, NULL, &r));
    ck_assert_double_eq(r.value, 1.0);
    TU_OK(mlops_eval_labels(MLOPS_METRIC_FALSE_POSITIVE_RATE, t, p, 4, NULL, NULL, &r));
    ck_assert_double_eq(r.value, 0.5);
    TU_RC(MLOPS_EINVAL, mlops_eval_labels(MLOPS_METRIC_TRUE_POSITIVE_RATE, t3, p, 4, NULL, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_eval_labels: "));
    mlops_eval_opts o = MLOPS_EVAL_OPTS_INIT;
    o.pos_label = 0; /* the other class is now the positive one */
    TU_OK(mlops_eval_labels(MLOPS_METRIC_TRUE_POSITIVE_RATE, t, p, 4, NULL, &o, &r));
    ck_assert_double_eq(r.value, 0.5);
    o.pos_label = 2; /* selection rate takes any labels */
    TU_OK(mlops_eval_labels(MLOPS_METRIC_SELECTION_RATE, t3, t3, 4, NULL, &o, &r));
    ck_assert_double_eq(r.value, 0.5);
    TU_RC(MLOPS_EINVAL, mlops_eval_labels(MLOPS_METRIC_FALSE_POSITIVE_RATE, t, p, 4, NULL, &o, &r));
    const int ones[] = { 1, 1, 1, 1 };
    TU_OK(mlops_eval_labels(MLOPS_METRIC_FALSE_POSITIVE_RATE, ones, p, 4, NULL, NULL, &r));
    ck_assert(isnan(r.value));
    ck_assert_int_eq(r.reason, MLOPS_EVAL_NO_NEGATIVES);
    ck_assert_str_eq(mlops_eval_reason_name(MLOPS_EVAL_NO_NEGATIVES), "no negative sample");
    const double zero[] = { 0, 0, 0, 0 };
    TU_OK(mlops_eval_labels(MLOPS_METRIC_SELECTION_RATE, t, p, 4, zero, NULL, &r));
    ck_assert_int_eq(r.reason, MLOPS_EVAL_NO_WEIGHT);
}
END_TEST

/* Groups come in increasing code order whatever the order of the rows;
 * a frame's error names the frame function. */
START_TEST(frame_order_and_errors)
{
    const int t[] = { 1, 0, 1, 0, 1, 1 }, p[] = { 1, 1, 0, 0, 1, 1 }, g[] = { 9, -2, 9, 4, -2, 4 };
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = 6;
    d.labels_true = t;
    d.labels_pred = p;
    mlops_fairness_frame *f = NULL;
    TU_OK(mlops_fairness_frame_build(MLOPS_METRIC_ACCURACY, &d, g, NULL, &f));
    ck_assert_uint_eq(mlops_fairness_frame_count(f), 3);
    ck_assert_int_eq(mlops_fairness_frame_at(f, 0)->group, -2);
    ck_assert_double_eq(mlops_fairness_frame_at(f, 0)->value, 0.5);
    ck_assert_int_eq(mlops_fairness_frame_at(f, 1)->group, 4);
    ck_assert_double_eq(mlops_fairness_frame_at(f, 1)->value, 1.0);
    ck_assert_int_eq(mlops_fairness_frame_at(f, 2)->group, 9);
    ck_assert_double_eq(mlops_fairness_frame_at(f, 2)->value, 0.5);
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_fairness_frame_difference(f, MLOPS_FAIRNESS_BETWEEN_GROUPS, &r));
    ck_assert_double_eq(r.value, 0.5);
    TU_RC(MLOPS_EINVAL, mlops_fairness_frame_ratio(f, 7, &r));
    mlops_fairness_frame_free(f);
    ck_assert_uint_eq(mlops_fairness_frame_count(NULL), 0);
    ck_assert_ptr_null(mlops_fairness_frame_overall(NULL));
    mlops_fairness_frame_free(NULL);
    const double nan_v[] = { 1, NAN, 2, 3, 4, 5 };
    mlops_eval_data dr = MLOPS_EVAL_DATA_INIT;
    dr.n = 6;
    dr.values_true = nan_v;
    dr.values_pred = nan_v;
    TU_RC(MLOPS_EINVAL, mlops_fairness_frame_build(MLOPS_METRIC_MAE, &dr, g, NULL, &f));
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_fairness_frame_build: "));
}
END_TEST

/* AIF360: a group in both lists is refused; an empty side is NaN. */
START_TEST(aif360_groups)
{
    const int p[] = { 1, 0, 1, 1 }, g[] = { 1, 1, 2, 2 }, both[] = { 2 }, none[] = { 5 };
    mlops_fairness_opts o = MLOPS_FAIRNESS_OPTS_INIT;
    o.privileged = both;
    o.n_privileged = 1;
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_fairness_disparate_impact(p, g, 4, NULL, &o, &r));
    ck_assert_double_eq(r.value, 0.5);
    TU_OK(mlops_fairness_statistical_parity_difference(p, g, 4, NULL, &o, &r));
    ck_assert_double_eq(r.value, -0.5);
    o.unprivileged = both;
    o.n_unprivileged = 1;
    TU_RC(MLOPS_EINVAL, mlops_fairness_disparate_impact(p, g, 4, NULL, &o, &r));
    o.unprivileged = none;
    TU_OK(mlops_fairness_disparate_impact(p, g, 4, NULL, &o, &r));
    ck_assert(isnan(r.value));
    ck_assert_int_eq(r.reason, MLOPS_EVAL_NO_WEIGHT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fairness");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, golden_meta);
    tcase_add_test(tc, golden_frames);
    tcase_add_test(tc, golden_parity);
    tcase_add_test(tc, golden_aif360);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("properties");
    tcase_add_test(tp, rates_labels_and_reasons);
    tcase_add_test(tp, frame_order_and_errors);
    tcase_add_test(tp, aif360_groups);
    suite_add_tcase(s, tp);
    return tu_run(s);
}
