/* Delayed labels at volume (lib/monitor/predictions.c, labels.c,
 * doc/monitoring.md "Delayed labels and performance"): predictions and
 * labels in batches larger than one statement (512 rows on SQLite, 4096
 * ids on PostgreSQL), with ids repeated within a batch and across
 * batches, unknown ids, labels sent before their predictions (ignored,
 * then matched when sent again), labels of windows already judged, and
 * rows without an id or a prediction. Each window's performance and each
 * batch's counts must equal what this file computes from the rows by the
 * documented rules. Runs on SQLite and, as monitor_labels_pg, on
 * PostgreSQL. */
#include "testutil.h"

#include <math.h>
#include <mlops.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600000LL
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define HOURS 4
#define N 6000 /* rows, 1500 an hour */

static char *base, *dir;
static mlops_store *S;
static mlops_digest REF_X;

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void shuffle(size_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(urand() * (double)i) % i, t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static void setup(void)
{
    base = tu_tmpdir();
    dir = tu_store_dir(base, "store");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    TU_OK(mlops_store_open(dir, &o, &S));
    rng_state = 7;
    mlops_profile *px = NULL;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &px));
    double v[500];
    for (int i = 0; i < 500; i++) v[i] = urand();
    TU_OK(mlops_profile_add(px, v, 500));
    TU_OK(mlops_profile_put(S, px, &REF_X));
    mlops_profile_free(px);
}

static void teardown(void)
{
    mlops_store_close(S);
    S = NULL;
    tu_rmrf(base);
    free(base);
    free(dir);
}

static mlops_monitor_column COL;

static void create(const char *name, int task)
{
    COL = (mlops_monitor_column){ "x", REF_X, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = &COL;
    sp.window_ms = HOUR;
    sp.lateness_ms = 0;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.task = task;
    x.prediction_column = "pred";
    x.id_column = "id";
    TU_OK(mlops_monitor_create_ex(S, name, &sp, &x));
}

/* ---- The reference: the documented rules, row by row ---- */

/* What the store should know of id number k (ids "r<k>", k < 2 * N). */
typedef struct ref_id {
    int has_pred, labeled, hour;
    double pred_num;
    const char *pred; /* classification */
} ref_id;

static ref_id REF[2 * N];

/* Records a batch's predictions as ingest does: the first prediction of
 * an id stays, rows without an id or a prediction keep none. */
static void ref_predictions(const int *idk, const int64_t *t, const char *const *pred,
                            const double *pnum, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (idk[i] < 0 || REF[idk[i]].has_pred) continue;
        if (pred ? !pred[i] : !isfinite(pnum[i])) continue;
        ref_id *r = &REF[idk[i]];
        r->has_pred = 1;
        r->hour = (int)((t[i] - T0) / HOUR);
        r->pred = pred ? pred[i] : NULL;
        r->pred_num = pnum ? pnum[i] : NAN;
    }
}

/* The confusion counts (classification) or the sums (regression) of
 * each hour, and a batch's expected counts. */
typedef struct ref_hour {
    double conf[3][3];
    double n, se, sa, ss, sy, sy2;
} ref_hour;

static ref_hour HOURS_REF[HOURS];
static int JUDGED[HOURS];

static int class_of(const char *s)
{
    return s[0] - 'a';
}

static mlops_monitor_labels_result ref_labels(const int *idk, const char *const *lab, const double *y,
                                              size_t n)
{
    mlops_monitor_labels_result r = MLOPS_MONITOR_LABELS_RESULT_INIT;
    int touched[HOURS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        ref_id *p = idk[i] >= 0 ? &REF[idk[i]] : NULL;
        if (!p || !p->has_pred) {
            r.unknown_ids++;
            continue;
        }
        if (p->labeled) {
            r.duplicates++;
            continue;
        }
        p->labeled = 1;
        r.matched++;
        ref_hour *h = &HOURS_REF[p->hour];
        h->n++;
        touched[p->hour] = 1;
        if (JUDGED[p->hour]) r.late_labels++;
        if (lab) {
            h->conf[class_of(lab[i])][class_of(p->pred)]++;
        } else {
            double e = p->pred_num - y[i];
            h->se += e;
            h->sa += fabs(e);
            h->ss += e * e;
            h->sy += y[i];
            h->sy2 += y[i] * y[i];
        }
    }
    for (int k = 0; k < HOURS; k++) r.windows += (uint64_t)touched[k];
    return r;
}

static void check_counts(const mlops_monitor_labels_result *got, const mlops_monitor_labels_result *want)
{
    ck_assert_uint_eq(got->matched, want->matched);
    ck_assert_uint_eq(got->unknown_ids, want->unknown_ids);
    ck_assert_uint_eq(got->duplicates, want->duplicates);
    ck_assert_uint_eq(got->windows, want->windows);
    ck_assert_uint_eq(got->late_labels, want->late_labels);
}

/* Window k's performance against the reference: accuracy, balanced
 * accuracy and macro F1 from the confusion counts, or the regression's
 * metrics from the sums (computed here, independently of the library). */
static void check_window(const char *name, int k, int task)
{
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, name, INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), HOURS);
    mlops_monitor_performance p;
    mlops_monitor_performance_init(&p, MLOPS_MONITOR_PERFORMANCE_VERSION);
    TU_OK(mlops_monitor_series_performance(sr, (size_t)k, &p));
    mlops_monitor_series_free(sr);
    const ref_hour *h = &HOURS_REF[k];
    ck_assert_uint_eq(p.labels, (uint64_t)h->n);
    ck_assert(h->n > 0);
    if (task == MLOPS_MONITOR_TASK_CLASSIFICATION) {
        double correct = 0, rsum = 0, fsum = 0;
        int rn = 0, fn = 0;
        for (int c = 0; c < 3; c++) {
            double tp = h->conf[c][c], t = 0, pr = 0;
            for (int o = 0; o < 3; o++) {
                t += h->conf[c][o];
                pr += h->conf[o][c];
            }
            correct += tp;
            if (t > 0) rsum += tp / t, rn++;
            if (t + pr > 0) fsum += 2 * tp / (t + pr), fn++;
        }
        ck_assert_double_eq_tol(p.accuracy, correct / h->n, 1e-12);
        ck_assert_double_eq_tol(p.balanced_accuracy, rsum / rn, 1e-12);
        ck_assert_double_eq_tol(p.f1_macro, fsum / fn, 1e-12);
    } else {
        double sst = h->sy2 - h->sy * h->sy / h->n;
        ck_assert_double_eq_tol(p.mae, h->sa / h->n, 1e-9);
        ck_assert_double_eq_tol(p.mse, h->ss / h->n, 1e-9);
        ck_assert_double_eq_tol(p.rmse, sqrt(h->ss / h->n), 1e-9);
        ck_assert_double_eq_tol(p.mean_error, h->se / h->n, 1e-9);
        ck_assert_double_eq_tol(p.r2, 1.0 - h->ss / sst, 1e-9);
    }
}

static void judge_before(const char *name, int hours)
{
    mlops_monitor_check_opts o = MLOPS_MONITOR_CHECK_OPTS_INIT;
    o.now_ms = T0 + hours * HOUR;
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(mlops_monitor_check(S, name, &o, &st));
    for (int k = 0; k < hours; k++) JUDGED[k] = 1;
}

static char IDTXT[2 * N][16];

static void reset_reference(void)
{
    memset(REF, 0, sizeof REF);
    memset(HOURS_REF, 0, sizeof HOURS_REF);
    memset(JUDGED, 0, sizeof JUDGED);
    for (int k = 0; k < 2 * N; k++) snprintf(IDTXT[k], sizeof IDTXT[k], "r%d", k);
}

static const char *K3[] = { "a", "b", "c" };

/* The rows of a prediction batch. */
typedef struct pbatch {
    size_t n;
    int64_t t[N];
    double x[N], pnum[N];
    int idk[N];
    const char *id[N], *pred[N];
} pbatch;

static pbatch PB;

/* Hours, ids and predictions of rows from..to (ids r<from>..), in a
 * shuffled order, hours shifted by hour_shift; dup_every: every so many
 * rows repeat the previous row's id (same hour and prediction, so that
 * which one stays does not depend on the order ingest writes a batch). */
static void make_batch(int from, int to, int hour_shift, int dup_every)
{
    size_t order[N];
    PB.n = (size_t)(to - from);
    for (size_t i = 0; i < PB.n; i++) order[i] = i;
    shuffle(order, PB.n);
    for (size_t i = 0; i < PB.n; i++) {
        int row = from + (int)order[i];
        if (dup_every && row % dup_every == 0 && row > from) row--;
        int hour = ((row % N) / (N / HOURS) + hour_shift) % HOURS;
        PB.t[i] = T0 + hour * HOUR + (int64_t)(urand() * 3599999.0);
        PB.x[i] = urand();
        PB.idk[i] = row;
        PB.id[i] = IDTXT[row];
        /* the prediction depends on the row: a repeated id repeats it */
        PB.pred[i] = K3[(row * 7 + hour_shift) % 3];
        PB.pnum[i] = (double)(row % 97) / 10.0 + hour_shift;
        if (row % 101 == 5) { /* no id: ingested for drift only */
            PB.id[i] = NULL;
            PB.idk[i] = -1;
        }
        if (row % 103 == 7) { /* no prediction */
            PB.pred[i] = NULL;
            PB.pnum[i] = NAN;
        }
    }
}

static void ingest_batch(const char *name, int task)
{
    const char *names[] = { "x", "id", "pred" };
    const double *num[] = { PB.x, NULL, task == MLOPS_MONITOR_TASK_REGRESSION ? PB.pnum : NULL };
    const char *const *str[] = { NULL, PB.id, task == MLOPS_MONITOR_TASK_REGRESSION ? NULL : PB.pred };
    TU_OK(mlops_monitor_ingest(S, name, PB.n, PB.t, 3, names, num, str, NULL, NULL));
    ref_predictions(PB.idk, PB.t, task == MLOPS_MONITOR_TASK_REGRESSION ? NULL : PB.pred,
                    task == MLOPS_MONITOR_TASK_REGRESSION ? PB.pnum : NULL, PB.n);
}

/* A labels batch. */
typedef struct lbatch {
    size_t n;
    int idk[3 * N];
    const char *id[3 * N], *lab[3 * N];
    double y[3 * N];
} lbatch;

static lbatch LB;

static void label_add(int k, const char *unknown)
{
    size_t i = LB.n++;
    LB.idk[i] = unknown ? -1 : k;
    LB.id[i] = unknown ? unknown : IDTXT[k];
    /* a label right about two times in three, varying by id */
    LB.lab[i] = K3[(k * 7 + (k % 3 == 0)) % 3];
    LB.y[i] = (double)(k % 97) / 10.0 + 0.5 * (urand() - 0.5);
}

static void send_labels(const char *name, int task)
{
    size_t order[3 * N];
    for (size_t i = 0; i < LB.n; i++) order[i] = i;
    shuffle(order, LB.n);
    /* shuffled: which of a repeated id's labels comes first varies */
    lbatch *sh = malloc(sizeof *sh);
    ck_assert_ptr_nonnull(sh);
    sh->n = LB.n;
    for (size_t i = 0; i < LB.n; i++) {
        sh->idk[i] = LB.idk[order[i]];
        sh->id[i] = LB.id[order[i]];
        sh->lab[i] = LB.lab[order[i]];
        sh->y[i] = LB.y[order[i]];
    }
    int reg = task == MLOPS_MONITOR_TASK_REGRESSION;
    mlops_monitor_labels_result got = MLOPS_MONITOR_LABELS_RESULT_INIT;
    TU_OK(mlops_monitor_labels_ingest(S, name, sh->n, sh->id, reg ? sh->y : NULL, reg ? NULL : sh->lab,
                                      &got));
    mlops_monitor_labels_result want = ref_labels(sh->idk, reg ? NULL : sh->lab, reg ? sh->y : NULL, sh->n);
    check_counts(&got, &want);
    free(sh);
    LB.n = 0;
}

static void run_scenario(const char *name, int task)
{
    reset_reference();
    create(name, task);
    /* batch A: rows 0..4999, every 250th repeating its neighbour's id */
    make_batch(0, 5000, 0, 250);
    ingest_batch(name, task);
    /* labels 1: 4600 distinct known ids (more than one statement on both
     * backends), 40 of them twice, 60 unknown ids, 300 ids whose
     * predictions come later (ignored now) */
    for (int k = 0; k < 4600; k++) label_add(k, NULL);
    for (int k = 0; k < 40; k++) label_add(k * 11, NULL);
    char unk[60][16];
    for (int k = 0; k < 60; k++) {
        snprintf(unk[k], sizeof unk[k], "nobody%d", k);
        label_add(0, unk[k]);
    }
    for (int k = 5200; k < 5500; k++) label_add(k, NULL);
    send_labels(name, task);
    for (int k = 0; k < 2; k++) check_window(name, k, task);
    /* hours 0 and 1 judged; then batch B: rows 4800..5999, its first 200
     * ids already predicted by A (with another prediction and hour: A's
     * stay) */
    judge_before(name, 2);
    make_batch(4800, 6000, 1, 0);
    ingest_batch(name, task);
    /* labels 2: everything, again: duplicates of labels 1, late labels of
     * hours 0 and 1, the 300 sent too early now matched, rows never
     * predicted unknown */
    for (int k = 0; k < N; k++) label_add(k, NULL);
    send_labels(name, task);
    for (int k = 0; k < HOURS; k++) check_window(name, k, task);
    /* an empty batch changes nothing */
    mlops_monitor_labels_result got = MLOPS_MONITOR_LABELS_RESULT_INIT;
    TU_OK(mlops_monitor_labels_ingest(S, name, 0, NULL, NULL, NULL, &got));
    ck_assert_uint_eq(got.matched + got.unknown_ids + got.duplicates, 0);
    for (int k = 0; k < HOURS; k++) check_window(name, k, task);
}

START_TEST(classification_at_volume)
{
    run_scenario("clf", MLOPS_MONITOR_TASK_CLASSIFICATION);
}
END_TEST

START_TEST(regression_at_volume)
{
    run_scenario("reg", MLOPS_MONITOR_TASK_REGRESSION);
}
END_TEST

/* The R2 of hour 0 of a new regression monitor NAME whose n rows have
 * labels y and predictions yhat. */
static double window_r2(const char *name, size_t n, const double *y, const double *yhat)
{
    create(name, MLOPS_MONITOR_TASK_REGRESSION);
    int64_t *t = malloc(n * sizeof *t);
    double *x = malloc(n * sizeof *x);
    char (*idbuf)[24] = malloc(n * sizeof *idbuf);
    const char **ids = malloc(n * sizeof *ids);
    ck_assert(t && x && idbuf && ids);
    for (size_t i = 0; i < n; i++) {
        t[i] = T0 + (int64_t)(i % 1000);
        x[i] = 0.5;
        snprintf(idbuf[i], sizeof idbuf[i], "e%zu", i);
        ids[i] = idbuf[i];
    }
    const char *names[] = { "x", "id", "pred" };
    const double *num[] = { x, NULL, yhat };
    const char *const *str[] = { NULL, ids, NULL };
    TU_OK(mlops_monitor_ingest(S, name, n, t, 3, names, num, str, NULL, NULL));
    mlops_monitor_labels_result got = MLOPS_MONITOR_LABELS_RESULT_INIT;
    TU_OK(mlops_monitor_labels_ingest(S, name, n, ids, y, NULL, &got));
    ck_assert_uint_eq(got.matched, n);
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, name, INT64_MIN, INT64_MAX, &sr));
    mlops_monitor_performance p;
    mlops_monitor_performance_init(&p, MLOPS_MONITOR_PERFORMANCE_VERSION);
    TU_OK(mlops_monitor_series_performance(sr, 0, &p));
    mlops_monitor_series_free(sr);
    free(t);
    free(x);
    free(idbuf);
    free(ids);
    return p.r2;
}

/* R2 comes from a window's sums, where sum_y2 - sum_y^2 / n cancels:
 * labels that vary by little against their size still vary, and many
 * equal labels, whose sums round, do not (R2 0 for an imperfect fit, as
 * mlops_eval_regression gives). */
START_TEST(r2_of_labels_large_or_many)
{
    double y[4], yhat[4];
    for (int i = 0; i < 4; i++) {
        y[i] = 1e7 + i;
        yhat[i] = y[i] + (i % 2 ? 0.1 : -0.1);
    }
    mlops_eval_result want = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_regression(MLOPS_METRIC_R2, y, yhat, 4, NULL, NULL, &want));
    ck_assert_double_eq_tol(want.value, 0.992, 1e-9);
    ck_assert_double_eq_tol(window_r2("large", 4, y, yhat), want.value, 1e-6);

    enum { MANY = 100000 };
    double *yc = malloc(MANY * sizeof *yc), *pc = malloc(MANY * sizeof *pc);
    ck_assert(yc && pc);
    for (size_t i = 0; i < MANY; i++) {
        yc[i] = 0.3;
        pc[i] = 0.3 + (i % 2 ? 0.01 : -0.02);
    }
    TU_OK(mlops_eval_regression(MLOPS_METRIC_R2, yc, pc, MANY, NULL, NULL, &want));
    ck_assert_double_eq(want.value, 0.0);
    ck_assert_double_eq(window_r2("many", MANY, yc, pc), 0.0);
    free(yc);
    free(pc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("monitor_labels");
    TCase *tc = tcase_create("monitor_labels");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, classification_at_volume);
    tcase_add_test(tc, regression_at_volume);
    tcase_add_test(tc, r2_of_labels_large_or_many);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
