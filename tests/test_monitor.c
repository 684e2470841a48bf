/* Monitors (include/mlops/monitor.h, doc/monitoring.md): create, the spec
 * that never changes, ingest's documented behaviours (out of order,
 * duplicates, future and late rows, empty batches, unknown columns),
 * judging once, in order, with not-enough-data windows skipped by the
 * rule, the alert's hysteresis, events and series; a format 5 store's
 * windows read and merged after the migration to 6; and the acceptance
 * test: a year (shorter under the sanitizers and on PostgreSQL) of hourly
 * data with drift in known windows, ingested as shuffled batches from 4
 * processes, gives the events the rule says and
 * the same events as one ordered ingest. Runs on SQLite and, as
 * monitor_pg, on PostgreSQL. */
#include "store/store_internal.h"
#include "cas_testutil.h"
#include "testutil.h"
#include "tu_db.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <mlops.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOUR 3600000LL
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

static char *base, *dir;
static mlops_store *S;
static mlops_digest REF_X, REF_C;

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u = urand(), v = urand();
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static const char *CATS[] = { "a", "b", "c" };

static mlops_store *open_monitor_store(void)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

static void setup(void)
{
    base = tu_tmpdir();
    dir = tu_store_dir(base, "store");
    S = open_monitor_store();
    rng_state = 42;
    mlops_profile *px = NULL, *pc = NULL;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &px));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &pc));
    double v[2000];
    const char *c[2000];
    for (int i = 0; i < 2000; i++) {
        v[i] = nrand();
        c[i] = CATS[i % 3];
    }
    TU_OK(mlops_profile_add(px, v, 2000));
    TU_OK(mlops_profile_add_strings(pc, c, 2000));
    TU_OK(mlops_profile_put(S, px, &REF_X));
    TU_OK(mlops_profile_put(S, pc, &REF_C));
    mlops_profile_free(px);
    mlops_profile_free(pc);
}

static void teardown(void)
{
    mlops_store_close(S);
    S = NULL;
    tu_rmrf(base);
    free(base);
    free(dir);
}

static mlops_monitor_column COLS[2];

static mlops_monitor_spec spec_for(uint32_t m, uint32_t n, uint32_t pending, uint32_t keep)
{
    COLS[0] = (mlops_monitor_column){ "x", REF_X, MLOPS_DRIFT_METHOD_AUTO, NAN };
    COLS[1] = (mlops_monitor_column){ "c", REF_C, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 2;
    sp.columns = COLS;
    sp.min_rows = 10;
    sp.alert_m = m;
    sp.alert_n = n;
    sp.pending = pending;
    sp.keep_firing = keep;
    sp.alpha = 0.001;
    sp.drift_share = 1.0;
    return sp;
}

/* Rows of one hour: drifted rows have x shifted by 3 and category "c" only. */
typedef struct rows {
    size_t n, cap;
    int64_t *t;
    double *x;
    const char **c;
} rows;

static void rows_add(rows *r, int64_t t, int drift)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->t = realloc(r->t, r->cap * sizeof *r->t);
        r->x = realloc(r->x, r->cap * sizeof *r->x);
        r->c = realloc(r->c, r->cap * sizeof *r->c);
        ck_assert(r->t && r->x && r->c);
    }
    r->t[r->n] = t;
    r->x[r->n] = nrand() + (drift ? 3.0 : 0.0);
    r->c[r->n] = drift ? "c" : CATS[(int)(urand() * 3.0) % 3];
    r->n++;
}

static void rows_free(rows *r)
{
    free(r->t);
    free(r->x);
    free(r->c);
    memset(r, 0, sizeof *r);
}

static int ingest(mlops_store *s, const char *name, const rows *r, size_t from, size_t n,
                  mlops_monitor_ingest_result *res)
{
    const char *names[] = { "c", "x" };
    const double *num[] = { NULL, r->x + from };
    const char *const *str[] = { r->c + from, NULL };
    return mlops_monitor_ingest(s, name, n, r->t + from, 2, names, num, str, NULL, res);
}

static int check_at(mlops_store *s, const char *name, int64_t now, mlops_monitor_status *st)
{
    mlops_monitor_check_opts o = MLOPS_MONITOR_CHECK_OPTS_INIT;
    o.now_ms = now;
    return mlops_monitor_check(s, name, &o, st);
}

/* The windows' stored profiles do not depend on the threads nor on the
 * cut's path: a time-ordered batch (cut without a sort) and the same rows
 * with a window moved to the batch's end (sorted), at 1 and at 2
 * threads, give every window the same packed blob, byte for byte (the
 * blobs' digests). A store of small chunks makes many blobs per ingest,
 * written in parallel. */
static char *packed_digests(const char *d, const char *monitor)
{
    tu_db *db = tu_db_open(d);
    char sql[400];
    snprintf(sql, sizeof sql,
             tu_db_dialect(db) == 2
                 ? "SELECT string_agg(w.start_ms::text || ':' || encode(w.profiles, 'hex'), ',' "
                   "ORDER BY w.start_ms) FROM mon_windows w JOIN mon_monitors m ON m.id = w.monitor_id "
                   "WHERE m.name = '%s'"
                 : "SELECT group_concat(s, ',') FROM (SELECT w.start_ms || ':' || hex(w.profiles) AS s "
                   "FROM mon_windows w JOIN mon_monitors m ON m.id = w.monitor_id WHERE m.name = '%s' "
                   "ORDER BY w.start_ms)",
             monitor);
    char *t = tu_db_text(db, sql);
    tu_db_close(db);
    ck_assert_ptr_nonnull(t);
    return t;
}

START_TEST(same_bytes_at_any_thread_count)
{
    char *sd = tu_store_dir(base, "small");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.chunk_min_size = 1024;
    o.chunk_avg_size = 4096;
    o.chunk_max_size = 16384;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(sd, &o, &s));
    mlops_profile *px = NULL, *pc = NULL;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &px));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &pc));
    rows ref = { 0 };
    for (int i = 0; i < 3000; i++) rows_add(&ref, T0, 0);
    TU_OK(mlops_profile_add(px, ref.x, ref.n));
    TU_OK(mlops_profile_add_strings(pc, ref.c, ref.n));
    mlops_monitor_spec sp = spec_for(1, 60, 0, 0);
    TU_OK(mlops_profile_put(s, px, &COLS[0].reference));
    TU_OK(mlops_profile_put(s, pc, &COLS[1].reference));
    mlops_profile_free(px);
    mlops_profile_free(pc);
    rows_free(&ref);
    /* 60 hours of 50 to 2,500 rows (a window over the sketch's k of 2,048
     * values compacts; one over the chunk is put alone). */
    rows r = { 0 };
    for (int h = 0; h < 60; h++) {
        int n = h == 7 ? 2500 : 50 + (h * 37) % 400;
        for (int i = 0; i < n; i++) rows_add(&r, T0 + h * HOUR + i, h % 5 == 0);
    }
    /* The same rows with hour 0's moved to the end: out of order. */
    rows moved = { 0 };
    size_t first = 0;
    while (first < r.n && r.t[first] < T0 + HOUR) first++;
    for (size_t i = 0; i < r.n; i++) {
        size_t j = (i + first) % r.n;
        if (moved.n == moved.cap) rows_add(&moved, 0, 0), moved.n--; /* grow */
        moved.t[moved.n] = r.t[j];
        moved.x[moved.n] = r.x[j];
        moved.c[moved.n] = r.c[j];
        moved.n++;
    }
    const char *names[] = { "c", "x" };
    const char *monitors[] = { "in-order-1", "in-order-2", "moved-1", "moved-2" };
    for (int k = 0; k < 4; k++) {
        const rows *b = k < 2 ? &r : &moved;
        TU_OK(mlops_monitor_create(s, monitors[k], &sp));
        mlops_monitor_ingest_opts io = MLOPS_MONITOR_INGEST_OPTS_INIT;
        io.threads = k % 2 ? 2 : 1;
        const double *num[] = { NULL, b->x };
        const char *const *str[] = { b->c, NULL };
        mlops_monitor_ingest_result res = MLOPS_MONITOR_INGEST_RESULT_INIT;
        TU_OK(mlops_monitor_ingest(s, monitors[k], b->n, b->t, 2, names, num, str, &io, &res));
        ck_assert_uint_eq(res.rows, r.n);
        ck_assert_uint_eq(res.windows, 60);
    }
    char *want = packed_digests(sd, monitors[0]);
    /* Several blobs, or the parallel put was not exercised. */
    ck_assert_msg(strncmp(strchr(want, ':'), strrchr(want, ':'), 65) != 0, "one blob for every window");
    for (int k = 1; k < 4; k++) {
        char *got = packed_digests(sd, monitors[k]);
        ck_assert_msg(!strcmp(got, want), "%s stored other bytes", monitors[k]);
        free(got);
    }
    /* And they judge the same, on 1 thread or on several (a check judges
     * runs of windows on the pool): the same figures, byte for byte. */
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    for (int k = 0; k < 4; k++) {
        mlops_store_close(s);
        o.threads = k % 2 ? 4 : 1;
        TU_OK(mlops_store_open(sd, &o, &s));
        TU_OK(check_at(s, monitors[k], T0 + 100 * HOUR, &st));
        ck_assert_uint_eq(st.windows_judged, 60);
        ck_assert_uint_eq(st.considered, 60);
        ck_assert_uint_eq(st.breaches, 12); /* hours 0, 5, ..., 55 */
    }
    char *judged[4];
    for (int k = 0; k < 4; k++) {
        tu_db *db = tu_db_open(sd);
        char sql[400];
        snprintf(sql, sizeof sql,
                 tu_db_dialect(db) == 2
                     ? "SELECT string_agg(w.state::text || ':' || encode(w.judged, 'hex'), ',' "
                       "ORDER BY w.start_ms) FROM mon_windows w JOIN mon_monitors m ON m.id = w.monitor_id "
                       "WHERE m.name = '%s'"
                     : "SELECT group_concat(s, ',') FROM (SELECT w.state || ':' || hex(w.judged) AS s "
                       "FROM mon_windows w JOIN mon_monitors m ON m.id = w.monitor_id WHERE m.name = '%s' "
                       "ORDER BY w.start_ms)",
                 monitors[k]);
        judged[k] = tu_db_text(db, sql);
        tu_db_close(db);
        ck_assert_ptr_nonnull(judged[k]);
        ck_assert_msg(!strcmp(judged[k], judged[0]), "%s judged otherwise", monitors[k]);
    }
    for (int k = 0; k < 4; k++) free(judged[k]);
    /* A check keeps a blob for the windows after the first it holds, but
     * still verifies each blob it fetches: a damaged one (here the
     * second, fetched after the first was kept) fails the check, which
     * then records nothing. */
    TU_OK(mlops_monitor_create(s, "damaged", &sp));
    {
        const double *num[] = { NULL, r.x };
        const char *const *str[] = { r.c, NULL };
        TU_OK(mlops_monitor_ingest(s, "damaged", r.n, r.t, 2, names, num, str, NULL, NULL));
    }
    char *blobs = packed_digests(sd, "damaged"), *second = strchr(blobs, ':') + 1;
    while (!strncmp(second, strchr(blobs, ':') + 1, 64)) second = strchr(second, ':') + 1;
    char text[MLOPS_DIGEST_STRLEN] = "sha256:";
    for (int i = 0; i < 64; i++) text[7 + i] = (char)tolower((unsigned char)second[i]);
    mlops_digest hurt;
    TU_OK(mlops_digest_parse(text, &hurt));
    flip_object_byte(s, &hurt, 10);
    TU_RC(MLOPS_ECORRUPT, check_at(s, "damaged", T0 + 100 * HOUR, &st));
    ck_assert_int_eq(tu_sql_int64(sd, "SELECT count(*) FROM mon_windows w JOIN mon_monitors m ON "
                                      "m.id = w.monitor_id WHERE m.name = 'damaged' AND w.state <> 0"),
                     0);
    free(blobs);
    free(want);
    rows_free(&r);
    rows_free(&moved);
    mlops_store_close(s);
    free(sd);
}
END_TEST

START_TEST(create_get_list_delete)
{
    mlops_monitor_spec sp = spec_for(2, 3, 0, 0);
    TU_OK(mlops_monitor_create(S, "churn", &sp));
    TU_OK(mlops_monitor_create(S, "churn", &sp)); /* the same spec: nothing changes */
    mlops_monitor_spec other = sp;
    other.window_ms = 2 * HOUR;
    TU_RC(MLOPS_ECONFLICT, mlops_monitor_create(S, "churn", &other));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "another spec"));
    other = sp;
    other.alert_m = 1;
    TU_RC(MLOPS_ECONFLICT, mlops_monitor_create(S, "churn", &other));
    mlops_monitor *m = NULL;
    TU_OK(mlops_monitor_get(S, "churn", &m));
    ck_assert_str_eq(mlops_monitor_name(m), "churn");
    mlops_monitor_spec got = MLOPS_MONITOR_SPEC_INIT;
    TU_OK(mlops_monitor_spec_get(m, &got));
    ck_assert_uint_eq(got.n_columns, 2);
    ck_assert_str_eq(got.columns[1].name, "c");
    ck_assert(isnan(got.columns[1].threshold));
    ck_assert_int_eq(got.window_ms, HOUR);
    ck_assert_uint_eq(got.alert_m, 2);
    ck_assert_uint_eq(got.alert_n, 3);
    ck_assert(!memcmp(got.columns[0].reference.bytes, REF_X.bytes, 32));
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(mlops_monitor_status_get(m, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_INACTIVE);
    ck_assert(st.judged_to_ms == INT64_MIN);
    mlops_monitor_free(m);
    TU_OK(mlops_monitor_create(S, "acme", &sp));
    mlops_monitors *l = NULL;
    TU_OK(mlops_monitor_list(S, &l));
    ck_assert_uint_eq(mlops_monitors_count(l), 2);
    ck_assert_str_eq(mlops_monitor_name(mlops_monitors_at(l, 0)), "acme");
    ck_assert_ptr_null(mlops_monitors_at(l, 2));
    mlops_monitors_free(l);
    TU_OK(mlops_monitor_delete(S, "acme"));
    TU_RC(MLOPS_ENOTFOUND, mlops_monitor_delete(S, "acme"));
    TU_RC(MLOPS_ENOTFOUND, mlops_monitor_get(S, "acme", &m));
    /* Bad specs. */
    mlops_digest missing;
    TU_OK(mlops_digest_compute("nope", 4, &missing));
    other = sp;
    mlops_monitor_column bad[2] = { COLS[0], COLS[1] };
    bad[1].reference = missing;
    other.columns = bad;
    TU_RC(MLOPS_ENOTFOUND, mlops_monitor_create(S, "x1", &other));
    bad[1] = COLS[1];
    bad[1].method = MLOPS_DRIFT_METHOD_KS; /* a categorical reference */
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other));
    bad[1] = COLS[0];
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other)); /* "x" twice */
    /* a p-value's threshold of 1 or more (judging used alpha instead);
     * a distance's may be */
    bad[1] = COLS[1];
    bad[1].threshold = 1.0;
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "below 1"));
    bad[1].method = MLOPS_DRIFT_METHOD_CHISQ;
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other));
    bad[1].method = MLOPS_DRIFT_METHOD_PSI;
    bad[1].threshold = 1.5;
    TU_OK(mlops_monitor_create(S, "x1", &other));
    TU_OK(mlops_monitor_delete(S, "x1"));
    other = sp;
    other.window_ms = 1000;
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other));
    other = sp;
    other.alert_m = 4;
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other));
    other = sp;
    other.breach_column = "nope";
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "x1", &other));
    TU_RC(MLOPS_ENOTFOUND, mlops_monitor_get(S, "x1", &m));
}
END_TEST

START_TEST(ingest_behaviours)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    sp.lateness_ms = HOUR;
    TU_OK(mlops_monitor_create(S, "m", &sp));
    rows r = { 0 };
    /* Out of order across three hours, with duplicate times, and one row
     * in the far future. */
    for (int i = 0; i < 60; i++) rows_add(&r, T0 + (2 - i % 3) * HOUR + 5, 0);
    rows_add(&r, T0 + 1000 * HOUR, 0);
    mlops_monitor_ingest_result res = MLOPS_MONITOR_INGEST_RESULT_INIT;
    TU_OK(ingest(S, "m", &r, 0, r.n, &res));
    ck_assert_uint_eq(res.rows, 61);
    ck_assert_uint_eq(res.windows, 4);
    ck_assert_uint_eq(res.late_rows, 0);
    /* Empty batch: nothing changes. */
    TU_OK(ingest(S, "m", &r, 0, 0, &res));
    ck_assert_uint_eq(res.rows, 0);
    /* Unknown, missing and mistyped columns refuse the whole batch. */
    const char *names[] = { "c", "y" };
    const double *num[] = { NULL, r.x };
    const char *const *str[] = { r.c, NULL };
    TU_RC(MLOPS_EINVAL, mlops_monitor_ingest(S, "m", r.n, r.t, 2, names, num, str, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no column 'y'"));
    TU_RC(MLOPS_EINVAL, mlops_monitor_ingest(S, "m", r.n, r.t, 1, names, num, str, NULL, NULL));
    const char *names2[] = { "x", "c" };
    TU_RC(MLOPS_EINVAL, mlops_monitor_ingest(S, "m", r.n, r.t, 2, names2, num, str, NULL, NULL));
    int64_t huge = INT64_MAX - 5;
    const char *n1[] = { "c", "x" };
    double one = 0.5;
    const char *s1 = "a";
    const double *num1[] = { NULL, &one };
    const char *const *str1[] = { &s1, NULL };
    TU_RC(MLOPS_EINVAL, mlops_monitor_ingest(S, "m", 1, &huge, 2, n1, num1, str1, NULL, NULL));
    TU_RC(MLOPS_ENOTFOUND, ingest(S, "nope", &r, 0, r.n, NULL));
    /* Judge at T0 + 3h: windows ending at or before T0 + 2h are due (one
     * hour of lateness); the far-future window is not. */
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "m", T0 + 3 * HOUR, &st));
    ck_assert_int_eq(st.judged_to_ms, T0 + 2 * HOUR);
    ck_assert_uint_eq(st.windows_judged, 2);
    /* A clock that goes back changes nothing. */
    TU_OK(check_at(S, "m", T0, &st));
    ck_assert_int_eq(st.judged_to_ms, T0 + 2 * HOUR);
    /* Late rows merge into a judged window without a new judgment, and a
     * window first seen after it was due is LATE, never judged. */
    rows late = { 0 };
    for (int i = 0; i < 20; i++) rows_add(&late, T0 + 10, 1);
    for (int i = 0; i < 20; i++) rows_add(&late, T0 - 5 * HOUR, 1);
    TU_OK(ingest(S, "m", &late, 0, late.n, &res));
    ck_assert_uint_eq(res.late_rows, 40);
    TU_OK(check_at(S, "m", T0 + 4 * HOUR, &st));
    ck_assert_uint_eq(st.windows_judged, 3);
    ck_assert_int_eq(st.state, MLOPS_MONITOR_INACTIVE);
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, "m", INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), 5);
    ck_assert_uint_eq(mlops_monitor_series_columns(sr), 2);
    ck_assert_str_eq(mlops_monitor_series_column_name(sr, 0), "x");
    mlops_monitor_window w;
    TU_OK(mlops_monitor_series_window(sr, 0, &w));
    ck_assert_int_eq(w.start_ms, T0 - 5 * HOUR);
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_LATE);
    TU_OK(mlops_monitor_series_window(sr, 1, &w));
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_CLEAR);
    ck_assert_uint_eq(w.rows, 40);
    ck_assert_uint_eq(w.judged_rows, 20);
    mlops_monitor_window_column cell;
    TU_OK(mlops_monitor_series_cell(sr, 1, 0, &cell));
    ck_assert_int_eq(cell.drifted, 0);
    ck_assert(cell.p_value > 0.001 && cell.statistic >= 0.0);
    TU_OK(mlops_monitor_series_window(sr, 4, &w));
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_OPEN);
    TU_OK(mlops_monitor_series_cell(sr, 4, 1, &cell));
    ck_assert_int_eq(cell.drifted, -1);
    TU_RC(MLOPS_EINVAL, mlops_monitor_series_window(sr, 5, &w));
    mlops_monitor_series_free(sr);
    rows_free(&r);
    rows_free(&late);
}
END_TEST

/* A window whose first rows arrive while a check runs, in the range the
 * check judges but after it read the windows (here: another handle's
 * ingest at the check's first object read, which comes after that), is
 * due yet was not judged: the check marks it LATE. It used to stay OPEN
 * behind judged_to for good, never judged nor late. */
static struct {
    int (*open)(mlops__objects *, const mlops_digest *, mlops__obj_in **, uint64_t *);
    int done;
} ingest_at_open;

static int ingesting_open(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out,
                          uint64_t *len)
{
    if (!__atomic_exchange_n(&ingest_at_open.done, 1, __ATOMIC_SEQ_CST)) {
        mlops_store *other = open_monitor_store();
        rows r = { 0 };
        for (int i = 0; i < 20; i++) rows_add(&r, T0 + HOUR + 5, 0);
        TU_OK(ingest(other, "m", &r, 0, r.n, NULL));
        rows_free(&r);
        mlops_store_close(other);
    }
    return ingest_at_open.open(be, d, out, len);
}

START_TEST(window_made_during_a_check_is_late)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "m", &sp));
    rows r = { 0 };
    for (int i = 0; i < 20; i++) rows_add(&r, T0 + 5, 0);
    for (int i = 0; i < 20; i++) rows_add(&r, T0 + 2 * HOUR + 5, 0);
    TU_OK(ingest(S, "m", &r, 0, r.n, NULL));
    rows_free(&r);
    ingest_at_open.open = S->objects->open;
    ingest_at_open.done = 0;
    S->objects->open = ingesting_open;
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    int rc = check_at(S, "m", T0 + 3 * HOUR, &st);
    S->objects->open = ingest_at_open.open;
    TU_OK(rc);
    ck_assert_int_eq(ingest_at_open.done, 1);
    ck_assert_int_eq(st.judged_to_ms, T0 + 3 * HOUR);
    ck_assert_uint_eq(st.windows_judged, 2);
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, "m", INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), 3);
    mlops_monitor_window w;
    TU_OK(mlops_monitor_series_window(sr, 1, &w));
    ck_assert_int_eq(w.start_ms, T0 + HOUR);
    ck_assert_uint_eq(w.rows, 20);
    ck_assert_msg(w.state == MLOPS_MONITOR_WINDOW_LATE,
                  "a window made while the check ran, behind its judged_to, is in state %d", w.state);
    mlops_monitor_series_free(sr);
    /* and no later check judges it */
    TU_OK(check_at(S, "m", T0 + 4 * HOUR, &st));
    ck_assert_uint_eq(st.windows_judged, 2);
}
END_TEST

/* The rule, computed independently: breach[k] per judged window k (-1 for
 * not enough data, skipped), events appended as (kind, k). */
static size_t expected_events(const int *breach, size_t n, uint32_t M, uint32_t N, uint32_t P,
                              uint32_t K, int *kinds, size_t *at, int *firing_after)
{
    int hist[64] = { 0 };
    size_t count = 0, nev = 0;
    int firing = 0;
    uint32_t held = 0, cleared = 0;
    for (size_t k = 0; k < n; k++) {
        if (breach[k] >= 0) {
            memmove(hist + 1, hist, 63 * sizeof *hist);
            hist[0] = breach[k];
            count++;
            uint32_t b = 0;
            for (uint32_t i = 0; i < N; i++) b += (uint32_t)hist[i];
            int holds = b >= M;
            if (firing) {
                cleared = holds ? 0 : cleared + 1;
                if (cleared > K) {
                    firing = 0;
                    cleared = 0;
                    kinds[nev] = MLOPS_MONITOR_EVENT_RESOLVED;
                    at[nev++] = k;
                }
            } else {
                held = holds ? held + 1 : 0;
                if (held > P) {
                    firing = 1;
                    held = 0;
                    kinds[nev] = MLOPS_MONITOR_EVENT_FIRING;
                    at[nev++] = k;
                }
            }
        }
        firing_after[k] = firing;
    }
    return nev;
}

static int env_small(void)
{
    const char *e = getenv("MLOPS_TEST_SMALL");
    return e && *e && strcmp(e, "0");
}

static int is_drift_hour(size_t h)
{
    static const size_t spans[][2] = { { 100, 110 }, { 400, 401 }, { 403, 404 }, { 406, 407 },
                                       { 700, 703 }, { 705, 707 }, { 1200, 1202 }, { 3000, 3030 },
                                       { 6000, 6004 }, { 8000, 8001 } };
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++)
        if (h >= spans[i][0] && h < spans[i][1]) return 1;
    return 0;
}

START_TEST(a_year_from_four_processes)
{
    /* A year by default. Shorter where the year would not fit the test
     * budget: 30 days under the sanitizers (MLOPS_TEST_SMALL), 40 days on
     * PostgreSQL (the monitor_pg run: the same code on another backend,
     * each statement a round trip). MLOPS_TEST_MONITOR_YEAR=1 forces the
     * year, =0 the 40 days. */
    const char *year = getenv("MLOPS_TEST_MONITOR_YEAR"), *backend = getenv("MLOPS_TEST_BACKEND");
    int short_span = env_small() || (backend && !strcmp(backend, "postgres"));
    if (year && *year) short_span = !strcmp(year, "0");
    size_t hours = !short_span ? 24 * 365 : env_small() ? 24 * 30 : 24 * 40;
    uint32_t M = 3, N = 5, P = 1, K = 2;
    mlops_monitor_spec sp = spec_for(M, N, P, K);
    TU_OK(mlops_monitor_create(S, "par", &sp));
    TU_OK(mlops_monitor_create(S, "seq", &sp));
    /* 24 rows an hour (5 in a few hours: not enough data). */
    rows r = { 0 };
    int *breach = malloc(hours * sizeof *breach);
    ck_assert_ptr_nonnull(breach);
    for (size_t h = 0; h < hours; h++) {
        int ned = h % 997 == 500;
        int d = is_drift_hour(h);
        breach[h] = ned ? -1 : d;
        for (int i = 0; i < (ned ? 5 : 24); i++) rows_add(&r, T0 + (int64_t)h * HOUR + (int64_t)(urand() * HOUR), d);
    }
    /* Ordered, in daily batches. */
    size_t day0 = 0;
    for (size_t i = 1; i <= r.n; i++)
        if (i == r.n || (r.t[i] - T0) / (24 * HOUR) != (r.t[day0] - T0) / (24 * HOUR)) {
            TU_OK(ingest(S, "seq", &r, day0, i - day0, NULL));
            day0 = i;
        }
    /* Shuffled: each day's rows cut at random into two batches, the
     * batches in random order, rows shuffled inside each, dealt to 4
     * processes: every window is merged from two batches, in any order. */
    size_t nb = 0, *bstart = malloc(r.n * sizeof *bstart), *perm = malloc(r.n * sizeof *perm);
    ck_assert(bstart && perm);
    size_t pos = 0;
    day0 = 0;
    for (size_t i = 1; i <= r.n; i++)
        if (i == r.n || (r.t[i] - T0) / (24 * HOUR) != (r.t[day0] - T0) / (24 * HOUR)) {
            /* rows day0..i: first the ones of batch A, then of batch B */
            size_t a0 = pos;
            for (size_t k = day0; k < i; k++)
                if (urand() < 0.5) perm[pos++] = k;
            size_t b0 = pos;
            for (size_t k = day0; k < i; k++)
                if (pos - b0 + (b0 - a0) < i - day0) {
                    size_t q = a0;
                    while (q < b0 && perm[q] != k) q++;
                    if (q == b0) perm[pos++] = k;
                }
            bstart[nb++] = a0;
            bstart[nb++] = b0;
            day0 = i;
        }
    bstart[nb] = r.n;
    /* shuffle rows inside each batch */
    for (size_t bi = 0; bi < nb; bi++)
        for (size_t i = bstart[bi + 1]; i > bstart[bi] + 1; i--) {
            size_t j = bstart[bi] + (size_t)(urand() * (double)(i - bstart[bi])) % (i - bstart[bi]);
            size_t t = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = t;
        }
    /* the batches' order */
    size_t *order = malloc(nb * sizeof *order);
    for (size_t i = 0; i < nb; i++) order[i] = i;
    for (size_t i = nb - 1; i > 0; i--) {
        size_t j = (size_t)(urand() * (double)(i + 1)) % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    rows sh = { 0 };
    for (size_t i = 0; i < r.n; i++) {
        rows_add(&sh, r.t[perm[i]], 0);
        sh.x[i] = r.x[perm[i]];
        sh.c[i] = r.c[perm[i]];
    }
    free(perm);
    pid_t kids[4];
    for (int p = 0; p < 4; p++) {
        kids[p] = fork();
        ck_assert_int_ge(kids[p], 0);
        if (kids[p] == 0) {
            mlops_store *s = open_monitor_store();
            int bad = 0;
            for (size_t o = (size_t)p; o < nb; o += 4) {
                size_t from = bstart[order[o]], n = bstart[order[o] + 1] - from;
                if (!n) continue;
                if (ingest(s, "par", &sh, from, n, NULL)) {
                    fprintf(stderr, "child %d: %s\n", p, mlops_last_error());
                    bad = 1;
                }
            }
            mlops_store_close(s);
            _exit(bad);
        }
    }
    for (int p = 0; p < 4; p++) {
        int status = 0;
        ck_assert_int_eq(waitpid(kids[p], &status, 0), kids[p]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    /* The expected events. */
    int *kinds = malloc(hours * sizeof *kinds), *firing = malloc(hours * sizeof *firing);
    size_t *at = malloc(hours * sizeof *at);
    size_t nexp = expected_events(breach, hours, M, N, P, K, kinds, at, firing);
    ck_assert_uint_ge(nexp, env_small() ? 2 : 4);
    /* "seq" is checked in steps, as cron would: firing exactly while the rule says. */
    int64_t end = T0 + (int64_t)hours * HOUR;
    for (int64_t now = T0 + 37 * HOUR; now < end; now += 37 * HOUR) {
        mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
        TU_OK(check_at(S, "seq", now, &st));
        size_t last = (size_t)((now - T0) / HOUR) - 1; /* the last window due */
        ck_assert_int_eq(st.state == MLOPS_MONITOR_FIRING, firing[last]);
    }
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "seq", end, &st));
    TU_OK(check_at(S, "par", end, &st)); /* "par" in one check */
    ck_assert_int_eq(st.state == MLOPS_MONITOR_FIRING, firing[hours - 1]);
    /* Every judged window's verdict is the injected one. */
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, "par", T0, end, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), hours);
    for (size_t h = 0; h < hours; h++) {
        mlops_monitor_window w;
        TU_OK(mlops_monitor_series_window(sr, h, &w));
        int want = breach[h] < 0 ? MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA
                   : breach[h]    ? MLOPS_MONITOR_WINDOW_BREACH
                                  : MLOPS_MONITOR_WINDOW_CLEAR;
        ck_assert_msg(w.state == want, "hour %zu: state %d, want %d", h, w.state, want);
    }
    mlops_monitor_series_free(sr);
    /* Events: as the rule says, and the same from both ingests. */
    mlops_monitor_event *ep = NULL, *es = NULL;
    size_t np = 0, ns = 0;
    TU_OK(mlops_monitor_events(S, "par", NULL, &ep, &np));
    TU_OK(mlops_monitor_events(S, "seq", NULL, &es, &ns));
    ck_assert_uint_eq(np, nexp);
    ck_assert_uint_eq(ns, nexp);
    for (size_t e = 0; e < nexp; e++) {
        ck_assert_int_eq(ep[e].seq, (int64_t)e + 1);
        ck_assert_int_eq(ep[e].kind, kinds[e]);
        ck_assert_int_eq(ep[e].window_start_ms, T0 + (int64_t)at[e] * HOUR);
        ck_assert_int_eq(es[e].kind, ep[e].kind);
        ck_assert_int_eq(es[e].window_start_ms, ep[e].window_start_ms);
        ck_assert_uint_eq(es[e].breaches, ep[e].breaches);
        ck_assert_uint_eq(es[e].considered, ep[e].considered);
    }
    /* Polling after a cursor, and by time. */
    mlops_monitor_events_opts eo = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    eo.after_seq = 2;
    eo.limit = 2;
    mlops_free(ep);
    TU_OK(mlops_monitor_events(S, "par", &eo, &ep, &np));
    ck_assert_uint_eq(np, 2);
    ck_assert_int_eq(ep[0].seq, 3);
    mlops_free(ep);
    eo = (mlops_monitor_events_opts)MLOPS_MONITOR_EVENTS_OPTS_INIT;
    eo.from_ms = T0 + 1000 * HOUR;
    TU_OK(mlops_monitor_events(S, "par", &eo, &ep, &np));
    for (size_t e = 0; e < np; e++) ck_assert_int_ge(ep[e].window_end_ms, T0 + 1000 * HOUR);
    mlops_free(ep);
    mlops_free(es);
    free(kinds);
    free(order);
    free(bstart);
    free(firing);
    free(at);
    free(breach);
    rows_free(&r);
    rows_free(&sh);
}
END_TEST

/* The audit events of the chain after seq `after`, as a new list. */
static mlops_audit_events *audit_after(int64_t after, size_t *n)
{
    mlops_audit_events *l = NULL;
    TU_OK(mlops_audit_list(S, after, 0, &l));
    *n = mlops_audit_events_count(l);
    return l;
}

static mlops_audit_event audit_at(mlops_audit_events *l, size_t i)
{
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, i, &e));
    return e;
}

/* Creating and deleting a monitor and every change of its alert's state
 * are events of the registry's audit chain, written with the change; a
 * check that changes no state adds none, and the chain verifies. */
START_TEST(alert_events_are_audited)
{
    int64_t head = 0;
    mlops_digest h;
    TU_OK(mlops_audit_head(S, &head, &h));
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "aud", &sp));
    TU_OK(mlops_monitor_create(S, "aud", &sp)); /* the same spec: no event */
    size_t n = 0;
    mlops_audit_events *l = audit_after(head, &n);
    ck_assert_uint_eq(n, 1);
    mlops_audit_event e = audit_at(l, 0);
    ck_assert_str_eq(e.action, "monitor.create");
    ck_assert_str_eq(e.key, "monitor:aud");
    ck_assert_str_eq(e.model, "");
    ck_assert_int_eq(e.model_version, 0);
    ck_assert_ptr_null(e.old_value);
    ck_assert_str_eq(e.new_value, "window_ms=3600000 lateness_ms=0 min_rows=10 alert=1/1 pending=0 "
                                  "keep_firing=0 columns=x,c");
    ck_assert_ptr_nonnull(e.actor);
    head = e.seq;
    mlops_audit_events_free(l);
    /* hour 1 drifts: firing at its end, resolved at hour 2's */
    rows r = { 0 };
    for (int hr = 0; hr < 4; hr++)
        for (int i = 0; i < 20; i++) rows_add(&r, T0 + hr * HOUR + i, hr == 1);
    TU_OK(ingest(S, "aud", &r, 0, r.n, NULL));
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "aud", T0 + 1 * HOUR, &st)); /* hour 0: clear, no change */
    l = audit_after(head, &n);
    ck_assert_uint_eq(n, 0);
    mlops_audit_events_free(l);
    TU_OK(check_at(S, "aud", T0 + 2 * HOUR, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_FIRING);
    TU_OK(check_at(S, "aud", T0 + 2 * HOUR, &st)); /* nothing due: no event */
    TU_OK(check_at(S, "aud", T0 + 3 * HOUR, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_INACTIVE);
    TU_OK(check_at(S, "aud", T0 + 4 * HOUR, &st)); /* hour 3 clear: no change */
    l = audit_after(head, &n);
    ck_assert_uint_eq(n, 2);
    mlops_audit_event f = audit_at(l, 0), res = audit_at(l, 1);
    ck_assert_str_eq(f.action, "monitor.alert.firing");
    ck_assert_str_eq(f.key, "monitor:aud");
    ck_assert_ptr_null(f.old_value);
    char want[200];
    snprintf(want, sizeof want, "event=1 window=%lld..%lld breaches=1 considered=1",
             (long long)(T0 + HOUR), (long long)(T0 + 2 * HOUR));
    ck_assert_str_eq(f.new_value, want);
    ck_assert_str_eq(res.action, "monitor.alert.resolved");
    snprintf(want, sizeof want, "event=2 window=%lld..%lld breaches=0 considered=1",
             (long long)(T0 + 2 * HOUR), (long long)(T0 + 3 * HOUR));
    ck_assert_str_eq(res.new_value, want);
    ck_assert_int_eq(res.seq, f.seq + 1);
    ck_assert_int_ge(res.time_ms, f.time_ms);
    head = res.seq;
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(S));
    /* The monitor's own events agree. */
    mlops_monitor_event *ev = NULL;
    TU_OK(mlops_monitor_events(S, "aud", NULL, &ev, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ev[1].kind, MLOPS_MONITOR_EVENT_RESOLVED);
    mlops_free(ev);
    TU_OK(mlops_monitor_delete(S, "aud"));
    l = audit_after(head, &n);
    ck_assert_uint_eq(n, 1);
    e = audit_at(l, 0);
    ck_assert_str_eq(e.action, "monitor.delete");
    ck_assert_str_eq(e.key, "monitor:aud");
    ck_assert_str_eq(e.old_value, "window_ms=3600000 lateness_ms=0 min_rows=10 alert=1/1 pending=0 "
                                  "keep_firing=0 columns=x,c");
    ck_assert_ptr_null(e.new_value);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(S));
    rows_free(&r);
}
END_TEST

/* The settings of mlops_monitor_create_ex are in the audit text too
 * (row windows, the task and its columns, the performance condition), the
 * same at create and at delete. */
START_TEST(ext_settings_are_audited)
{
    int64_t head;
    mlops_digest h;
    TU_OK(mlops_audit_head(S, &head, &h));
    COLS[0] = (mlops_monitor_column){ "x", REF_X, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = COLS;
    sp.window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    sp.lateness_ms = 0;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.window_rows = 500;
    x.task = MLOPS_MONITOR_TASK_CLASSIFICATION;
    x.prediction_column = "pred";
    x.id_column = "id";
    x.performance = "metrics.accuracy < 0.8";
    x.min_labels = 5;
    TU_OK(mlops_monitor_create_ex(S, "rows", &sp, &x));
    TU_OK(mlops_monitor_delete(S, "rows"));
    size_t n = 0;
    mlops_audit_events *l = audit_after(head, &n);
    ck_assert_uint_eq(n, 2);
    mlops_audit_event c = audit_at(l, 0), d = audit_at(l, 1);
    ck_assert_str_eq(c.action, "monitor.create");
    char want[300];
    snprintf(want, sizeof want,
             "window_ms=0 lateness_ms=0 min_rows=%llu alert=%u/%u pending=%u keep_firing=%u columns=x "
             "window_rows=500 task=classification prediction=pred id=id label=label min_labels=5 "
             "performance=metrics.accuracy < 0.8",
             (unsigned long long)sp.min_rows, sp.alert_m, sp.alert_n, sp.pending, sp.keep_firing);
    ck_assert_str_eq(c.new_value, want);
    ck_assert_str_eq(d.action, "monitor.delete");
    ck_assert_str_eq(d.old_value, want);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(S));
}
END_TEST

/* A bundle carries the events of its models and runs: monitor events in
 * between are left out, and both chains still verify. A store copy carries
 * them with the rest of the chain. */
START_TEST(bundles_and_copies_with_monitor_events)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "m", &sp));
    mlops_digest art;
    TU_OK(mlops_blob_put(S, "weights", 7, &art));
    int64_t v = 0;
    TU_OK(mlops_model_create(S, "churn"));
    TU_OK(mlops_model_version_create(S, "churn", &art, NULL, &v));
    rows r = { 0 };
    for (int hr = 0; hr < 3; hr++)
        for (int i = 0; i < 20; i++) rows_add(&r, T0 + hr * HOUR + i, hr == 1);
    TU_OK(ingest(S, "m", &r, 0, r.n, NULL));
    TU_OK(check_at(S, "m", T0 + 2 * HOUR, NULL)); /* fires */
    TU_OK(mlops_model_alias_set(S, "churn", "champion", v));
    TU_OK(check_at(S, "m", T0 + 3 * HOUR, NULL)); /* resolves */
    char path[4096];
    snprintf(path, sizeof path, "%s/m.mlb", base);
    const char *sels[] = { "model:churn@champion" };
    mlops_bundle_report ex;
    TU_OK(mlops_bundle_report_init(&ex, MLOPS_BUNDLE_REPORT_VERSION));
    TU_OK(mlops_bundle_export(S, path, sels, 1, &ex));
    ck_assert_uint_eq(ex.events, 3); /* model.create, version.create, alias.set */
    char *bdir = tu_store_dir(base, "b");
    mlops_store *b = NULL;
    TU_OK(mlops_store_open(bdir, NULL, &b));
    mlops_bundle_report im;
    TU_OK(mlops_bundle_report_init(&im, MLOPS_BUNDLE_REPORT_VERSION));
    TU_OK(mlops_bundle_import(b, path, NULL, &im));
    TU_OK(mlops_audit_verify(b));
    mlops_store_close(b);
    TU_OK(mlops_audit_verify(S));
    char *cdir = tu_store_dir(base, "copy");
    mlops_store *dst = NULL;
    TU_OK(mlops_store_open(cdir, NULL, &dst));
    mlops_store_copy_report cr;
    TU_OK(mlops_store_copy_report_init(&cr, MLOPS_STORE_COPY_REPORT_VERSION));
    TU_OK(mlops_store_copy(S, dst, NULL, &cr));
    int64_t sh = 0, dh = 0;
    mlops_digest shash, dhash;
    TU_OK(mlops_audit_head(S, &sh, &shash));
    TU_OK(mlops_audit_head(dst, &dh, &dhash));
    ck_assert_int_eq(sh, dh);
    ck_assert(!memcmp(shash.bytes, dhash.bytes, 32));
    TU_OK(mlops_audit_verify(dst));
    mlops_audit_events *l = NULL;
    TU_OK(mlops_audit_list(dst, 0, 0, &l));
    size_t alerts = 0;
    for (size_t i = 0; i < mlops_audit_events_count(l); i++) {
        mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
        TU_OK(mlops_audit_events_get(l, i, &e));
        alerts += !strncmp(e.action, "monitor.alert.", 14);
    }
    ck_assert_uint_eq(alerts, 2);
    mlops_audit_events_free(l);
    mlops_store_close(dst);
    free(cdir);
    free(bdir);
    rows_free(&r);
}
END_TEST

/* Store copy carries a monitor with its windows, judgments and events:
 * the copy checks on from where the source stopped. */
START_TEST(store_copy_carries_monitors)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "m", &sp));
    rows r = { 0 };
    for (int h = 0; h < 4; h++)
        for (int i = 0; i < 20; i++) rows_add(&r, T0 + h * HOUR + i, h == 1);
    TU_OK(ingest(S, "m", &r, 0, r.n, NULL));
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "m", T0 + 2 * HOUR, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_FIRING);
    char *cdir = tu_store_dir(base, "copy");
    mlops_store *dst = NULL;
    TU_OK(mlops_store_open(cdir, NULL, &dst));
    TU_OK(mlops_store_copy(S, dst, NULL, NULL));
    mlops_monitor_event *ev = NULL;
    size_t n = 0;
    TU_OK(mlops_monitor_events(dst, "m", NULL, &ev, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ev[0].kind, MLOPS_MONITOR_EVENT_FIRING);
    mlops_free(ev);
    TU_OK(check_at(dst, "m", T0 + 4 * HOUR, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_INACTIVE);
    ck_assert_uint_eq(st.windows_judged, 4);
    TU_OK(mlops_monitor_events(dst, "m", NULL, &ev, &n));
    ck_assert_uint_eq(n, 2);
    mlops_free(ev);
    mlops_store_close(dst);
    free(cdir);
    rows_free(&r);
}
END_TEST

/* A store at format version 4 gains the monitor tables on its next
 * read-write open, on either backend; a read-only open refuses it. */
/* A copy follows the source's deletions: a monitor deleted there leaves
 * an earlier copy with all its windows, and one made again under the
 * same name (on SQLite with the deleted one's id) comes in with its own
 * spec; the copy's audit chain and state stay the source's. The copy
 * used to keep the deleted monitor, then refuse every copy once its id
 * named another ("differs in alert_m"). */
START_TEST(store_copy_follows_deleted_monitors)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "m", &sp));
    TU_OK(mlops_monitor_create(S, "kept", &sp));
    rows r = { 0 };
    for (int i = 0; i < 20; i++) rows_add(&r, T0 + i, 0);
    TU_OK(ingest(S, "m", &r, 0, r.n, NULL));
    char *cdir = tu_store_dir(base, "copy");
    mlops_store *dst = NULL;
    TU_OK(mlops_store_open(cdir, NULL, &dst));
    TU_OK(mlops_store_copy(S, dst, NULL, NULL));
    TU_OK(mlops_monitor_delete(S, "m"));
    TU_OK(mlops_store_copy(S, dst, NULL, NULL));
    mlops_monitor *got = NULL;
    TU_RC(MLOPS_ENOTFOUND, mlops_monitor_get(dst, "m", &got));
    TU_OK(mlops_monitor_get(dst, "kept", &got));
    mlops_monitor_free(got);
    mlops_monitor_spec again = spec_for(2, 3, 0, 0);
    TU_OK(mlops_monitor_create(S, "m", &again));
    TU_OK(mlops_store_copy(S, dst, NULL, NULL));
    TU_OK(mlops_monitor_get(dst, "m", &got));
    mlops_monitor_spec gs = MLOPS_MONITOR_SPEC_INIT;
    TU_OK(mlops_monitor_spec_get(got, &gs));
    ck_assert_uint_eq(gs.alert_m, 2);
    ck_assert_uint_eq(gs.alert_n, 3);
    mlops_monitor_free(got);
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(dst, "m", INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), 0); /* the old one's window went with it */
    mlops_monitor_series_free(sr);
    TU_OK(mlops_audit_verify(dst));
    mlops_store_close(dst);
    free(cdir);
    rows_free(&r);
}
END_TEST

START_TEST(format_4_store_migrates_to_5)
{
    mlops_store_close(S);
    S = NULL;
    tu_db *db = tu_db_open(dir);
    tu_db_exec(db, "DROP TABLE mon_window_confusion; DROP TABLE mon_predictions; DROP TABLE mon_label_settings;");
    tu_db_exec(db, "DROP TABLE mon_events; DROP TABLE mon_window_metrics; DROP TABLE mon_window_columns; "
                   "DROP TABLE mon_windows; DROP TABLE mon_columns; DROP TABLE mon_monitors;");
    tu_db_exec(db, tu_db_dialect(db) == 2 ? "UPDATE meta SET value = '4' WHERE key = 'format_version'"
                                          : "PRAGMA user_version = 4");
    tu_db_close(db);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &S));
    S = open_monitor_store();
    mlops_monitors *l = NULL;
    TU_OK(mlops_monitor_list(S, &l));
    ck_assert_uint_eq(mlops_monitors_count(l), 0);
    mlops_monitors_free(l);
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "after", &sp));
    db = tu_db_open(dir);
    ck_assert_int_eq(tu_db_int(db, tu_db_dialect(db) == 2 ? "SELECT value::bigint FROM meta WHERE key = 'format_version'"
                                                            : "PRAGMA user_version"), MLOPS__FORMAT_VERSION);
    tu_db_close(db);
}
END_TEST


/* ---- delayed labels, performance, row windows (format 6) ------------------- */

/* A classifier's window: n rows with ids "w<k>-<i>", feature x, prediction
 * pred; labels come later. */
static int ingest_pred(mlops_store *s, const char *name, size_t n, const int64_t *t, const double *x,
                       const char *const *ids, const char *const *pred)
{
    const char *names[] = { "x", "id", "pred" };
    const double *num[] = { x, NULL, NULL };
    const char *const *str[] = { NULL, ids, pred };
    return mlops_monitor_ingest(s, name, n, t, 3, names, num, str, NULL, NULL);
}

/* Accuracy, balanced accuracy and macro F1 of labels in {a, b, c},
 * computed here from the pairs, independently of the library. */
static void class_metrics(const char *const *yt, const char *const *yp, size_t n, double *acc,
                          double *bal, double *f1)
{
    static const char *K[] = { "a", "b", "c" };
    double tp[3] = { 0 }, t[3] = { 0 }, p[3] = { 0 }, correct = 0;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            int it = !strcmp(yt[i], K[k]), ip = !strcmp(yp[i], K[k]);
            t[k] += it;
            p[k] += ip;
            tp[k] += it && ip;
        }
    double rsum = 0, fsum = 0;
    int rn = 0, fn = 0;
    for (int k = 0; k < 3; k++) {
        correct += tp[k];
        if (t[k] > 0) {
            rsum += tp[k] / t[k];
            rn++;
        }
        if (t[k] + p[k] > 0) {
            fsum += 2 * tp[k] / (t[k] + p[k]);
            fn++;
        }
    }
    *acc = correct / (double)n;
    *bal = rsum / rn;
    *f1 = fsum / fn;
}

static void perf_of(const char *name, size_t i, mlops_monitor_performance *p, mlops_monitor_window *w)
{
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, name, INT64_MIN, INT64_MAX, &sr));
    mlops_monitor_performance_init(p, MLOPS_MONITOR_PERFORMANCE_VERSION);
    TU_OK(mlops_monitor_series_performance(sr, i, p));
    if (w) TU_OK(mlops_monitor_series_window(sr, i, w));
    mlops_monitor_series_free(sr);
}

/* Predictions of three hours, labels in two batches (with unknown ids and
 * a duplicate), accuracy below 0.8 as the breach, too few labels as not
 * enough data, and late labels that change the metrics, never the
 * judgment. */
START_TEST(delayed_labels_classification)
{
    COLS[0] = (mlops_monitor_column){ "x", REF_X, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = COLS;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.task = MLOPS_MONITOR_TASK_CLASSIFICATION;
    x.prediction_column = "pred";
    x.id_column = "id";
    x.label_column = "truth";
    x.performance = "metrics.accuracy < 0.8";
    x.min_labels = 5;
    TU_OK(mlops_monitor_create_ex(S, "clf", &sp, &x));
    TU_OK(mlops_monitor_create_ex(S, "clf", &sp, &x)); /* the same: nothing changes */
    mlops_monitor_ext y = x;
    y.performance = "metrics.accuracy < 0.7";
    TU_RC(MLOPS_ECONFLICT, mlops_monitor_create_ex(S, "clf", &sp, &y));
    y = x;
    y.performance = "metrics.mae < 1";
    TU_RC(MLOPS_EINVAL, mlops_monitor_create_ex(S, "clf2", &sp, &y));
    y.performance = "metrics.accuracy <";
    TU_RC(MLOPS_EINVAL, mlops_monitor_create_ex(S, "clf2", &sp, &y));
    mlops_monitor *m = NULL;
    TU_OK(mlops_monitor_get(S, "clf", &m));
    mlops_monitor_ext got = MLOPS_MONITOR_EXT_INIT;
    TU_OK(mlops_monitor_ext_get(m, &got));
    ck_assert_int_eq(got.task, MLOPS_MONITOR_TASK_CLASSIFICATION);
    ck_assert_str_eq(got.prediction_column, "pred");
    ck_assert_str_eq(got.label_column, "truth");
    ck_assert_str_eq(got.id_column, "id");
    ck_assert_str_eq(got.performance, "metrics.accuracy < 0.8");
    ck_assert_uint_eq(got.min_labels, 5);
    ck_assert_uint_eq(got.window_rows, 0);
    mlops_monitor_free(m);

    enum { N = 60 };
    static const char *K[] = { "a", "b", "c" };
    int64_t t[N];
    double xv[N];
    char idbuf[N][16];
    const char *ids[N], *pred[N], *truth[N];
    for (int i = 0; i < N; i++) {
        int h = i / 20; /* hours 0, 1, 2 */
        t[i] = T0 + h * HOUR + i;
        xv[i] = nrand();
        snprintf(idbuf[i], sizeof idbuf[i], "r%d", i);
        ids[i] = idbuf[i];
        pred[i] = K[(int)(urand() * 3) % 3];
        /* hour 0: 18 of 20 right; hour 1: 10 of 20 right */
        int right = h == 0 ? (i % 20) < 18 : (i % 20) < 10;
        truth[i] = right ? pred[i] : K[(pred[i][0] - 'a' + 1) % 3];
    }
    /* An id labels could not name refuses the batch, naming its row (its
     * prediction used to be kept, never to be labeled), and stores
     * nothing. */
    const char *bad[2] = { "fine", "tab\tin id" };
    TU_RC(MLOPS_EINVAL, ingest_pred(S, "clf", 2, t, xv, bad, pred));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "row 1: its id"));
    mlops_monitor_series *none = NULL;
    TU_OK(mlops_monitor_series_get(S, "clf", INT64_MIN, INT64_MAX, &none));
    ck_assert_uint_eq(mlops_monitor_series_count(none), 0);
    mlops_monitor_series_free(none);
    TU_OK(ingest_pred(S, "clf", N, t, xv, ids, pred));
    /* labels of hour 0's first 12 rows and all of hour 1, with an unknown id
     * and a duplicate; none for hour 2 */
    const char *lid[48], *lab[48];
    size_t nl = 0;
    for (int i = 0; i < 12; i++, nl++) {
        lid[nl] = ids[i];
        lab[nl] = truth[i];
    }
    for (int i = 20; i < 40; i++, nl++) {
        lid[nl] = ids[i];
        lab[nl] = truth[i];
    }
    for (int i = 40; i < 43; i++, nl++) { /* hour 2: 3 labels, fewer than min_labels */
        lid[nl] = ids[i];
        lab[nl] = truth[i];
    }
    lid[nl] = "nobody";
    lab[nl++] = "a";
    lid[nl] = ids[0];
    lab[nl++] = "c";
    mlops_monitor_labels_result lr = MLOPS_MONITOR_LABELS_RESULT_INIT;
    TU_OK(mlops_monitor_labels_ingest(S, "clf", nl / 2, lid, NULL, lab, &lr));
    ck_assert_uint_eq(lr.matched, nl / 2);
    TU_OK(mlops_monitor_labels_ingest(S, "clf", nl - nl / 2, lid + nl / 2, NULL, lab + nl / 2, &lr));
    ck_assert_uint_eq(lr.matched, nl - nl / 2 - 2);
    ck_assert_uint_eq(lr.unknown_ids, 1);
    ck_assert_uint_eq(lr.duplicates, 1);
    ck_assert_uint_eq(lr.late_labels, 0);
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "clf", T0 + 3 * HOUR, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_FIRING); /* hour 1: accuracy 0.5 */
    mlops_monitor_performance p;
    mlops_monitor_window w;
    double acc, bal, f1;
    perf_of("clf", 0, &p, &w);
    class_metrics(truth, pred, 12, &acc, &bal, &f1);
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_CLEAR);
    ck_assert_uint_eq(p.labels, 12);
    ck_assert_double_eq_tol(p.accuracy, acc, 1e-12);
    ck_assert_double_eq_tol(p.balanced_accuracy, bal, 1e-12);
    ck_assert_double_eq_tol(p.f1_macro, f1, 1e-12);
    ck_assert_double_eq_tol(p.judged_value, acc, 1e-12);
    ck_assert_uint_eq(p.judged_labels, 12);
    ck_assert(isnan(p.mae));
    perf_of("clf", 1, &p, &w);
    class_metrics(truth + 20, pred + 20, 20, &acc, &bal, &f1);
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_BREACH);
    ck_assert_double_eq_tol(p.accuracy, 0.5, 1e-12);
    ck_assert_double_eq_tol(p.balanced_accuracy, bal, 1e-12);
    ck_assert_double_eq_tol(p.f1_macro, f1, 1e-12);
    /* Too few labels: not enough data, and no judged value (its accuracy
     * now is a number all the same), with the labels it had. */
    perf_of("clf", 2, &p, &w);
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA);
    ck_assert_uint_eq(p.labels, 3);
    ck_assert(isfinite(p.accuracy));
    ck_assert_msg(isnan(p.judged_value), "judged %g", p.judged_value);
    ck_assert_uint_eq(p.judged_labels, 3);
    /* late labels: hour 0's last 8 (2 of them wrong) change its metrics,
     * not its judgment nor the events */
    TU_OK(mlops_monitor_labels_ingest(S, "clf", 8, ids + 12, NULL, truth + 12, &lr));
    ck_assert_uint_eq(lr.matched, 8);
    ck_assert_uint_eq(lr.late_labels, 8);
    ck_assert_uint_eq(lr.windows, 1);
    perf_of("clf", 0, &p, &w);
    class_metrics(truth, pred, 20, &acc, &bal, &f1);
    ck_assert_uint_eq(p.labels, 20);
    ck_assert_double_eq_tol(p.accuracy, 0.9, 1e-12);
    ck_assert_double_eq_tol(p.f1_macro, f1, 1e-12);
    ck_assert_uint_eq(p.judged_labels, 12);
    ck_assert_int_eq(w.state, MLOPS_MONITOR_WINDOW_CLEAR);
    mlops_monitor_event *ev = NULL;
    size_t n = 0;
    TU_OK(mlops_monitor_events(S, "clf", NULL, &ev, &n));
    ck_assert_uint_eq(n, 1);
    mlops_free(ev);
    /* a batch without its id column is refused; a monitor without a task
     * takes no labels */
    const char *names2[] = { "x", "pred" };
    const double *num2[] = { xv, NULL };
    const char *const *str2[] = { NULL, pred };
    TU_RC(MLOPS_EINVAL, mlops_monitor_ingest(S, "clf", 3, t, 2, names2, num2, str2, NULL, NULL));
    mlops_monitor_spec plain = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "plain", &plain));
    TU_RC(MLOPS_EINVAL, mlops_monitor_labels_ingest(S, "plain", 1, ids, NULL, truth, NULL));
}
END_TEST

/* A regressor: MAE, MSE, RMSE, R2 and the mean error per window, labels
 * in three batches, against the values computed here. */
START_TEST(delayed_labels_regression)
{
    COLS[0] = (mlops_monitor_column){ "x", REF_X, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = COLS;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.task = MLOPS_MONITOR_TASK_REGRESSION;
    x.prediction_column = "x"; /* a monitored column may be the prediction */
    x.id_column = "id";
    x.performance = "metrics.rmse > 0.5";
    TU_OK(mlops_monitor_create_ex(S, "reg", &sp, &x));
    enum { N = 50 };
    int64_t t[N];
    double yhat[N], y[N], idn[N];
    for (int i = 0; i < N; i++) {
        t[i] = T0 + i;
        yhat[i] = nrand();
        y[i] = yhat[i] + 0.3 * nrand() + 0.1;
        idn[i] = 1000 + i; /* numeric ids */
    }
    const char *names[] = { "x", "id" };
    const double *num[] = { yhat, idn };
    TU_OK(mlops_monitor_ingest(S, "reg", N, t, 2, names, num, NULL, NULL, NULL));
    char idbuf[N][16];
    const char *ids[N];
    for (int i = 0; i < N; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "%d", 1000 + i);
        ids[i] = idbuf[i];
    }
    const char *sl[1] = { "a" };
    TU_RC(MLOPS_EINVAL, mlops_monitor_labels_ingest(S, "reg", 1, ids, NULL, sl, NULL));
    mlops_monitor_labels_result lr = MLOPS_MONITOR_LABELS_RESULT_INIT;
    TU_OK(mlops_monitor_labels_ingest(S, "reg", 10, ids, y, NULL, &lr));
    TU_OK(mlops_monitor_labels_ingest(S, "reg", 25, ids + 10, y + 10, NULL, &lr));
    TU_OK(mlops_monitor_labels_ingest(S, "reg", 15, ids + 35, y + 35, NULL, &lr));
    ck_assert_uint_eq(lr.matched, 15);
    double sa = 0, ss = 0, se = 0, my = 0, sst = 0;
    for (int i = 0; i < N; i++) my += y[i] / N;
    for (int i = 0; i < N; i++) {
        double e = yhat[i] - y[i];
        sa += fabs(e);
        ss += e * e;
        se += e;
        sst += (y[i] - my) * (y[i] - my);
    }
    mlops_monitor_performance p;
    perf_of("reg", 0, &p, NULL);
    ck_assert_uint_eq(p.labels, N);
    ck_assert_double_eq_tol(p.mae, sa / N, 1e-12);
    ck_assert_double_eq_tol(p.mse, ss / N, 1e-12);
    ck_assert_double_eq_tol(p.rmse, sqrt(ss / N), 1e-12);
    ck_assert_double_eq_tol(p.mean_error, se / N, 1e-12);
    ck_assert_double_eq_tol(p.r2, 1.0 - ss / sst, 1e-9);
    /* the library's own regression metrics agree */
    mlops_eval_result er = MLOPS_EVAL_RESULT_INIT;
    TU_OK(mlops_eval_regression(MLOPS_METRIC_R2, y, yhat, N, NULL, NULL, &er));
    ck_assert_double_eq_tol(p.r2, er.value, 1e-9);
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "reg", T0 + HOUR, &st));
    ck_assert_int_eq(st.state, sqrt(ss / N) > 0.5 ? MLOPS_MONITOR_FIRING : MLOPS_MONITOR_INACTIVE);
}
END_TEST

/* Row windows: rows numbered in arrival order under the write lock, so
 * two processes ingesting at once fill windows of exactly window_rows;
 * a window is judged once full, never before. */
START_TEST(row_windows)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    sp.window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    TU_RC(MLOPS_EINVAL, mlops_monitor_create(S, "rows", &sp)); /* no window_rows */
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.window_rows = 50;
    TU_OK(mlops_monitor_create_ex(S, "rows", &sp, &x));
    mlops_monitor_spec tsp = spec_for(1, 1, 0, 0);
    TU_RC(MLOPS_EINVAL, mlops_monitor_create_ex(S, "bad", &tsp, &x)); /* rows without the kind */
    sp.lateness_ms = 1000;
    TU_RC(MLOPS_EINVAL, mlops_monitor_create_ex(S, "bad", &sp, &x));
    rows r = { 0 };
    for (int i = 0; i < 210; i++) rows_add(&r, T0, i >= 150);
    pid_t pids[2];
    for (int k = 0; k < 2; k++) {
        pids[k] = fork();
        ck_assert(pids[k] >= 0);
        if (pids[k] == 0) {
            mlops_store *s = open_monitor_store();
            int bad = 0;
            for (int b = 0; b < 3; b++)
                bad |= ingest(s, "rows", &r, (size_t)(k * 75 + b * 25), 25, NULL) != MLOPS_OK;
            mlops_store_close(s);
            _exit(bad);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        waitpid(pids[k], &status, 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "rows", T0, &st));
    ck_assert_uint_eq(st.windows_judged, 3);
    ck_assert_int_eq(st.judged_to_ms, 150);
    ck_assert_int_eq(st.state, MLOPS_MONITOR_INACTIVE);
    TU_OK(ingest(S, "rows", &r, 150, 60, NULL)); /* drifted: one full window and 10 rows */
    TU_OK(check_at(S, "rows", T0 + 10 * HOUR, &st));
    ck_assert_uint_eq(st.windows_judged, 4); /* the fifth is not full */
    ck_assert_int_eq(st.state, MLOPS_MONITOR_FIRING);
    mlops_monitor_series *sr = NULL;
    TU_OK(mlops_monitor_series_get(S, "rows", INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), 5);
    for (size_t i = 0; i < 5; i++) {
        mlops_monitor_window w;
        TU_OK(mlops_monitor_series_window(sr, i, &w));
        ck_assert_int_eq(w.start_ms, (int64_t)i * 50);
        ck_assert_int_eq(w.end_ms, (int64_t)(i + 1) * 50);
        ck_assert_uint_eq(w.rows, i < 4 ? 50 : 10);
        ck_assert_int_eq(w.state, i < 3    ? MLOPS_MONITOR_WINDOW_CLEAR
                                  : i == 3 ? MLOPS_MONITOR_WINDOW_BREACH
                                           : MLOPS_MONITOR_WINDOW_OPEN);
    }
    mlops_monitor_series_free(sr);
    mlops_monitor *m = NULL;
    TU_OK(mlops_monitor_get(S, "rows", &m));
    mlops_monitor_ext got = MLOPS_MONITOR_EXT_INIT;
    TU_OK(mlops_monitor_ext_get(m, &got));
    ck_assert_uint_eq(got.window_rows, 50);
    mlops_monitor_free(m);
    rows_free(&r);
}
END_TEST

/* A format 5 store kept one profile blob per window and column and the
 * judged figures per column (mon_window_columns); format 6 adds
 * mon_windows.profiles and .judged, and the delayed-label tables. After
 * the migration, a window judged under 5 keeps its figures, an open one is
 * judged from its per-column profiles, and ingest merges into either; an
 * old monitor reads as having no task, and a new one keeps predictions and
 * takes labels: on either backend. */
START_TEST(format_5_store_migrates_to_6)
{
    mlops_monitor_spec sp = spec_for(1, 1, 0, 0);
    TU_OK(mlops_monitor_create(S, "m", &sp));
    /* The per-column profiles of two windows, as format 5 stored them. */
    mlops_profile *ref[2] = { NULL, NULL }, *p[2][2];
    mlops_digest d[2][2];
    TU_OK(mlops_profile_get(S, &REF_X, &ref[0]));
    TU_OK(mlops_profile_get(S, &REF_C, &ref[1]));
    rows r = { 0 };
    for (int i = 0; i < 40; i++) rows_add(&r, T0 + (i / 20) * HOUR + i, 0);
    for (int k = 0; k < 2; k++) {
        TU_OK(mlops_profile_new_like(ref[0], &p[k][0]));
        TU_OK(mlops_profile_new_like(ref[1], &p[k][1]));
        TU_OK(mlops_profile_add(p[k][0], r.x + 20 * k, 20));
        TU_OK(mlops_profile_add_strings(p[k][1], r.c + 20 * k, 20));
        for (int i = 0; i < 2; i++) {
            TU_OK(mlops_profile_put(S, p[k][i], &d[k][i]));
            mlops_profile_free(p[k][i]);
        }
    }
    mlops_profile_free(ref[0]);
    mlops_profile_free(ref[1]);
    mlops_store_close(S);
    S = NULL;
    tu_db *db = tu_db_open(dir);
    int pg = tu_db_dialect(db) == 2;
    tu_db_exec(db, "DROP TABLE mon_window_confusion; DROP TABLE mon_predictions; DROP TABLE mon_label_settings;");
    tu_db_exec(db, "ALTER TABLE mon_windows DROP COLUMN judged; ALTER TABLE mon_windows DROP COLUMN profiles;");
    int64_t id = tu_db_int(db, "SELECT id FROM mon_monitors WHERE name = 'm'");
    char sql[512];
    /* Window T0 judged clear under format 5 (a check at T0 + 1h), window
     * T0 + 1h open. */
    snprintf(sql, sizeof sql,
             "INSERT INTO mon_windows(monitor_id, start_ms, end_ms, n_rows, state, judged_rows, n_drifted, "
             "share_drifted, checked_ms) VALUES (%lld, %lld, %lld, 20, 1, 20, 0, 0.0, %lld), "
             "(%lld, %lld, %lld, 20, 0, 0, 0, NULL, NULL)",
             (long long)id, (long long)T0, (long long)(T0 + HOUR), (long long)(T0 + HOUR), (long long)id,
             (long long)(T0 + HOUR), (long long)(T0 + 2 * HOUR));
    tu_db_exec(db, sql);
    for (int k = 0; k < 2; k++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO mon_window_columns(monitor_id, start_ms, pos, profile, statistic, p_value, "
                 "drifted) VALUES (%lld, %lld, 0, ?1, %s), (%lld, %lld, 1, ?2, %s)",
                 (long long)id, (long long)(T0 + k * HOUR), k ? "NULL, NULL, NULL" : "0.125, 0.5, 0",
                 (long long)id, (long long)(T0 + k * HOUR), k ? "NULL, NULL, NULL" : "1.5, 0.25, 0");
        tu_db_exec_blobs(db, sql, d[k][0].bytes, d[k][1].bytes);
    }
    snprintf(sql, sizeof sql,
             "UPDATE mon_monitors SET judged_to_ms = %lld, windows_judged = 1, history_count = 1 WHERE id = %lld",
             (long long)(T0 + HOUR), (long long)id);
    tu_db_exec(db, sql);
    tu_db_exec(db, pg ? "UPDATE meta SET value = '5' WHERE key = 'format_version'" : "PRAGMA user_version = 5");
    tu_db_close(db);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &S));
    S = open_monitor_store();
    int v = 0;
    TU_OK(mlops_store_format_version(S, &v));
    ck_assert_int_eq(v, MLOPS__FORMAT_VERSION);
    /* The figures judged under format 5 read back from their rows. */
    mlops_monitor_series *sr = NULL;
    mlops_monitor_window_column cell;
    mlops_monitor_window w;
    TU_OK(mlops_monitor_series_get(S, "m", INT64_MIN, INT64_MAX, &sr));
    ck_assert_uint_eq(mlops_monitor_series_count(sr), 2);
    TU_OK(mlops_monitor_series_cell(sr, 0, 1, &cell));
    ck_assert(cell.statistic == 1.5 && cell.p_value == 0.25 && cell.drifted == 0);
    TU_OK(mlops_monitor_series_cell(sr, 1, 0, &cell));
    ck_assert_int_eq(cell.drifted, -1);
    mlops_monitor_series_free(sr);
    /* Late rows merge into the judged window's per-column profiles; rows
     * of the open window merge into its; then the open one is judged on
     * all 40 of its rows (the profiles it had and the new ones). */
    rows more = { 0 };
    for (int i = 0; i < 20; i++) rows_add(&more, T0 + 5 + i, 0);
    for (int i = 0; i < 20; i++) rows_add(&more, T0 + HOUR + 5 + i, 1);
    mlops_monitor_ingest_result res = MLOPS_MONITOR_INGEST_RESULT_INIT;
    TU_OK(ingest(S, "m", &more, 0, more.n, &res));
    ck_assert_uint_eq(res.late_rows, 20);
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(check_at(S, "m", T0 + 2 * HOUR, &st));
    ck_assert_uint_eq(st.windows_judged, 2);
    TU_OK(mlops_monitor_series_get(S, "m", INT64_MIN, INT64_MAX, &sr));
    TU_OK(mlops_monitor_series_window(sr, 0, &w));
    ck_assert_uint_eq(w.rows, 40);
    ck_assert_uint_eq(w.judged_rows, 20);
    TU_OK(mlops_monitor_series_cell(sr, 0, 0, &cell));
    ck_assert(cell.statistic == 0.125); /* judged under 5, never again */
    TU_OK(mlops_monitor_series_window(sr, 1, &w));
    ck_assert_uint_eq(w.judged_rows, 40);
    ck_assert_int_ne(w.state, MLOPS_MONITOR_WINDOW_OPEN);
    TU_OK(mlops_monitor_series_cell(sr, 1, 1, &cell));
    ck_assert(cell.drifted == 0 || cell.drifted == 1);
    ck_assert(cell.statistic > 0.0);
    mlops_monitor_series_free(sr);
    /* Both windows now hold one packed blob: the merge read the old ones. */
    db = tu_db_open(dir);
    ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM mon_windows WHERE profiles IS NOT NULL"), 2);
    tu_db_close(db);
    /* The old monitor has no settings row: the defaults. */
    mlops_monitor *m = NULL;
    TU_OK(mlops_monitor_get(S, "m", &m));
    mlops_monitor_ext got = MLOPS_MONITOR_EXT_INIT;
    TU_OK(mlops_monitor_ext_get(m, &got));
    ck_assert_int_eq(got.task, MLOPS_MONITOR_TASK_NONE);
    ck_assert_uint_eq(got.min_labels, 1);
    mlops_monitor_free(m);
    /* A new classifier with row windows: its predictions and labels land in
     * the new tables. */
    mlops_monitor_spec one = MLOPS_MONITOR_SPEC_INIT;
    COLS[0] = (mlops_monitor_column){ "x", REF_X, MLOPS_DRIFT_METHOD_AUTO, NAN };
    one.n_columns = 1;
    one.columns = COLS;
    one.window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.window_rows = 10;
    x.task = MLOPS_MONITOR_TASK_CLASSIFICATION;
    x.prediction_column = "pred";
    x.id_column = "id";
    TU_OK(mlops_monitor_create_ex(S, "new", &one, &x));
    const char *ids[4] = { "a1", "a2", "a3", "a4" }, *pred[4] = { "y", "n", "y", "y" };
    TU_OK(ingest_pred(S, "new", 4, NULL, r.x, ids, pred));
    mlops_monitor_labels_result lr = MLOPS_MONITOR_LABELS_RESULT_INIT;
    TU_OK(mlops_monitor_labels_ingest(S, "new", 4, ids, NULL, pred, &lr));
    ck_assert_uint_eq(lr.matched, 4);
    mlops_monitor_performance perf;
    perf_of("new", 0, &perf, NULL);
    ck_assert_uint_eq(perf.labels, 4);
    ck_assert_double_eq(perf.accuracy, 1.0);
    rows_free(&r);
    rows_free(&more);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("monitor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, create_get_list_delete);
    tcase_add_test(tc, ingest_behaviours);
    tcase_add_test(tc, window_made_during_a_check_is_late);
    tcase_add_test(tc, alert_events_are_audited);
    tcase_add_test(tc, ext_settings_are_audited);
    tcase_add_test(tc, bundles_and_copies_with_monitor_events);
    tcase_add_test(tc, store_copy_carries_monitors);
    tcase_add_test(tc, store_copy_follows_deleted_monitors);
    tcase_add_test(tc, format_4_store_migrates_to_5);
    tcase_add_test(tc, delayed_labels_classification);
    tcase_add_test(tc, delayed_labels_regression);
    tcase_add_test(tc, row_windows);
    tcase_add_test(tc, same_bytes_at_any_thread_count);
    tcase_add_test(tc, format_5_store_migrates_to_6);
    tcase_add_test(tc, a_year_from_four_processes);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
