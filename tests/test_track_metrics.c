/* Experiment records: params, metrics (storage, summaries, history) and
 * run snapshots. */
#include "track_fixture.h"
#include "track/metric_internal.h"

#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- params ---- */

START_TEST(params_are_immutable)
{
    mlops_run *r = new_run("e");
    TU_OK(mlops_run_log_param(r, "lr", "0.01"));
    TU_OK(mlops_run_log_param(r, "lr", "0.01")); /* same value: fine */
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_param(r, "lr", "0.02"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'lr'"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "0.01"));
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_param(r, "lr", "0.010"));
    TU_OK(mlops_run_log_param(r, "opt", ""));
    TU_OK(mlops_run_log_param(r, "layers.0/size", "multi\nline ✓"));

    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    size_t n;
    const mlops_kv *p = mlops_run_info_params(ri, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(p[0].key, "layers.0/size");
    ck_assert_str_eq(p[0].value, "multi\nline ✓");
    ck_assert_str_eq(p[1].key, "lr");
    ck_assert_str_eq(p[1].value, "0.01");
    ck_assert_str_eq(mlops_run_info_param(ri, "opt"), "");
    ck_assert_ptr_null(mlops_run_info_param(ri, "nope"));
    mlops_run_info_free(ri);
    ck_assert_int_eq(db_int("SELECT num * 1000 FROM run_params WHERE key = 'lr'"), 10);
    mlops_run_free(r);
}
END_TEST

START_TEST(params_batch_is_all_or_nothing)
{
    mlops_run *r = new_run("e");
    TU_OK(mlops_run_log_param(r, "a", "1"));
    mlops_kv bad[] = { { "b", "2" }, { "c", "3" }, { "a", "9" } };
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_params(r, bad, 3));
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_params"), 1);
    mlops_kv twice[] = { { "x", "1" }, { "x", "2" } };
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_params(r, twice, 2));
    mlops_kv invalid[] = { { "b", "2" }, { "", "3" } };
    TU_RC(MLOPS_EINVAL, mlops_run_log_params(r, invalid, 2));
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_params"), 1);
    mlops_kv good[] = { { "b", "2" }, { "c", "3" }, { "a", "1" } };
    TU_OK(mlops_run_log_params(r, good, 3));
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_params"), 3);
    TU_OK(mlops_run_log_params(r, NULL, 0));
    TU_RC(MLOPS_EINVAL, mlops_run_log_params(r, NULL, 1));
    mlops_run_free(r);
}
END_TEST

START_TEST(param_limits_and_bad_input)
{
    mlops_run *r = new_run("e");
    char key[MLOPS_KEY_MAX + 2], value[MLOPS_PARAM_VALUE_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, key, "v"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "longer than 250"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "k", value));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "longer than 8000"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "", "v"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "a\tb", "v"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "del\x7f", "v"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "k", "\xED\xA0\x80")); /* surrogate */
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "\xF4\x90\x80\x80", "v")); /* > U+10FFFF */
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, NULL, "v"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(r, "k", NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_log_param(NULL, "k", "v"));
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_params"), 0);
    key[MLOPS_KEY_MAX] = '\0';
    value[MLOPS_PARAM_VALUE_MAX] = '\0';
    TU_OK(mlops_run_log_param(r, key, value));
    ck_assert_int_eq(db_int("SELECT length(value) FROM run_params"), MLOPS_PARAM_VALUE_MAX);

    /* an ended run takes no more params; a deleted one neither */
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_param(r, "late", "1"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "ended"));
    mlops_run *d = new_run("e");
    TU_OK(mlops_run_delete(g_store, mlops_run_id(d)));
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_param(d, "late", "1"));
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_params"), 1);
    mlops_run_free(r);
    mlops_run_free(d);
}
END_TEST

/* ---- metrics ---- */

static mlops_metric_point *history(const mlops_run *r, const char *key, size_t *n)
{
    mlops_metric_point *p = NULL;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), key, NULL, &p, n));
    return p;
}

START_TEST(special_values_keep_their_bits)
{
    const uint64_t patterns[] = {
        0x7ff8000000000000u, /* quiet NaN */
        0xfff8000000000000u, /* negative quiet NaN */
        0x7ff8000000000123u, /* NaN with a payload */
        0x7ff4000000000000u, /* signalling NaN */
        0x7ff0000000000000u, /* +Inf */
        0xfff0000000000000u, /* -Inf */
        0x8000000000000000u, /* -0.0 */
        0x0000000000000001u, /* smallest subnormal */
        0x7fefffffffffffffu, /* DBL_MAX */
        0x3ff0000000000000u, /* 1.0 */
    };
    const size_t np = sizeof patterns / sizeof patterns[0];
    mlops_run *r = new_run("e");
    mlops_metric batch[10];
    for (size_t i = 0; i < np; i++) {
        TU_OK(mlops_run_log_metric(r, "single", double_of(patterns[i]), (int64_t)i, 1000));
        batch[i] = (mlops_metric){ "batch", double_of(patterns[i]), (int64_t)i, 2000 };
    }
    TU_OK(mlops_run_log_metrics(r, batch, np));
    const char *keys[] = { "single", "batch" };
    for (int k = 0; k < 2; k++) {
        size_t n;
        mlops_metric_point *p = history(r, keys[k], &n);
        ck_assert_uint_eq(n, np);
        for (size_t i = 0; i < np; i++) {
            ck_assert_msg(bits_of(p[i].value) == patterns[i], "%s[%zu]: %016llx != %016llx",
                          keys[k], i, (unsigned long long)bits_of(p[i].value),
                          (unsigned long long)patterns[i]);
            ck_assert_int_eq(p[i].step, (int64_t)i);
        }
        mlops_free(p);
    }
    /* the summary: last is exact (a NaN last too); min and max skip NaN */
    TU_OK(mlops_run_log_metric(r, "nanlast", 1.5, 0, 0));
    TU_OK(mlops_run_log_metric(r, "nanlast", double_of(0x7ff8000000000123u), 1, 0));
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    const mlops_metric_summary *m = mlops_run_info_metric(ri, "batch");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(bits_of(m->last), 0x3ff0000000000000u);
    ck_assert(m->min == -INFINITY);
    ck_assert(m->max == INFINITY);
    ck_assert_int_eq(m->count, (int64_t)np);
    m = mlops_run_info_metric(ri, "nanlast");
    ck_assert_uint_eq(bits_of(m->last), 0x7ff8000000000123u);
    ck_assert_int_eq(m->last_step, 1);
    ck_assert(m->min == 1.5 && m->max == 1.5);
    mlops_run_info_free(ri);
    TU_OK(mlops_run_log_metric(r, "allnan", NAN, 0, 0));
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    m = mlops_run_info_metric(ri, "allnan");
    ck_assert(isnan(m->min) && isnan(m->max) && isnan(m->last));
    mlops_run_info_free(ri);
    mlops_run_free(r);
}
END_TEST

START_TEST(summary_tracks_last_min_max_count)
{
    mlops_run *r = new_run("e");
    /* out of order: the last point is the greatest step, not the latest call */
    TU_OK(mlops_run_log_metric(r, "loss", 0.5, 10, 100));
    TU_OK(mlops_run_log_metric(r, "loss", 0.9, 2, 200));
    TU_OK(mlops_run_log_metric(r, "loss", -3.0, 5, 300));
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    const mlops_metric_summary *m = mlops_run_info_metric(ri, "loss");
    ck_assert(m->last == 0.5);
    ck_assert_int_eq(m->last_step, 10);
    ck_assert_int_eq(m->last_ts_ms, 100);
    ck_assert(m->min == -3.0);
    ck_assert(m->max == 0.9);
    ck_assert_int_eq(m->count, 3);
    mlops_run_info_free(ri);
    /* same step, later time wins; same step and time: the later call wins */
    TU_OK(mlops_run_log_metric(r, "loss", 0.25, 10, 150));
    TU_OK(mlops_run_log_metric(r, "loss", 0.75, 10, 150));
    mlops_metric two[] = { { "loss", 0.125, 10, 150 }, { "loss", 0.0625, 10, 150 } };
    TU_OK(mlops_run_log_metrics(r, two, 2));
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    m = mlops_run_info_metric(ri, "loss");
    ck_assert(m->last == 0.0625);
    ck_assert_int_eq(m->last_ts_ms, 150);
    ck_assert_int_eq(m->count, 7);
    mlops_run_info_free(ri);
    mlops_run_free(r);
}
END_TEST

START_TEST(relogging_a_point_is_a_no_op)
{
    mlops_run *r = new_run("e");
    mlops_metric pts[3000];
    for (int i = 0; i < 3000; i++) pts[i] = (mlops_metric){ "acc", i * 0.001, i, 1000 + i };
    for (int b = 0; b < 3; b++) TU_OK(mlops_run_log_metrics(r, pts + b * 1000, 1000));
    /* again, overlapping blocks, plus new points and same-step new values */
    TU_OK(mlops_run_log_metrics(r, pts + 500, 1000));
    TU_OK(mlops_run_log_metric(r, "acc", pts[7].value, 7, pts[7].ts_ms));
    TU_OK(mlops_run_log_metric(r, "acc", 42.0, 7, pts[7].ts_ms)); /* new value */
    TU_OK(mlops_run_log_metric(r, "acc", pts[7].value, 7, 1));    /* new time */
    mlops_metric dup_in_batch[] = { { "acc", 5.0, 5000, 1 }, { "acc", 5.0, 5000, 1 } };
    TU_OK(mlops_run_log_metrics(r, dup_in_batch, 2));
    size_t n;
    mlops_metric_point *p = history(r, "acc", &n);
    ck_assert_uint_eq(n, 3003);
    for (size_t i = 1; i < n; i++) ck_assert(mlops__point_cmp(&p[i - 1], &p[i]) < 0);
    mlops_free(p);
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    ck_assert_int_eq(mlops_run_info_metric(ri, "acc")->count, 3003);
    ck_assert(mlops_run_info_metric(ri, "acc")->max == 42.0);
    mlops_run_info_free(ri);
    mlops_run_free(r);
}
END_TEST

/* A batch of more keys than the PostgreSQL path handles at once
 * (metric_log.c, GROUP_CHUNK), logged twice over with overlap: every key
 * keeps its points once, in order, with the right summary. */
START_TEST(a_batch_of_many_keys_keeps_each_series)
{
    enum { KEYS = 1100, STEPS = 130 };
    mlops_run *r = new_run("e");
    char (*names)[16] = malloc(KEYS * sizeof *names);
    mlops_metric *pts = malloc((size_t)KEYS * STEPS * sizeof *pts);
    ck_assert(names && pts);
    for (int k = 0; k < KEYS; k++) snprintf(names[k], sizeof names[k], "k%d", k);
    size_t n = 0;
    for (int k = 0; k < KEYS; k++) /* two points of every key, out of order */
        for (int st = 1; st >= 0; st--) pts[n++] = (mlops_metric){ names[k], k + st * 0.5, st, 100 + st };
    TU_OK(mlops_run_log_metrics(r, pts, n));
    n = 0;
    for (int st = 0; st < STEPS; st++) /* the same two again, and more: the tails seal */
        for (int k = 0; k < KEYS; k++) pts[n++] = (mlops_metric){ names[k], k + st * 0.5, st, 100 + st };
    TU_OK(mlops_run_log_metrics(r, pts, n));
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    ck_assert_uint_eq(mlops_run_info_metric_count(ri), KEYS);
    static const int probe[] = { 0, 999, 1000, KEYS - 1 };
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        const char *key = names[probe[i]];
        const mlops_metric_summary *m = mlops_run_info_metric(ri, key);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(m->count, STEPS);
        ck_assert_int_eq(m->last_step, STEPS - 1);
        ck_assert(m->last == probe[i] + (STEPS - 1) * 0.5);
        ck_assert(m->min == probe[i]);
        size_t got;
        mlops_metric_point *p = history(r, key, &got);
        ck_assert_uint_eq(got, STEPS);
        for (size_t j = 0; j < got; j++) {
            ck_assert_int_eq(p[j].step, (int64_t)j);
            ck_assert(p[j].value == probe[i] + (double)j * 0.5);
        }
        mlops_free(p);
    }
    mlops_run_info_free(ri);
    free(pts);
    free(names);
    mlops_run_free(r);
}
END_TEST

START_TEST(out_of_order_points_come_back_sorted)
{
    mlops_run *r = new_run("e");
    enum { N = 5000 };
    static int64_t steps[N];
    for (int i = 0; i < N; i++) steps[i] = i;
    srand(7);
    for (int i = N - 1; i > 0; i--) { /* shuffle */
        int j = rand() % (i + 1);
        int64_t t = steps[i];
        steps[i] = steps[j];
        steps[j] = t;
    }
    static mlops_metric m[N];
    for (int i = 0; i < N; i++) m[i] = (mlops_metric){ "x", (double)steps[i] * 2, steps[i], 0 };
    for (int off = 0; off < N; off += 700) /* batches of mixed sizes */
        TU_OK(mlops_run_log_metrics(r, m + off, N - off < 700 ? (size_t)(N - off) : 700));
    for (int i = 1; i <= 50; i++) /* and single points, in reverse */
        TU_OK(mlops_run_log_metric(r, "x", -1.0, -i, 0));
    size_t n;
    mlops_metric_point *p = history(r, "x", &n);
    ck_assert_uint_eq(n, N + 50);
    for (size_t i = 0; i < n; i++) {
        int64_t want = (int64_t)i - 50;
        ck_assert_int_eq(p[i].step, want);
        ck_assert(p[i].value == (want < 0 ? -1.0 : (double)want * 2));
    }
    mlops_free(p);
    mlops_run_free(r);
}
END_TEST

START_TEST(point_by_point_logging_fills_blocks)
{
    mlops_run *r = new_run("e");
    for (int i = 0; i < 300; i++) TU_OK(mlops_run_log_metric(r, "loss", 1.0 / (i + 1), i, i));
    /* points gather in the series' tail and are sealed 128 at a time,
     * never one block per point */
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_blocks"), 2);
    ck_assert_int_eq(db_int("SELECT sum(n) FROM metric_blocks"), 2 * MLOPS__TAIL_MAX);
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_series WHERE tail IS NOT NULL"), 1);
    for (int pass = 0; pass < 2; pass++) {
        size_t n;
        mlops_metric_point *p = history(r, "loss", &n);
        ck_assert_uint_eq(n, 300);
        for (int i = 0; i < 300; i++) ck_assert(p[i].value == 1.0 / (i + 1) && p[i].ts_ms == i);
        mlops_free(p);
        /* ending the run seals the tail: same history, all in blocks */
        if (!pass) TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    }
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_blocks"), 3);
    ck_assert_int_eq(db_int("SELECT sum(n) FROM metric_blocks"), 300);
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_series WHERE tail IS NOT NULL"), 0);
    mlops_run_free(r);
}
END_TEST

START_TEST(extreme_steps_and_times)
{
    mlops_run *r = new_run("e");
    mlops_metric m[] = {
        { "t", 1, INT64_MIN, INT64_MAX }, { "t", 2, INT64_MAX, INT64_MIN },
        { "t", 3, 0, 0 },                 { "t", 4, -1, -1 },
    };
    TU_OK(mlops_run_log_metrics(r, m, 4));
    size_t n;
    mlops_metric_point *p = history(r, "t", &n);
    ck_assert_uint_eq(n, 4);
    ck_assert(p[0].step == INT64_MIN && p[0].ts_ms == INT64_MAX && p[0].value == 1);
    ck_assert(p[1].step == -1 && p[1].ts_ms == -1);
    ck_assert(p[2].step == 0);
    ck_assert(p[3].step == INT64_MAX && p[3].ts_ms == INT64_MIN && p[3].value == 2);
    mlops_free(p);
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.buckets = 3;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), "t", &o, &p, &n));
    ck_assert_uint_ge(n, 2);
    ck_assert(p[0].step == INT64_MIN && p[n - 1].step == INT64_MAX);
    mlops_free(p);
    mlops_run_free(r);
}
END_TEST

/* One bucket over steps from INT64_MIN to INT64_MAX: the width of the
 * range is 2^64 - 1, and one bucket as wide used to make the bucket width
 * wrap to 0 (a division by zero). */
START_TEST(history_one_bucket_over_every_step)
{
    mlops_run *r = new_run("e");
    mlops_metric m[] = { { "t", 1, INT64_MIN, 0 }, { "t", 5, 0, 0 }, { "t", 2, INT64_MAX, 0 } };
    TU_OK(mlops_run_log_metrics(r, m, 3));
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.buckets = 1;
    mlops_metric_point *p;
    size_t n;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), "t", &o, &p, &n));
    ck_assert_uint_eq(n, 2); /* the least (1, step INT64_MIN) and the greatest (5, step 0) */
    ck_assert(p[0].step == INT64_MIN && p[0].value == 1);
    ck_assert(p[1].step == 0 && p[1].value == 5);
    mlops_free(p);
    mlops_run_free(r);
}
END_TEST

/* A block row whose point count (metric_blocks.n) says fewer points than
 * its data holds is malformed: the history reserved room for n points and
 * decoded all of the data's past it. */
START_TEST(history_refuses_a_block_with_a_wrong_count)
{
    mlops_run *r = new_run("e");
    static mlops_metric m[2024];
    for (int i = 0; i < 2024; i++) m[i] = (mlops_metric){ "k", i, i, 0 };
    TU_OK(mlops_run_log_metrics(r, m, 1000));        /* one block of 1000 */
    TU_OK(mlops_run_log_metrics(r, m + 1000, 1024)); /* one block of 1024 */
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_blocks"), 2);
    tu_sql_exec(g_dir, "UPDATE metric_blocks SET n = 1 WHERE first_step = 1000");
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.step_min = 0;
    o.step_max = 5000;
    mlops_metric_point *p = NULL;
    size_t n = 0;
    ck_assert_int_eq(mlops_metric_history(g_store, mlops_run_id(r), "k", &o, &p, &n),
                     MLOPS_ECORRUPT);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(n, 0);
    mlops_run_free(r);
}
END_TEST

START_TEST(metric_keys_and_bad_input_write_nothing)
{
    mlops_run *r = new_run("e");
    char key[MLOPS_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_run_log_metric(r, key, 1, 0, 0));
    TU_RC(MLOPS_EINVAL, mlops_run_log_metric(r, "", 1, 0, 0));
    TU_RC(MLOPS_EINVAL, mlops_run_log_metric(r, "a\nb", 1, 0, 0));
    TU_RC(MLOPS_EINVAL, mlops_run_log_metric(r, "\xC0\x80", 1, 0, 0));
    TU_RC(MLOPS_EINVAL, mlops_run_log_metric(r, NULL, 1, 0, 0));
    TU_RC(MLOPS_EINVAL, mlops_run_log_metric(NULL, "k", 1, 0, 0));
    mlops_metric m[] = { { "ok", 1, 0, 0 }, { "ok", 2, 1, 0 }, { "bad\x01", 3, 2, 0 } };
    TU_RC(MLOPS_EINVAL, mlops_run_log_metrics(r, m, 3));
    m[2].key = NULL;
    TU_RC(MLOPS_EINVAL, mlops_run_log_metrics(r, m, 3));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "metric 2"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_metrics(r, NULL, 2));
    TU_OK(mlops_run_log_metrics(r, NULL, 0));
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_series"), 0);
    ck_assert_int_eq(db_int("SELECT count(*) FROM metric_blocks"), 0);

    /* dots, slashes, spaces and any Unicode are fine; 250 bytes is fine */
    key[MLOPS_KEY_MAX] = '\0';
    const char *good[] = { "drift.age.psi", "drift.income.ks.p_value", "val/loss", "top 5 acc",
                           "точность", key };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        TU_OK(mlops_run_log_metric(r, good[i], (double)i, 0, 0));
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    ck_assert(mlops_run_info_metric(ri, "drift.age.psi")->last == 0);
    ck_assert(mlops_run_info_metric(ri, "точность")->last == 4);
    size_t nm;
    mlops_run_info_metrics(ri, &nm);
    ck_assert_uint_eq(nm, 6);
    mlops_run_info_free(ri);

    /* ended or deleted runs take no metrics */
    TU_OK(mlops_run_end(r, MLOPS_RUN_KILLED));
    int64_t before = db_int("SELECT sum(n) FROM metric_blocks");
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_metric(r, "late", 1, 0, 0));
    mlops_metric late[] = { { "late", 1, 0, 0 } };
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_metrics(r, late, 1));
    mlops_run *d = new_run("e");
    TU_OK(mlops_run_delete(g_store, mlops_run_id(d)));
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_metric(d, "late", 1, 0, 0));
    ck_assert_int_eq(db_int("SELECT sum(n) FROM metric_blocks"), before);
    mlops_run_free(r);
    mlops_run_free(d);
}
END_TEST

START_TEST(history_ranges_and_errors)
{
    mlops_run *r = new_run("e");
    mlops_metric m[2000];
    for (int i = 0; i < 2000; i++) m[i] = (mlops_metric){ "k", i, i * 3, 0 }; /* steps 0,3,6.. */
    TU_OK(mlops_run_log_metrics(r, m, 2000));
    mlops_history_opts o;
    TU_OK(mlops_history_opts_init(&o, MLOPS_HISTORY_OPTS_VERSION));
    ck_assert(o.step_min == INT64_MIN && o.step_max == INT64_MAX && o.buckets == 0);
    o.step_min = 3000;
    o.step_max = 3300; /* inclusive both ends, across a block boundary */
    mlops_metric_point *p;
    size_t n;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), "k", &o, &p, &n));
    ck_assert_uint_eq(n, 101);
    ck_assert_int_eq(p[0].step, 3000);
    ck_assert_int_eq(p[100].step, 3300);
    mlops_free(p);
    o.step_min = 1;
    o.step_max = 2;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), "k", &o, &p, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(p);
    o.step_min = 10;
    o.step_max = 9;
    TU_RC(MLOPS_EINVAL, mlops_metric_history(g_store, mlops_run_id(r), "k", &o, &p, &n));
    o.version = 77;
    TU_RC(MLOPS_EINVAL, mlops_metric_history(g_store, mlops_run_id(r), "k", &o, &p, &n));
    TU_RC(MLOPS_ENOTFOUND, mlops_metric_history(g_store, mlops_run_id(r), "nope", NULL, &p, &n));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "nope"));
    TU_RC(MLOPS_ENOTFOUND, mlops_metric_history(g_store, "0123456789abcdef0123456789abcdef",
                                                "k", NULL, &p, &n));
    TU_RC(MLOPS_EINVAL, mlops_metric_history(g_store, "xyz", "k", NULL, &p, &n));
    TU_RC(MLOPS_EINVAL, mlops_metric_history(g_store, mlops_run_id(r), "", NULL, &p, &n));
    TU_RC(MLOPS_EINVAL, mlops_metric_history(g_store, mlops_run_id(r), "k", NULL, NULL, &n));
    TU_RC(MLOPS_EINVAL, mlops_history_opts_init(NULL, 1));
    mlops_run_free(r);
}
END_TEST

START_TEST(history_downsampled_keeps_bucket_min_and_max)
{
    mlops_run *r = new_run("e");
    enum { N = 1000, B = 10 };
    static mlops_metric m[N];
    static double v[N];
    srand(3);
    for (int i = 0; i < N; i++) {
        v[i] = (double)(rand() % 100000) / 7.0;
        m[i] = (mlops_metric){ "k", v[i], i, 0 };
    }
    m[123].value = v[123] = NAN; /* skipped by min/max */
    TU_OK(mlops_run_log_metrics(r, m, N));
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.buckets = B;
    mlops_metric_point *p;
    size_t n;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), "k", &o, &p, &n));
    ck_assert_uint_eq(n, 2 * B);
    for (int b = 0; b < B; b++) { /* steps 0..999 in buckets of 100 */
        double lo = INFINITY, hi = -INFINITY;
        int64_t lo_step = -1, hi_step = -1;
        for (int i = b * 100; i < b * 100 + 100; i++) {
            if (isnan(v[i])) continue;
            if (v[i] < lo) lo = v[i], lo_step = i;
            if (v[i] > hi) hi = v[i], hi_step = i;
        }
        const mlops_metric_point *a = &p[2 * b], *z = &p[2 * b + 1];
        ck_assert(a->step < z->step);
        ck_assert_int_eq(a->step, lo_step < hi_step ? lo_step : hi_step);
        ck_assert_int_eq(z->step, lo_step < hi_step ? hi_step : lo_step);
        ck_assert(a->value == (lo_step < hi_step ? lo : hi));
    }
    mlops_free(p);
    /* range and buckets together; a bucket of only NaN keeps one point */
    mlops_metric nan_run[] = { { "n", NAN, 0, 0 }, { "n", NAN, 1, 0 }, { "n", 1, 10, 0 },
                               { "n", 5, 11, 0 },  { "n", 3, 12, 0 } };
    TU_OK(mlops_run_log_metrics(r, nan_run, 5));
    o.buckets = 2;
    o.step_min = 0;
    o.step_max = 12;
    TU_OK(mlops_metric_history(g_store, mlops_run_id(r), "n", &o, &p, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert(p[0].step == 0 && isnan(p[0].value));
    ck_assert(p[1].step == 10 && p[2].step == 11);
    mlops_free(p);
    mlops_run_free(r);
}
END_TEST

static void block_roundtrip(const mlops_metric_point *p, size_t n)
{
    unsigned char *buf = malloc(mlops__block_bound(n));
    size_t len = mlops__block_encode(p, n, buf);
    ck_assert_uint_le(len, mlops__block_bound(n));
    mlops_metric_point *out = malloc(n * sizeof *out);
    size_t got = 0, count = 0;
    TU_OK(mlops__block_count(buf, len, &count));
    ck_assert_uint_eq(count, n);
    TU_OK(mlops__block_decode(buf, len, out, &got));
    ck_assert_uint_eq(got, n);
    for (size_t i = 0; i < n; i++) ck_assert(mlops__point_cmp(&p[i], &out[i]) == 0);
    /* truncated, trailing bytes, wrong version: all refused */
    ck_assert_int_eq(mlops__block_decode(buf, len - 1, out, &got), MLOPS_ECORRUPT);
    ck_assert_int_eq(mlops__block_decode(buf, 1, out, &got), MLOPS_ECORRUPT);
    buf[0] = 2;
    ck_assert_int_eq(mlops__block_decode(buf, len, out, &got), MLOPS_ECORRUPT);
    free(buf);
    buf = malloc(mlops__block_bound(n) + 1);
    len = mlops__block_encode(p, n, buf);
    buf[len] = 0;
    ck_assert_int_eq(mlops__block_decode(buf, len + 1, out, &got), MLOPS_ECORRUPT);
    free(buf);
    free(out);
}

START_TEST(block_encoding_round_trips)
{
    static mlops_metric_point p[MLOPS__BLOCK_MAX];
    srand(11);
    int64_t step = -5000, ts = 1700000000000;
    for (int i = 0; i < MLOPS__BLOCK_MAX; i++) {
        step += rand() % 3 == 0 ? (int64_t)rand() * 1000 : 1;
        ts += rand() % 5 - 1;
        p[i] = (mlops_metric_point){ (double)rand() / 3.0, step, ts };
    }
    block_roundtrip(p, 1);
    block_roundtrip(p, MLOPS__BLOCK_MAX);
    /* one point per step, with the step and time jumping the whole range */
    mlops_metric_point wild[] = { { 1, INT64_MIN, INT64_MAX }, { 2, -1, INT64_MIN },
                                  { 3, INT64_MAX, 0 } };
    block_roundtrip(wild, 3);
    /* a count over the maximum is refused before anything is decoded */
    unsigned char big[] = { 1, 0x81, 0x08 }; /* 1025 */
    size_t n;
    ck_assert_int_eq(mlops__block_count(big, sizeof big, &n), MLOPS_ECORRUPT);
}
END_TEST

/* A call that returned is committed: kill the writer without warning and
 * every acknowledged point is there. */
START_TEST(acknowledged_points_survive_a_kill)
{
    mlops_run *r = new_run("e");
    char id[33];
    strcpy(id, mlops_run_id(r));
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        mlops_store *s;
        mlops_run *cr;
        if (mlops_store_open(g_dir, NULL, &s) || mlops_run_open(s, id, &cr)) _exit(1);
        for (int64_t i = 0;; i++) {
            if (mlops_run_log_metric(cr, "k", (double)i, i, i)) _exit(2);
            if (write(fds[1], &i, sizeof i) != sizeof i) _exit(3);
        }
    }
    close(fds[1]);
    int64_t acked = -1, v;
    while (acked < 200 && read(fds[0], &v, sizeof v) == sizeof v) acked = v;
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(fds[0]);
    ck_assert(WIFSIGNALED(status));
    mlops_store_close(g_store);
    TU_OK(mlops_store_open(g_dir, NULL, &g_store));
    size_t n;
    mlops_metric_point *p = NULL;
    TU_OK(mlops_metric_history(g_store, id, "k", NULL, &p, &n));
    ck_assert_uint_ge(n, (size_t)acked + 1);
    for (size_t i = 0; i < n; i++) ck_assert_int_eq(p[i].step, (int64_t)i);
    mlops_free(p);
    mlops_run_free(r);
}
END_TEST

/* ---- snapshots ---- */

START_TEST(run_get_has_everything)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *parent, *r;
    TU_OK(mlops_run_start(g_store, exp, "parent", &parent));
    mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
    o.name = "child";
    o.parent_run_id = mlops_run_id(parent);
    o.start_ms = 1000;
    TU_OK(mlops_run_start_ex(g_store, exp, &o, &r));
    TU_OK(mlops_run_log_param(r, "lr", "0.1"));
    TU_OK(mlops_run_set_tag(r, "team", "vision"));
    TU_OK(mlops_run_log_metric(r, "acc", 0.5, 1, 10));
    TU_OK(mlops_run_log_metric(r, "acc", 0.7, 2, 20));
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));

    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));
    ck_assert_str_eq(mlops_run_info_id(ri), mlops_run_id(r));
    ck_assert_int_eq(mlops_run_info_experiment_id(ri), exp);
    ck_assert_str_eq(mlops_run_info_name(ri), "child");
    ck_assert_str_eq(mlops_run_info_parent_id(ri), mlops_run_id(parent));
    ck_assert_int_eq(mlops_run_info_status(ri), MLOPS_RUN_FINISHED);
    ck_assert_int_eq(mlops_run_info_start_ms(ri), 1000);
    ck_assert_int_gt(mlops_run_info_end_ms(ri), 1000);
    ck_assert_int_eq(mlops_run_info_deleted_ms(ri), 0);
    ck_assert_str_eq(mlops_run_info_param(ri, "lr"), "0.1");
    ck_assert_str_eq(mlops_run_info_tag(ri, "team"), "vision");
    ck_assert_ptr_nonnull(mlops_run_info_tag(ri, MLOPS_TAG_HOST));
    size_t nt;
    mlops_run_info_tags(ri, &nt);
    ck_assert_uint_eq(nt, 4); /* team + user, host, source */
    const mlops_metric_summary *m = mlops_run_info_metric(ri, "acc");
    ck_assert(m->last == 0.7 && m->last_step == 2 && m->last_ts_ms == 20);
    ck_assert(m->min == 0.5 && m->max == 0.7 && m->count == 2);
    ck_assert_ptr_null(mlops_run_info_metric(ri, "nope"));
    mlops_run_info_free(ri);

    TU_OK(mlops_run_get(g_store, mlops_run_id(parent), &ri));
    ck_assert_ptr_null(mlops_run_info_parent_id(ri));
    ck_assert_int_eq(mlops_run_info_status(ri), MLOPS_RUN_RUNNING);
    ck_assert_int_eq(mlops_run_info_end_ms(ri), 0);
    size_t np = 9;
    ck_assert_ptr_null(mlops_run_info_params(ri, &np));
    ck_assert_uint_eq(np, 0);
    mlops_run_info_free(ri);

    TU_RC(MLOPS_ENOTFOUND, mlops_run_get(g_store, "0123456789abcdef0123456789abcdef", &ri));
    TU_RC(MLOPS_EINVAL, mlops_run_get(g_store, "zz", &ri));
    ck_assert_int_eq(mlops_run_info_status(NULL), -1);
    ck_assert_ptr_null(mlops_run_info_param(NULL, "x"));
    mlops_run_info_free(NULL);
    mlops_run_free(parent);
    mlops_run_free(r);
}
END_TEST

START_TEST(run_list_by_lifecycle)
{
    int64_t exp, other;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    TU_OK(mlops_experiment_create(g_store, "other", &other));
    char ids[3][33];
    for (int i = 0; i < 3; i++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.start_ms = 1000 + i;
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, exp, &o, &r));
        strcpy(ids[i], mlops_run_id(r));
        mlops_run_free(r);
    }
    mlops_run *x;
    TU_OK(mlops_run_start(g_store, other, NULL, &x));
    mlops_run_free(x);
    TU_OK(mlops_run_delete(g_store, ids[1]));
    mlops_run_info **l;
    size_t n;
    TU_OK(mlops_run_list(g_store, exp, MLOPS_LIFECYCLE_ACTIVE, &l, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(mlops_run_info_id(l[0]), ids[2]); /* newest first */
    ck_assert_str_eq(mlops_run_info_id(l[1]), ids[0]);
    mlops_run_info_list_free(l, n);
    TU_OK(mlops_run_list(g_store, exp, MLOPS_LIFECYCLE_DELETED, &l, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(mlops_run_info_id(l[0]), ids[1]);
    ck_assert_int_gt(mlops_run_info_deleted_ms(l[0]), 0);
    mlops_run_info_list_free(l, n);
    TU_OK(mlops_run_list(g_store, exp, MLOPS_LIFECYCLE_ALL, &l, &n));
    ck_assert_uint_eq(n, 3);
    mlops_run_info_list_free(l, n);
    TU_RC(MLOPS_ENOTFOUND, mlops_run_list(g_store, 999, 0, &l, &n));
    TU_RC(MLOPS_EINVAL, mlops_run_list(g_store, exp, 3, &l, &n));
}
END_TEST

/* The 1.1 readers of a snapshot: params, tags and metric summaries by
 * index, in key order, the same items the 1.0 arrays hold. */
START_TEST(run_info_items_by_index)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, exp, NULL, &r));
    TU_OK(mlops_run_log_param(r, "lr", "0.1"));
    TU_OK(mlops_run_log_param(r, "batch", "32"));
    TU_OK(mlops_run_tag_set(r, "team", "vision"));
    TU_OK(mlops_run_log_metric(r, "loss", 0.25, 1, 10));
    TU_OK(mlops_run_log_metric(r, "acc", 0.5, 1, 10));
    TU_OK(mlops_run_log_metric(r, "acc", 0.75, 2, 20));
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(r), &ri));

    ck_assert_uint_eq(mlops_run_info_param_count(ri), 2);
    const char *k = NULL, *v = NULL;
    TU_OK(mlops_run_info_param_at(ri, 0, &k, &v));
    ck_assert_str_eq(k, "batch");
    ck_assert_str_eq(v, "32");
    TU_OK(mlops_run_info_param_at(ri, 1, NULL, &v));
    ck_assert_str_eq(v, "0.1");
    TU_RC(MLOPS_EINVAL, mlops_run_info_param_at(ri, 2, &k, &v));
    ck_assert_str_eq(mlops_last_error(), "mlops_run_info_param_at: index 2 is not below 2");

    size_t nt = 0;
    const mlops_kv *tags = mlops_run_info_tags(ri, &nt);
    ck_assert_uint_eq(mlops_run_info_tag_count(ri), nt);
    ck_assert_uint_eq(nt, 4); /* team + user, host, source */
    for (size_t i = 0; i < nt; i++) {
        TU_OK(mlops_run_info_tag_at(ri, i, &k, &v));
        ck_assert_str_eq(k, tags[i].key);
        ck_assert_str_eq(v, tags[i].value);
        if (i) ck_assert_int_lt(strcmp(tags[i - 1].key, k), 0);
    }
    TU_RC(MLOPS_EINVAL, mlops_run_info_tag_at(ri, nt, NULL, NULL));
    ck_assert_str_eq(mlops_run_info_tag(ri, "team"), "vision");

    ck_assert_uint_eq(mlops_run_info_metric_count(ri), 2);
    const mlops_metric_summary *m = NULL;
    TU_OK(mlops_run_info_metric_at(ri, 0, &m));
    ck_assert_str_eq(m->key, "acc");
    ck_assert(m->last == 0.75 && m->min == 0.5 && m->max == 0.75 && m->count == 2);
    ck_assert_ptr_eq(m, mlops_run_info_metric(ri, "acc"));
    TU_OK(mlops_run_info_metric_at(ri, 1, &m));
    ck_assert_str_eq(m->key, "loss");
    TU_OK(mlops_run_info_metric_at(ri, 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_info_metric_at(ri, 2, &m));
    ck_assert_str_eq(m->key, "loss"); /* untouched on error */
    mlops_run_info_free(ri);

    ck_assert_uint_eq(mlops_run_info_param_count(NULL), 0);
    ck_assert_uint_eq(mlops_run_info_tag_count(NULL), 0);
    ck_assert_uint_eq(mlops_run_info_metric_count(NULL), 0);
    TU_RC(MLOPS_EINVAL, mlops_run_info_param_at(NULL, 0, &k, &v));
    TU_RC(MLOPS_EINVAL, mlops_run_info_tag_at(NULL, 0, &k, &v));
    TU_RC(MLOPS_EINVAL, mlops_run_info_metric_at(NULL, 0, &m));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_run_info_metric_at: "));
    mlops_run_free(r);
}
END_TEST

START_TEST(run_list_ex_by_lifecycle)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    char ids[3][33];
    for (int i = 0; i < 3; i++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.start_ms = 1000 + i;
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, exp, &o, &r));
        strcpy(ids[i], mlops_run_id(r));
        mlops_run_free(r);
    }
    TU_OK(mlops_run_delete(g_store, ids[1]));
    mlops_run_infos *l = NULL;
    TU_OK(mlops_run_list_ex(g_store, exp, MLOPS_LIFECYCLE_ACTIVE, &l));
    ck_assert_uint_eq(mlops_run_infos_count(l), 2);
    ck_assert_str_eq(mlops_run_info_id(mlops_run_infos_at(l, 0)), ids[2]); /* newest first */
    ck_assert_str_eq(mlops_run_info_id(mlops_run_infos_at(l, 1)), ids[0]);
    ck_assert_ptr_null(mlops_run_infos_at(l, 2));
    mlops_run_infos_free(l);
    TU_OK(mlops_run_list_ex(g_store, exp, MLOPS_LIFECYCLE_DELETED, &l));
    ck_assert_uint_eq(mlops_run_infos_count(l), 1);
    ck_assert_str_eq(mlops_run_info_id(mlops_run_infos_at(l, 0)), ids[1]);
    mlops_run_infos_free(l);
    TU_OK(mlops_run_list_ex(g_store, exp, MLOPS_LIFECYCLE_ALL, &l));
    ck_assert_uint_eq(mlops_run_infos_count(l), 3);
    mlops_run_infos_free(l);

    int64_t empty;
    TU_OK(mlops_experiment_create(g_store, "empty", &empty));
    TU_OK(mlops_run_list_ex(g_store, empty, MLOPS_LIFECYCLE_ALL, &l));
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(mlops_run_infos_count(l), 0);
    mlops_run_infos_free(l);

    l = (mlops_run_infos *)&empty;
    TU_RC(MLOPS_ENOTFOUND, mlops_run_list_ex(g_store, 999, 0, &l));
    ck_assert_ptr_null(l);
    ck_assert_str_eq(mlops_last_error(), "mlops_run_list_ex: no experiment with id 999");
    TU_RC(MLOPS_EINVAL, mlops_run_list_ex(g_store, exp, 3, &l));
    ck_assert_str_eq(mlops_last_error(), "mlops_run_list_ex: unknown lifecycle 3");
    TU_RC(MLOPS_EINVAL, mlops_run_list_ex(g_store, exp, -1, &l));
    /* the 1.0 function still names itself */
    mlops_run_info **old;
    size_t n;
    TU_RC(MLOPS_ENOTFOUND, mlops_run_list(g_store, 999, 0, &old, &n));
    ck_assert_str_eq(mlops_last_error(), "mlops_run_list: no experiment with id 999");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("track_metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, params_are_immutable);
    tcase_add_test(tc, params_batch_is_all_or_nothing);
    tcase_add_test(tc, param_limits_and_bad_input);
    tcase_add_test(tc, special_values_keep_their_bits);
    tcase_add_test(tc, summary_tracks_last_min_max_count);
    tcase_add_test(tc, relogging_a_point_is_a_no_op);
    tcase_add_test(tc, a_batch_of_many_keys_keeps_each_series);
    tcase_add_test(tc, out_of_order_points_come_back_sorted);
    tcase_add_test(tc, point_by_point_logging_fills_blocks);
    tcase_add_test(tc, extreme_steps_and_times);
    tcase_add_test(tc, history_one_bucket_over_every_step);
    tcase_add_test(tc, history_refuses_a_block_with_a_wrong_count);
    tcase_add_test(tc, metric_keys_and_bad_input_write_nothing);
    tcase_add_test(tc, history_ranges_and_errors);
    tcase_add_test(tc, history_downsampled_keeps_bucket_min_and_max);
    tcase_add_test(tc, run_info_items_by_index);
    tcase_add_test(tc, run_list_ex_by_lifecycle);
    tcase_add_test(tc, block_encoding_round_trips);
    tcase_add_test(tc, acknowledged_points_survive_a_kill);
    tcase_add_test(tc, run_get_has_everything);
    tcase_add_test(tc, run_list_by_lifecycle);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
