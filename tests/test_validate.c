/* Data validation (include/mlops/validate.h): schemas inferred from
 * profiles, edited, stored and read back in both forms, and every anomaly
 * kind found with its counts and examples, and not found when the batch
 * stays within the tolerances. */
#include "testutil.h"

#include <mlops.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reference: "age" numeric 0..99 with 10 NaN in 1000, "city" categorical
 * of three cities with 50 missing, "id" categorical with 2000 distinct
 * values (beyond max_categories 1000: no allowed set). */
static mlops_schema *reference_schema(void)
{
    mlops_profile *p[3];
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p[0]));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &p[1]));
    TU_OK(mlops_profile_new(MLOPS_PROFILE_CATEGORICAL, NULL, &p[2]));
    double age[1000];
    const char *city[1000], *ids[2000];
    static const char *cities[3] = { "Oslo", "Rome", "Lima" };
    static char idbuf[2000][8];
    for (int i = 0; i < 1000; i++) {
        age[i] = i < 10 ? NAN : (double)(i % 100);
        city[i] = i < 50 ? NULL : cities[i % 3];
    }
    for (int i = 0; i < 2000; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "%d", i);
        ids[i] = idbuf[i];
    }
    TU_OK(mlops_profile_add(p[0], age, 1000));
    TU_OK(mlops_profile_add_strings(p[1], city, 1000));
    TU_OK(mlops_profile_add_strings(p[2], ids, 2000));
    const char *names[3] = { "age", "city", "id" };
    mlops_schema *s;
    TU_OK(mlops_schema_infer(3, names, p, NULL, &s));
    for (int i = 0; i < 3; i++) mlops_profile_free(p[i]);
    return s;
}

static mlops_schema_column column(const mlops_schema *s, const char *name)
{
    size_t i;
    TU_OK(mlops_schema_column_find(s, name, &i));
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    TU_OK(mlops_schema_column_get(s, i, &c));
    return c;
}

START_TEST(infer_from_profiles)
{
    mlops_schema *s = reference_schema();
    ck_assert_uint_eq(mlops_schema_column_count(s), 3);
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    TU_OK(mlops_schema_column_get(s, 0, &c)); /* name order */
    ck_assert_str_eq(c.name, "age");
    ck_assert_int_eq(c.kind, MLOPS_PROFILE_NUMERIC);
    ck_assert_uint_eq(c.checks, MLOPS_SCHEMA_CHECK_PRESENCE | MLOPS_SCHEMA_CHECK_RANGE | MLOPS_SCHEMA_CHECK_MISSING);
    ck_assert(c.min == 0.0 && c.max == 99.0 && c.out_of_range_max == 0.0);
    ck_assert_double_eq_tol(c.missing_max, 0.01 + 0.05, 1e-15);
    c = column(s, "city");
    ck_assert_uint_eq(c.checks, MLOPS_SCHEMA_CHECK_PRESENCE | MLOPS_SCHEMA_CHECK_CATEGORIES | MLOPS_SCHEMA_CHECK_MISSING);
    ck_assert_uint_eq(c.n_categories, 3);
    ck_assert_str_eq(c.categories[0], "Lima"); /* byte order */
    ck_assert_str_eq(c.categories[2], "Rome");
    ck_assert_double_eq_tol(c.missing_max, 0.05 + 0.05, 1e-15);
    c = column(s, "id");
    ck_assert_uint_eq(c.checks, MLOPS_SCHEMA_CHECK_PRESENCE | MLOPS_SCHEMA_CHECK_MISSING);
    size_t i;
    TU_RC(MLOPS_ENOTFOUND, mlops_schema_column_find(s, "nope", &i));
    TU_RC(MLOPS_EINVAL, mlops_schema_column_get(s, 3, &c));
    /* Options: a slack on the range, fewer categories allowed. */
    mlops_profile *p;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p));
    double v[2] = { 10, 20 };
    TU_OK(mlops_profile_add(p, v, 2));
    mlops_schema_infer_opts o = MLOPS_SCHEMA_INFER_OPTS_INIT;
    o.range_slack = 0.5;
    o.missing_slack = 0;
    const char *n1[1] = { "x" };
    mlops_schema *t;
    TU_OK(mlops_schema_infer(1, n1, &p, &o, &t));
    c = column(t, "x");
    ck_assert(c.min == 5.0 && c.max == 25.0 && c.missing_max == 0.0);
    mlops_schema_free(t);
    const char *dup[2] = { "x", "x" };
    mlops_profile *pp[2] = { p, p };
    TU_RC(MLOPS_EINVAL, mlops_schema_infer(2, dup, pp, NULL, &t));
    ck_assert_ptr_null(t);
    o.missing_slack = 2;
    TU_RC(MLOPS_EINVAL, mlops_schema_infer(1, n1, &p, &o, &t));
    /* Infinities in the reference: the range is open. */
    double inf = INFINITY;
    TU_OK(mlops_profile_add(p, &inf, 1));
    TU_OK(mlops_schema_infer(1, n1, &p, NULL, &t));
    c = column(t, "x");
    ck_assert(c.min == -INFINITY && c.max == INFINITY);
    mlops_schema_free(t);
    mlops_profile_free(p);
    mlops_schema_free(s);
}
END_TEST

/* A reference whose finite values span more than a double holds (max - min
 * overflows to infinity): with no slack the range is [min, max], with a
 * slack it is open; either way a schema, not MLOPS_EINVAL for a NaN end. */
START_TEST(infer_range_of_extreme_values)
{
    mlops_profile *p;
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p));
    double v[2] = { -1e308, 1e308 };
    TU_OK(mlops_profile_add(p, v, 2));
    const char *n1[1] = { "x" };
    mlops_schema *t = NULL;
    TU_OK(mlops_schema_infer(1, n1, &p, NULL, &t)); /* range_slack 0, the default */
    mlops_schema_column c = column(t, "x");
    ck_assert(c.checks & MLOPS_SCHEMA_CHECK_RANGE);
    ck_assert(c.min == -1e308 && c.max == 1e308);
    mlops_schema_free(t);
    mlops_schema_infer_opts o = MLOPS_SCHEMA_INFER_OPTS_INIT;
    o.range_slack = 0.25;
    TU_OK(mlops_schema_infer(1, n1, &p, &o, &t));
    c = column(t, "x");
    ck_assert(c.min == -INFINITY && c.max == INFINITY);
    mlops_schema_free(t);
    mlops_profile_free(p);
}
END_TEST

START_TEST(edit_columns)
{
    mlops_schema *s;
    TU_OK(mlops_schema_new(&s));
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    c.name = "b";
    c.kind = MLOPS_PROFILE_CATEGORICAL;
    c.checks |= MLOPS_SCHEMA_CHECK_CATEGORIES;
    const char *cats[4] = { "z", "a", "z", "" };
    c.categories = cats;
    c.n_categories = 4;
    TU_OK(mlops_schema_column_set(s, &c));
    c = column(s, "b");
    ck_assert_uint_eq(c.n_categories, 3); /* sorted, duplicates once */
    ck_assert_str_eq(c.categories[0], "");
    ck_assert_str_eq(c.categories[1], "a");
    /* Clear a check: get, change, set back. */
    c.checks &= ~MLOPS_SCHEMA_CHECK_CATEGORIES;
    TU_OK(mlops_schema_column_set(s, &c));
    c = column(s, "b");
    ck_assert_uint_eq(c.checks, MLOPS_SCHEMA_CHECK_PRESENCE);
    ck_assert_uint_eq(c.n_categories, 0);
    /* Refused: the schema stays as it was. */
    mlops_schema_column d = MLOPS_SCHEMA_COLUMN_INIT;
    d.name = "a";
    d.kind = MLOPS_PROFILE_CATEGORICAL;
    d.checks |= MLOPS_SCHEMA_CHECK_RANGE;
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_schema_column_set: column 'a'"));
    d.kind = MLOPS_PROFILE_NUMERIC;
    d.min = 2;
    d.max = 1;
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    d.max = NAN;
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    d.max = 3;
    d.checks |= MLOPS_SCHEMA_CHECK_MISSING;
    d.missing_max = 1.5;
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    d.checks = 64;
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    d.checks = 0;
    d.name = "bad\x01name";
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    d.name = "a";
    d.version = 9;
    TU_RC(MLOPS_EINVAL, mlops_schema_column_set(s, &d));
    ck_assert_uint_eq(mlops_schema_column_count(s), 1);
    d.version = MLOPS_SCHEMA_COLUMN_VERSION;
    TU_OK(mlops_schema_column_set(s, &d));
    ck_assert_uint_eq(mlops_schema_column_count(s), 2);
    TU_OK(mlops_schema_column_get(s, 0, &c));
    ck_assert_str_eq(c.name, "a");
    TU_OK(mlops_schema_column_delete(s, "a"));
    TU_RC(MLOPS_ENOTFOUND, mlops_schema_column_delete(s, "a"));
    ck_assert_uint_eq(mlops_schema_column_count(s), 1);
    mlops_schema_free(s);
    mlops_schema_free(NULL);
}
END_TEST

static void same_bytes(const mlops_schema *a, const mlops_schema *b)
{
    void *x, *y;
    size_t nx, ny;
    TU_OK(mlops_schema_serialize(a, &x, &nx));
    TU_OK(mlops_schema_serialize(b, &y, &ny));
    ck_assert(nx == ny && memcmp(x, y, nx) == 0);
    mlops_free(x);
    mlops_free(y);
}

START_TEST(stored_and_text_forms)
{
    mlops_schema *s = reference_schema();
    void *buf;
    size_t len;
    TU_OK(mlops_schema_serialize(s, &buf, &len));
    mlops_schema *t;
    TU_OK(mlops_schema_deserialize(buf, len, &t));
    same_bytes(s, t);
    mlops_schema_free(t);
    /* A newer format version: unsupported, not malformed. */
    unsigned char *v2 = malloc(len);
    memcpy(v2, buf, len);
    unsigned char *at = memmem(v2, len, "\xa7version", 8);
    ck_assert_ptr_nonnull(at);
    ck_assert_uint_eq(at[8], 1);
    at[8] = 2;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_schema_deserialize(v2, len, &t));
    ck_assert_ptr_null(t);
    free(v2);
    /* Truncated at every length: a format error, never a crash. */
    for (size_t n = 0; n < len; n++) {
        TU_RC(MLOPS_EFORMAT, mlops_schema_deserialize(buf, n, &t));
        ck_assert_ptr_null(t);
    }
    mlops_free(buf);
    /* JSON round trip, then an edit by text. */
    char *json;
    TU_OK(mlops_schema_to_json(s, &json));
    TU_OK(mlops_schema_from_json(json, strlen(json), &t));
    same_bytes(s, t);
    mlops_schema_free(t);
    mlops_free(json);
    const char *edited = "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [\n"
                         " {\"name\": \"x\", \"kind\": \"numeric\", \"range\": {\"min\": null, \"max\": 5}},\n"
                         " {\"name\": \"c\\u00e9\", \"kind\": \"categorical\", \"required\": false,\n"
                         "  \"categories\": {\"values\": [\"b\", \"a\"], \"max_unseen_share\": 0.25},\n"
                         "  \"missing\": {\"max_share\": 0.5}}]}";
    TU_OK(mlops_schema_from_json(edited, strlen(edited), &t));
    mlops_schema_column c = column(t, "x");
    ck_assert(c.min == -INFINITY && c.max == 5.0 && c.checks == (MLOPS_SCHEMA_CHECK_PRESENCE | MLOPS_SCHEMA_CHECK_RANGE));
    c = column(t, "c\xc3\xa9");
    ck_assert(c.checks == (MLOPS_SCHEMA_CHECK_CATEGORIES | MLOPS_SCHEMA_CHECK_MISSING) && c.unseen_max == 0.25);
    TU_OK(mlops_schema_to_json(t, &json));
    ck_assert_ptr_nonnull(strstr(json, "\"min\": null"));
    mlops_schema *u;
    TU_OK(mlops_schema_from_json(json, strlen(json), &u));
    same_bytes(t, u);
    mlops_schema_free(u);
    mlops_free(json);
    mlops_schema_free(t);
    /* Bad text: where it is wrong. */
    static const char *bad[] = {
        "", "[]", "{\"format\": \"mlops.schema\", \"version\": 1}",
        "{\"format\": \"x\", \"version\": 1, \"columns\": []}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [],}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [{\"name\": \"a\"}]}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [{\"name\": \"a\", \"kind\": \"numeric\",\n"
        " \"range\": {\"min\": 3, \"max\": 1}}]}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [{\"name\": \"a\", \"kind\": \"numeric\"},"
        " {\"name\": \"a\", \"kind\": \"numeric\"}]}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [{\"name\": \"\\ud800\", \"kind\": \"numeric\"}]}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [{\"name\": \"a\\u0000\", \"kind\": \"numeric\"}]}",
        "{\"format\": \"mlops.schema\", \"version\": 1.5, \"columns\": []}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [01]}",
        "{\"format\": \"mlops.schema\", \"version\": 1, \"columns\": [\"\xff\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t = (mlops_schema *)1;
        int rc = mlops_schema_from_json(bad[i], strlen(bad[i]), &t);
        ck_assert_msg(rc == MLOPS_EFORMAT, "case %zu: %d %s", i, rc, mlops_last_error());
        ck_assert_ptr_null(t);
    }
    TU_RC(MLOPS_EFORMAT, mlops_schema_from_json(bad[6], strlen(bad[6]), &t));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "line 1"));
    const char *newer = "{\"format\": \"mlops.schema\", \"version\": 2, \"columns\": []}";
    TU_RC(MLOPS_EUNSUPPORTED, mlops_schema_from_json(newer, strlen(newer), &t));
    char deep[300];
    memset(deep, '[', sizeof deep);
    TU_RC(MLOPS_EFORMAT, mlops_schema_from_json(deep, sizeof deep, &t));
    mlops_schema_free(s);
}
END_TEST

START_TEST(in_the_store)
{
    char *dir = tu_tmpdir();
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    mlops_store *st;
    TU_OK(mlops_store_open(dir, &so, &st));
    mlops_schema *s = reference_schema(), *t = reference_schema(), *g;
    mlops_digest d1, d2;
    TU_OK(mlops_schema_put(st, s, &d1));
    TU_OK(mlops_schema_put(st, t, &d2));
    ck_assert(memcmp(&d1, &d2, sizeof d1) == 0);
    TU_OK(mlops_schema_get(st, &d1, &g));
    same_bytes(s, g);
    mlops_schema_free(g);
    mlops_digest other;
    TU_OK(mlops_blob_put(st, "not a schema", 12, &other));
    TU_RC(MLOPS_EFORMAT, mlops_schema_get(st, &other, &g));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "sha256:"));
    memset(&other, 0x5a, sizeof other);
    TU_RC(MLOPS_ENOTFOUND, mlops_schema_get(st, &other, &g));
    mlops_schema_free(s);
    mlops_schema_free(t);
    mlops_store_close(st);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static const mlops_anomaly *find_anomaly(const mlops_anomalies *l, int kind, const char *column)
{
    for (size_t i = 0; i < mlops_anomalies_count(l); i++) {
        const mlops_anomaly *a = mlops_anomalies_at(l, i);
        if (a->kind == kind && strcmp(a->column, column) == 0) return a;
    }
    return NULL;
}

START_TEST(every_anomaly)
{
    mlops_schema *s = reference_schema();
    enum { N = 100 };
    double age[N], extra[N];
    const char *city[N], *id[N];
    for (int i = 0; i < N; i++) {
        age[i] = (double)(i % 100);
        city[i] = i % 2 ? "Oslo" : "Rome";
        id[i] = "1";
        extra[i] = i;
    }
    /* Within the reference: no anomaly. */
    const char *names[4] = { "age", "city", "id", "extra" };
    int kinds[4] = { MLOPS_PROFILE_NUMERIC, MLOPS_PROFILE_CATEGORICAL, MLOPS_PROFILE_CATEGORICAL,
                     MLOPS_PROFILE_NUMERIC };
    const double *nums[4] = { age, NULL, NULL, extra };
    const char *const *strs[4] = { NULL, city, id, NULL };
    mlops_anomalies *l;
    TU_OK(mlops_schema_validate(s, 3, names, kinds, nums, strs, N, NULL, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 0);
    ck_assert_ptr_null(mlops_anomalies_at(l, 0));
    mlops_anomalies_free(l);
    /* Out of range (3 values), unseen (2), missing share 7% > 6%, an extra column. */
    age[5] = -1;
    age[50] = 1e300;
    age[60] = INFINITY;
    for (int i = 90; i < 97; i++) age[i] = NAN;
    city[7] = "Paris";
    city[8] = "oslo";
    city[9] = NULL;
    TU_OK(mlops_schema_validate(s, 4, names, kinds, nums, strs, N, NULL, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 4);
    const mlops_anomaly *a = mlops_anomalies_at(l, 0); /* schema order, then unknown columns */
    ck_assert_int_eq(a->kind, MLOPS_ANOMALY_OUT_OF_RANGE);
    ck_assert_str_eq(a->column, "age");
    ck_assert(a->count == 3 && a->total == 93 && a->limit == 0.0);
    ck_assert_double_eq(a->share, 3.0 / 93.0);
    ck_assert_uint_eq(a->n_examples, 3);
    ck_assert(a->example_rows[0] == 5 && a->example_rows[1] == 50 && a->example_rows[2] == 60);
    ck_assert_str_eq(a->example_values[0], "-1");
    ck_assert_str_eq(a->example_values[1], "1e+300");
    ck_assert_str_eq(a->example_values[2], "inf");
    a = mlops_anomalies_at(l, 1);
    ck_assert_int_eq(a->kind, MLOPS_ANOMALY_MISSING_VALUES);
    ck_assert(a->count == 7 && a->total == N && a->example_rows[0] == 90);
    a = mlops_anomalies_at(l, 2);
    ck_assert_int_eq(a->kind, MLOPS_ANOMALY_UNSEEN_CATEGORY);
    ck_assert(a->count == 2 && a->total == 99 && a->n_examples == 2);
    ck_assert_str_eq(a->example_values[0], "Paris");
    ck_assert_str_eq(a->example_values[1], "oslo");
    a = mlops_anomalies_at(l, 3);
    ck_assert_int_eq(a->kind, MLOPS_ANOMALY_UNKNOWN_COLUMN);
    ck_assert_str_eq(a->column, "extra");
    ck_assert(a->actual_kind == MLOPS_PROFILE_NUMERIC && a->expected_kind == 0 && a->total == N);
    mlops_anomalies_free(l);
    /* Tolerances: the same batch passes range and unseen checks that allow it. */
    mlops_schema_column c = column(s, "age");
    c.out_of_range_max = 3.0 / 93.0;
    c.missing_max = 0.07;
    TU_OK(mlops_schema_column_set(s, &c));
    c = column(s, "city");
    c.unseen_max = 0.05;
    TU_OK(mlops_schema_column_set(s, &c));
    mlops_validate_opts vo = MLOPS_VALIDATE_OPTS_INIT;
    vo.max_examples = 1;
    TU_OK(mlops_schema_validate(s, 4, names, kinds, nums, strs, N, &vo, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 1);
    ck_assert_uint_eq(mlops_anomalies_at(l, 0)->n_examples, 1);
    mlops_anomalies_free(l);
    /* A missing column and a kind change. */
    const char *n2[2] = { "age", "id" };
    int k2[2] = { MLOPS_PROFILE_CATEGORICAL, MLOPS_PROFILE_NUMERIC };
    const double *nu2[2] = { NULL, extra };
    const char *const *st2[2] = { city, NULL };
    TU_OK(mlops_schema_validate(s, 2, n2, k2, nu2, st2, N, NULL, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 3);
    a = find_anomaly(l, MLOPS_ANOMALY_KIND_CHANGE, "age");
    ck_assert_ptr_nonnull(a);
    ck_assert(a->expected_kind == MLOPS_PROFILE_NUMERIC && a->actual_kind == MLOPS_PROFILE_CATEGORICAL);
    ck_assert_str_eq(a->example_values[0], "Rome");
    ck_assert_ptr_nonnull(find_anomaly(l, MLOPS_ANOMALY_MISSING_COLUMN, "city"));
    a = find_anomaly(l, MLOPS_ANOMALY_KIND_CHANGE, "id");
    ck_assert_str_eq(a->example_values[1], "1");
    mlops_anomalies_free(l);
    /* A column without the presence check may be absent. */
    c = column(s, "city");
    c.checks &= ~MLOPS_SCHEMA_CHECK_PRESENCE;
    TU_OK(mlops_schema_column_set(s, &c));
    c = column(s, "id");
    c.checks &= ~MLOPS_SCHEMA_CHECK_PRESENCE;
    TU_OK(mlops_schema_column_set(s, &c));
    TU_OK(mlops_schema_validate(s, 1, names, kinds, nums, strs, N, NULL, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 0);
    mlops_anomalies_free(l);
    /* Bad batches. */
    const char *dup[2] = { "age", "age" };
    int kk[2] = { MLOPS_PROFILE_NUMERIC, MLOPS_PROFILE_NUMERIC };
    const double *nn[2] = { age, age };
    TU_RC(MLOPS_EINVAL, mlops_schema_validate(s, 2, dup, kk, nn, NULL, N, NULL, &l));
    ck_assert_ptr_null(l);
    TU_RC(MLOPS_EINVAL, mlops_schema_validate(s, 1, names, kk, NULL, NULL, N, NULL, &l));
    kk[0] = 7;
    TU_RC(MLOPS_EINVAL, mlops_schema_validate(s, 1, names, kk, nn, NULL, N, NULL, &l));
    vo.max_examples = 101;
    TU_RC(MLOPS_EINVAL, mlops_schema_validate(s, 1, names, kinds, nums, strs, N, &vo, &l));
    /* No rows: nothing can be out of range or missing. */
    TU_OK(mlops_schema_validate(s, 1, names, kinds, nums, strs, 0, NULL, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 0);
    mlops_anomalies_free(l);
    mlops_anomalies_free(NULL);
    mlops_schema_free(s);
}
END_TEST

/* Many categories: the hash set answers as a linear search would. */
START_TEST(many_categories)
{
    enum { K = 5000, N = 20000 };
    static char buf[K][12], q[N][12];
    const char *cats[K], *vals[N];
    for (int i = 0; i < K; i++) {
        snprintf(buf[i], sizeof buf[i], "c%d", i * 2);
        cats[i] = buf[i];
    }
    uint64_t expect = 0;
    for (int i = 0; i < N; i++) {
        int v = (i * 7919) % (4 * K);
        snprintf(q[i], sizeof q[i], "c%d", v);
        vals[i] = q[i];
        expect += (v % 2 == 1 || v >= 2 * K);
    }
    mlops_schema *s;
    TU_OK(mlops_schema_new(&s));
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    c.name = "c";
    c.kind = MLOPS_PROFILE_CATEGORICAL;
    c.checks = MLOPS_SCHEMA_CHECK_CATEGORIES;
    c.categories = cats;
    c.n_categories = K;
    TU_OK(mlops_schema_column_set(s, &c));
    const char *names[1] = { "c" };
    int kinds[1] = { MLOPS_PROFILE_CATEGORICAL };
    const char *const *strs[1] = { vals };
    mlops_anomalies *l;
    TU_OK(mlops_schema_validate(s, 1, names, kinds, NULL, strs, N, NULL, &l));
    ck_assert_uint_eq(mlops_anomalies_count(l), 1);
    ck_assert_uint_eq(mlops_anomalies_at(l, 0)->count, expect);
    mlops_anomalies_free(l);
    mlops_schema_free(s);
}
END_TEST

/* A batch big enough to be checked on several threads gives the anomalies
 * each column gives alone (checked on the caller's thread), in order. */
START_TEST(parallel_equals_serial)
{
    enum { COLS = 8, ROWS = 150000 };
    static const char *cats[4] = { "a", "b", "c", "zz" };
    mlops_schema *s;
    TU_OK(mlops_schema_new(&s));
    const char *names[COLS];
    char namebuf[COLS][8];
    int kinds[COLS];
    const double *nums[COLS];
    const char *const *strs[COLS];
    for (int c = 0; c < COLS; c++) {
        snprintf(namebuf[c], sizeof namebuf[c], "c%d", c);
        names[c] = namebuf[c];
        mlops_schema_column col = MLOPS_SCHEMA_COLUMN_INIT;
        col.name = names[c];
        col.checks |= MLOPS_SCHEMA_CHECK_MISSING;
        col.missing_max = 0.001 * c;
        nums[c] = NULL;
        strs[c] = NULL;
        if (c % 2) {
            kinds[c] = col.kind = MLOPS_PROFILE_CATEGORICAL;
            col.checks |= MLOPS_SCHEMA_CHECK_CATEGORIES;
            col.categories = cats;
            col.n_categories = 3;
            const char **v = malloc(ROWS * sizeof *v);
            for (int r = 0; r < ROWS; r++) v[r] = r % (97 + c) == 0 ? NULL : cats[(r * 7 + c) % 4];
            strs[c] = v;
        } else {
            kinds[c] = col.kind = MLOPS_PROFILE_NUMERIC;
            col.checks |= MLOPS_SCHEMA_CHECK_RANGE;
            col.max = 1000.0 - c;
            double *v = malloc(ROWS * sizeof *v);
            for (int r = 0; r < ROWS; r++) v[r] = r % (89 + c) == 0 ? NAN : (double)((r * 13 + c) % 1003);
            nums[c] = v;
        }
        TU_OK(mlops_schema_column_set(s, &col));
    }
    mlops_anomalies *all;
    TU_OK(mlops_set_thread_limit(4));
    TU_OK(mlops_schema_validate(s, COLS, names, kinds, nums, strs, ROWS, NULL, &all));
    TU_OK(mlops_set_thread_limit(0));
    size_t at = 0;
    for (int c = 0; c < COLS; c++) {
        mlops_schema *one;
        TU_OK(mlops_schema_new(&one));
        size_t idx;
        mlops_schema_column col = MLOPS_SCHEMA_COLUMN_INIT;
        TU_OK(mlops_schema_column_find(s, names[c], &idx));
        TU_OK(mlops_schema_column_get(s, idx, &col));
        TU_OK(mlops_schema_column_set(one, &col));
        mlops_anomalies *l;
        TU_OK(mlops_schema_validate(one, 1, &names[c], &kinds[c], &nums[c], &strs[c], ROWS, NULL, &l));
        ck_assert_uint_ge(mlops_anomalies_count(l), 1);
        for (size_t k = 0; k < mlops_anomalies_count(l); k++, at++) {
            const mlops_anomaly *x = mlops_anomalies_at(l, k), *y = mlops_anomalies_at(all, at);
            ck_assert_ptr_nonnull(y);
            ck_assert_str_eq(x->column, y->column);
            ck_assert(x->kind == y->kind && x->count == y->count && x->total == y->total);
            ck_assert_uint_eq(x->n_examples, y->n_examples);
            for (size_t e = 0; e < x->n_examples; e++) {
                ck_assert(x->example_rows[e] == y->example_rows[e]);
                ck_assert_str_eq(x->example_values[e], y->example_values[e]);
            }
        }
        mlops_anomalies_free(l);
        mlops_schema_free(one);
    }
    ck_assert_uint_eq(at, mlops_anomalies_count(all));
    mlops_anomalies_free(all);
    for (int c = 0; c < COLS; c++) {
        free((void *)nums[c]);
        free((void *)strs[c]);
    }
    mlops_schema_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("schema");
    tcase_add_test(tc, infer_from_profiles);
    tcase_add_test(tc, infer_range_of_extreme_values);
    tcase_add_test(tc, edit_columns);
    tcase_add_test(tc, stored_and_text_forms);
    tcase_add_test(tc, in_the_store);
    suite_add_tcase(s, tc);
    TCase *tv = tcase_create("validation");
    tcase_add_test(tv, every_anomaly);
    tcase_add_test(tv, many_categories);
    tcase_add_test(tv, parallel_equals_serial);
    suite_add_tcase(s, tv);
    return tu_run(s);
}
