/* Evaluation records (registry.h, "Evaluation records"): recording, listing
 * and reading back, the latest metric a promotion gate reads, refusals,
 * NaN kept bit for bit, deleted versions, and the format 2 -> 3 migration.
 * Runs on SQLite and, as registry_evaluations_pg, on PostgreSQL. */
#include "registry/registry_internal.h"
#include "testutil.h"
#include "tu_db.h"

#include <math.h>
#include <mlops.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *base;
static mlops_store *S;
static mlops_digest DS1, DS2, ART;

static void setup(void)
{
    base = tu_tmpdir();
    char *dir = tu_store_dir(base, "store");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = tu_actor("ci");
    TU_OK(mlops_store_open(dir, &o, &S));
    free(dir);
    TU_OK(mlops_digest_compute("dataset one", 11, &DS1));
    TU_OK(mlops_digest_compute("dataset two", 11, &DS2));
    TU_OK(mlops_blob_put(S, "weights", 7, &ART));
    TU_OK(mlops_model_create(S, "churn"));
    int64_t v;
    TU_OK(mlops_model_version_create(S, "churn", &ART, NULL, &v));
    TU_OK(mlops_model_version_create(S, "churn", &ART, NULL, &v));
}

static void teardown(void)
{
    mlops_store_close(S);
    tu_rmrf(base);
    free(base);
}

static uint64_t bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Records metrics names[i] = values[i] (reasons optional) and returns the id. */
static int64_t record(const char *model, int64_t version, const mlops_digest *ds, size_t n,
                      const char *const *names, const double *values, const int *reasons)
{
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = n;
    in.names = names;
    in.values = values;
    in.reasons = reasons;
    int64_t id = 0;
    TU_OK(mlops_evaluation_record(S, model, version, ds, &in, NULL, &id));
    ck_assert_int_gt(id, 0);
    return id;
}

static double metric(const mlops_evaluation *e, const char *name)
{
    mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
    TU_OK(mlops_evaluation_metric_find(e, name, &m));
    return m.value;
}

START_TEST(record_and_read_back)
{
    const char *names[] = { "roc_auc", "accuracy", "f1" };
    const double values[] = { 0.875, 0.75, 0.5 };
    const double low[] = { 0.8, 0.7, NAN };
    const double high[] = { 0.9, 0.8, NAN };
    mlops_evaluation_input in;
    TU_OK(mlops_evaluation_input_init(&in, MLOPS_EVALUATION_INPUT_VERSION));
    in.n = 3;
    in.names = names;
    in.values = values;
    in.low = low;
    in.high = high;
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.reason = "nightly";
    int64_t id = 0, before = (int64_t)time(NULL) * 1000 - 1000;
    TU_OK(mlops_evaluation_record(S, "churn", 2, &DS1, &in, &ch, &id));
    mlops_evaluation *e = NULL;
    TU_OK(mlops_evaluation_get(S, id, &e));
    ck_assert_int_eq(mlops_evaluation_id(e), id);
    ck_assert_str_eq(mlops_evaluation_model(e), "churn");
    ck_assert_int_eq(mlops_evaluation_model_version(e), 2);
    ck_assert_mem_eq(mlops_evaluation_dataset(e)->bytes, DS1.bytes, 32);
    ck_assert_int_ge(mlops_evaluation_created_ms(e), before);
    ck_assert_str_eq(mlops_evaluation_actor(e), tu_actor("ci"));
    ck_assert_str_eq(mlops_evaluation_reason(e), "nightly");
    /* metrics come back by name */
    ck_assert_uint_eq(mlops_evaluation_metric_count(e), 3);
    mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
    TU_OK(mlops_evaluation_metric_at(e, 0, &m));
    ck_assert_str_eq(m.name, "accuracy");
    ck_assert(m.value == 0.75 && m.reason == 0 && m.has_interval && m.low == 0.7 && m.high == 0.8);
    TU_OK(mlops_evaluation_metric_at(e, 1, &m));
    ck_assert_str_eq(m.name, "f1");
    ck_assert(m.has_interval && isnan(m.low) && isnan(m.high));
    TU_OK(mlops_evaluation_metric_at(e, 2, &m));
    ck_assert_str_eq(m.name, "roc_auc");
    TU_RC(MLOPS_EINVAL, mlops_evaluation_metric_at(e, 3, &m));
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_metric_find(e, "auc", &m));
    ck_assert(metric(e, "roc_auc") == 0.875);
    mlops_evaluation_free(e);
    /* without intervals or reason */
    int64_t id2 = record("churn", 2, &DS1, 1, names, values, NULL);
    ck_assert_int_gt(id2, id);
    TU_OK(mlops_evaluation_get(S, id2, &e));
    ck_assert_ptr_null(mlops_evaluation_reason(e));
    TU_OK(mlops_evaluation_metric_at(e, 0, &m));
    ck_assert(!m.has_interval && isnan(m.low) && isnan(m.high));
    mlops_evaluation_free(e);
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_get(S, id2 + 100, &e));
    ck_assert_ptr_null(e);
}
END_TEST

START_TEST(nan_and_reasons_round_trip_bit_exact)
{
    /* quiet NaN, a NaN with a payload and the sign bit, -0, infinities,
     * the smallest subnormal */
    const uint64_t patterns[] = { 0x7ff8000000000000u, 0xfff4000000c0ffeeu, 0x8000000000000000u,
                                  0x7ff0000000000000u, 0xfff0000000000000u, 0x0000000000000001u };
    const char *names[] = { "a", "b", "c", "d", "e", "f" };
    double values[6];
    for (int i = 0; i < 6; i++) values[i] = from_bits(patterns[i]);
    const int reasons[] = { MLOPS_EVAL_ONE_CLASS, MLOPS_EVAL_NO_POSITIVES, 0, 0, 0,
                            MLOPS_EVAL_NO_NEGATIVES };
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 6;
    in.names = names;
    in.values = values;
    in.reasons = reasons;
    in.low = values; /* bounds bit-exact too */
    in.high = values;
    int64_t id = 0;
    TU_OK(mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, &id));
    mlops_evaluation *e = NULL;
    TU_OK(mlops_evaluation_get(S, id, &e));
    for (size_t i = 0; i < 6; i++) {
        mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
        TU_OK(mlops_evaluation_metric_at(e, i, &m));
        ck_assert_str_eq(m.name, names[i]);
        ck_assert_msg(bits(m.value) == patterns[i], "%s: %016llx", m.name,
                      (unsigned long long)bits(m.value));
        ck_assert_uint_eq(bits(m.low), patterns[i]);
        ck_assert_uint_eq(bits(m.high), patterns[i]);
        ck_assert_int_eq(m.reason, reasons[i]);
    }
    mlops_evaluation_free(e);
}
END_TEST

START_TEST(list_filters_pages_and_latest)
{
    const char *n1[] = { "auc" };
    double v[] = { 0.70 };
    int64_t a = record("churn", 1, &DS1, 1, n1, v, NULL);
    v[0] = 0.71;
    int64_t b = record("churn", 1, &DS2, 1, n1, v, NULL);
    v[0] = 0.72;
    int64_t c = record("churn", 1, &DS1, 1, n1, v, NULL);
    v[0] = 0.99;
    record("churn", 2, &DS1, 1, n1, v, NULL); /* another version */
    mlops_evaluations *l = NULL;
    TU_OK(mlops_evaluation_list(S, "churn", 1, NULL, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 3);
    ck_assert_int_eq(mlops_evaluation_id(mlops_evaluations_at(l, 0)), a);
    ck_assert_int_eq(mlops_evaluation_id(mlops_evaluations_at(l, 1)), b);
    ck_assert_int_eq(mlops_evaluation_id(mlops_evaluations_at(l, 2)), c);
    ck_assert_ptr_null(mlops_evaluations_at(l, 3));
    ck_assert(metric(mlops_evaluations_at(l, 1), "auc") == 0.71);
    mlops_evaluations_free(l);
    /* on one dataset */
    mlops_evaluation_list_opts o;
    TU_OK(mlops_evaluation_list_opts_init(&o, MLOPS_EVALUATION_LIST_OPTS_VERSION));
    o.dataset = &DS1;
    TU_OK(mlops_evaluation_list(S, "churn", 1, &o, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 2);
    ck_assert_int_eq(mlops_evaluation_id(mlops_evaluations_at(l, 1)), c);
    mlops_evaluations_free(l);
    /* pages */
    o.dataset = NULL;
    o.limit = 2;
    TU_OK(mlops_evaluation_list(S, "churn", 1, &o, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 2);
    o.after_id = mlops_evaluation_id(mlops_evaluations_at(l, 1));
    mlops_evaluations_free(l);
    TU_OK(mlops_evaluation_list(S, "churn", 1, &o, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 1);
    ck_assert_int_eq(mlops_evaluation_id(mlops_evaluations_at(l, 0)), c);
    mlops_evaluations_free(l);
    /* a version never evaluated: an empty list */
    int64_t v3;
    TU_OK(mlops_model_version_create(S, "churn", &ART, NULL, &v3));
    TU_OK(mlops_evaluation_list(S, "churn", v3, NULL, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 0);
    mlops_evaluations_free(l);
}
END_TEST

/* The gates' lookup runs on a connection inside a transaction. */
struct latest {
    const char *model;
    int64_t version;
    const mlops_digest *ds;
    const char *metric;
    mlops__evaluation_value out;
};

static int latest_tx(mlops__conn *c, void *arg)
{
    struct latest *x = arg;
    return mlops__evaluation_latest_metric(c, "test", x->model, x->version, x->ds, x->metric,
                                           &x->out);
}

static int latest(const char *model, int64_t version, const mlops_digest *ds, const char *name,
                  mlops__evaluation_value *out)
{
    struct latest x = { model, version, ds, name, { 0, 0, 0 } };
    int rc = mlops__store_read(S, latest_tx, &x);
    *out = x.out;
    return rc;
}

START_TEST(latest_metric_for_gates)
{
    const char *n2[] = { "auc", "f1" };
    const char *n1[] = { "f1" };
    double v2[] = { 0.80, 0.60 };
    mlops__evaluation_value got;
    TU_RC(MLOPS_ENOTFOUND, latest("churn", 1, &DS1, "auc", &got));
    ck_assert(strstr(mlops_last_error(), "has no evaluation on sha256:"));
    int64_t first = record("churn", 1, &DS1, 2, n2, v2, NULL);
    TU_OK(latest("churn", 1, &DS1, "auc", &got));
    ck_assert(got.value == 0.80 && got.evaluation_id == first && got.reason == 0);
    /* another dataset does not count */
    TU_RC(MLOPS_ENOTFOUND, latest("churn", 1, &DS2, "auc", &got));
    /* the latest wins; a metric it lacks is not taken from an older one */
    double nan1[] = { NAN };
    double f1[] = { 0.65 };
    int64_t second = record("churn", 1, &DS1, 1, n1, f1, NULL);
    TU_OK(latest("churn", 1, &DS1, "f1", &got));
    ck_assert(got.value == 0.65 && got.evaluation_id == second);
    TU_RC(MLOPS_ENOTFOUND, latest("churn", 1, &DS1, "auc", &got));
    ck_assert(strstr(mlops_last_error(), "has no metric 'auc'"));
    /* NaN with its reason */
    const char *na[] = { "auc" };
    int r[] = { MLOPS_EVAL_ONE_CLASS };
    record("churn", 1, &DS1, 1, na, nan1, r);
    TU_OK(latest("churn", 1, &DS1, "auc", &got));
    ck_assert(isnan(got.value) && got.reason == MLOPS_EVAL_ONE_CLASS);
    TU_RC(MLOPS_ENOTFOUND, latest("churn", 9, &DS1, "auc", &got));
    TU_RC(MLOPS_ENOTFOUND, latest("nope", 1, &DS1, "auc", &got));
}
END_TEST

START_TEST(refusals_change_nothing)
{
    const char *names[] = { "auc", "auc" };
    const char *bad_utf8[] = { "caf\xc3\x28" };
    const char *ctrl[] = { "a\nb" };
    const char *empty[] = { "" };
    char longname[300];
    memset(longname, 'k', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const char *toolong[] = { longname };
    const char *nul[] = { NULL };
    double v[] = { 1, 2 };
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 1;
    in.names = names;
    in.values = v;
    /* unknown model or version: ENOTFOUND */
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_record(S, "nope", 1, &DS1, &in, NULL, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_record(S, "churn", 7, &DS1, &in, NULL, NULL));
    ck_assert(strstr(mlops_last_error(), "mlops_evaluation_record: model 'churn' has no version 7"));
    mlops_evaluations *l = NULL;
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_list(S, "nope", 1, NULL, &l));
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_list(S, "churn", 7, NULL, &l));
    ck_assert_ptr_null(l);
    /* bad metric names */
    in.n = 2;
    TU_RC(MLOPS_EINVAL, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    ck_assert(strstr(mlops_last_error(), "metric 'auc' is given twice"));
    in.n = 1;
    const char *const *bad[] = { bad_utf8, ctrl, empty, toolong, nul };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.names = bad[i];
        TU_RC(MLOPS_EINVAL, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    }
    /* 250 bytes is the limit: MLflow's for every key */
    longname[MLOPS_KEY_MAX] = '\0';
    in.names = toolong;
    TU_OK(mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    /* reasons, bounds, counts */
    int unknown_reason[] = { 99 };
    in.reasons = unknown_reason;
    TU_RC(MLOPS_EINVAL, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    in.reasons = NULL;
    in.low = v;
    TU_RC(MLOPS_EINVAL, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    in.low = NULL;
    in.n = 0;
    TU_RC(MLOPS_EINVAL, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    in.n = MLOPS_EVALUATION_METRICS_MAX + 1;
    TU_RC(MLOPS_EINVAL, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    /* only the one valid record above was written */
    TU_OK(mlops_evaluation_list(S, "churn", 1, NULL, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 1);
    mlops_evaluations_free(l);
}
END_TEST

START_TEST(deleted_version_keeps_its_evaluations)
{
    const char *n[] = { "auc" };
    double v[] = { 0.9 };
    int64_t id = record("churn", 1, &DS1, 1, n, v, NULL);
    TU_OK(mlops_model_version_delete(S, "churn", 1, NULL));
    /* readable: by id, listed, and by the gates' lookup */
    mlops_evaluation *e = NULL;
    TU_OK(mlops_evaluation_get(S, id, &e));
    ck_assert_int_eq(mlops_evaluation_model_version(e), 1);
    mlops_evaluation_free(e);
    mlops_evaluations *l = NULL;
    TU_OK(mlops_evaluation_list(S, "churn", 1, NULL, &l));
    ck_assert_uint_eq(mlops_evaluations_count(l), 1);
    mlops_evaluations_free(l);
    mlops__evaluation_value got;
    TU_OK(latest("churn", 1, &DS1, "auc", &got));
    /* but no new evaluation of a deleted version */
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 1;
    in.names = n;
    in.values = v;
    TU_RC(MLOPS_ENOTFOUND, mlops_evaluation_record(S, "churn", 1, &DS1, &in, NULL, NULL));
    ck_assert(strstr(mlops_last_error(), "is deleted"));
    /* a rename is followed */
    TU_OK(mlops_model_rename(S, "churn", "churn2", NULL));
    TU_OK(mlops_evaluation_get(S, id, &e));
    ck_assert_str_eq(mlops_evaluation_model(e), "churn2");
    mlops_evaluation_free(e);
}
END_TEST

START_TEST(read_only_store_refuses_to_record)
{
    char *dir = strdup(mlops_store_path(S));
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    mlops_store *ro = NULL;
    TU_OK(mlops_store_open(dir, &o, &ro));
    const char *n[] = { "auc" };
    double v[] = { 0.9 };
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 1;
    in.names = n;
    in.values = v;
    TU_RC(MLOPS_EREADONLY, mlops_evaluation_record(ro, "churn", 1, &DS1, &in, NULL, NULL));
    mlops_store_close(ro);
    free(dir);
}
END_TEST

/* Takes format 4 away from the store at dir (its tables and the split
 * column), leaving it at format 3. */
static void drop_format_4(tu_db *db)
{
    tu_db_exec(db, "DROP TABLE mon_window_confusion; DROP TABLE mon_predictions; DROP TABLE mon_label_settings;");
    tu_db_exec(db, "DROP TABLE mon_events; DROP TABLE mon_window_metrics; DROP TABLE mon_window_columns; "
                   "DROP TABLE mon_windows; DROP TABLE mon_columns; DROP TABLE mon_monitors;");
    tu_db_exec(db, "DROP TABLE reg_gates; DROP TABLE reg_alias_salts;"
                   "ALTER TABLE reg_aliases DROP COLUMN split");
}

/* A store at format version 3 gains the gate tables and the split column
 * on its next read-write open, on either backend, and its aliases stay
 * plain. */
START_TEST(format_3_store_migrates_to_4)
{
    TU_OK(mlops_model_alias_set(S, "churn", "champion", 2));
    char *dir = strdup(mlops_store_path(S));
    mlops_store_close(S);
    S = NULL;
    tu_db *db = tu_db_open(dir);
    drop_format_4(db);
    tu_db_exec(db, tu_db_dialect(db) == 2 ? "UPDATE meta SET value = '3' WHERE key = 'format_version'"
                                          : "PRAGMA user_version = 3");
    tu_db_close(db);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &S));
    TU_OK(mlops_store_open(dir, NULL, &S));
    int fv = 0;
    TU_OK(mlops_store_format_version(S, &fv));
    ck_assert_int_eq(fv, MLOPS__FORMAT_VERSION);
    int64_t n = 0;
    TU_OK(mlops_model_alias_get(S, "churn", "champion", &n));
    ck_assert_int_eq(n, 2);
    TU_OK(mlops_model_alias_set(S, "churn", "champion", 1));
    TU_OK(mlops_audit_verify(S));
    free(dir);
}
END_TEST

/* A store at format version 2 (version 3's and 4's tables dropped, the
 * version set back) gains them on its next read-write open, on either
 * backend. */
START_TEST(format_2_store_migrates_to_3)
{
    const char *n[] = { "auc" };
    double v[] = { 0.9 };
    char *dir = strdup(mlops_store_path(S));
    mlops_store_close(S);
    S = NULL;
    tu_db *db = tu_db_open(dir);
    drop_format_4(db);
    tu_db_exec(db, "DROP TABLE reg_evaluation_metrics; DROP TABLE reg_evaluations;"
                   "DROP TABLE tx_requests");
    tu_db_exec(db, tu_db_dialect(db) == 2 ? "UPDATE meta SET value = '2' WHERE key = 'format_version'"
                                          : "PRAGMA user_version = 2");
    tu_db_close(db);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &S));
    TU_OK(mlops_store_open(dir, NULL, &S));
    int fv = 0;
    TU_OK(mlops_store_format_version(S, &fv));
    ck_assert_int_eq(fv, MLOPS__FORMAT_VERSION);
    record("churn", 2, &DS1, 1, n, v, NULL);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_evaluations");
    TCase *tc = tcase_create("evaluations");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, record_and_read_back);
    tcase_add_test(tc, nan_and_reasons_round_trip_bit_exact);
    tcase_add_test(tc, list_filters_pages_and_latest);
    tcase_add_test(tc, latest_metric_for_gates);
    tcase_add_test(tc, refusals_change_nothing);
    tcase_add_test(tc, deleted_version_keeps_its_evaluations);
    tcase_add_test(tc, read_only_store_refuses_to_record);
    tcase_add_test(tc, format_2_store_migrates_to_3);
    tcase_add_test(tc, format_3_store_migrates_to_4);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
