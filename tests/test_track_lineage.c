/* Experiment records: lineage (inputs and outputs of runs by digest). */
#include "track_fixture.h"
#include "cas/cas_internal.h"
#include "store/store_internal.h"

static mlops_digest put(const char *text)
{
    mlops_digest d;
    TU_OK(mlops_blob_put(g_store, text, strlen(text), &d));
    return d;
}

START_TEST(record_and_query_both_ways)
{
    mlops_digest train = put("train rows"), base = put("base model"), model = put("weights");
    mlops_run *a = new_run("e"), *b = new_run("e");
    TU_OK(mlops_run_log_input(a, &train, "train.csv", "dataset"));
    TU_OK(mlops_run_log_input(a, &base, "base", "model"));
    TU_OK(mlops_run_log_output(a, &model, "model", "model"));
    TU_OK(mlops_run_log_input(b, &model, "candidate", "model")); /* b evaluates a's model */
    TU_OK(mlops_run_log_input(b, &train, "train.csv", "dataset"));

    mlops_lineage_edge *e;
    size_t n;
    TU_OK(mlops_lineage_for_run(g_store, mlops_run_id(a), &e, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(e[0].direction, MLOPS_LINEAGE_INPUT); /* inputs first, by name */
    ck_assert_str_eq(e[0].name, "base");
    ck_assert_str_eq(e[0].role, "model");
    ck_assert(!memcmp(e[0].digest.bytes, base.bytes, 32));
    ck_assert_str_eq(e[1].name, "train.csv");
    ck_assert_int_eq(e[2].direction, MLOPS_LINEAGE_OUTPUT);
    ck_assert_str_eq(e[2].name, "model");
    ck_assert(!memcmp(e[2].digest.bytes, model.bytes, 32));
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(e[i].run_id, mlops_run_id(a));
        ck_assert_int_gt(e[i].created_ms, 1600000000000);
    }
    mlops_free(e);

    /* who produced and who used the model */
    TU_OK(mlops_lineage_for_digest(g_store, &model, &e, &n));
    ck_assert_uint_eq(n, 2);
    int produced = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].direction == MLOPS_LINEAGE_OUTPUT) {
            ck_assert_str_eq(e[i].run_id, mlops_run_id(a));
            produced++;
        } else {
            ck_assert_str_eq(e[i].run_id, mlops_run_id(b));
            ck_assert_str_eq(e[i].name, "candidate");
            used++;
        }
    }
    ck_assert(produced == 1 && used == 1);
    mlops_free(e);
    TU_OK(mlops_lineage_for_digest(g_store, &train, &e, &n));
    ck_assert_uint_eq(n, 2);
    mlops_free(e);
    mlops_digest unused = put("nobody uses me");
    e = (mlops_lineage_edge *)1;
    TU_OK(mlops_lineage_for_digest(g_store, &unused, &e, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(e);

    /* in the run snapshot too */
    mlops_run_info *ri;
    TU_OK(mlops_run_get(g_store, mlops_run_id(b), &ri));
    const mlops_lineage_edge *le = mlops_run_info_lineage(ri, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(le[0].name, "candidate");
    ck_assert_str_eq(le[0].run_id, mlops_run_id(b));
    mlops_run_info_free(ri);
    mlops_run_free(a);
    mlops_run_free(b);
}
END_TEST

START_TEST(edges_are_immutable_and_checked)
{
    mlops_digest d = put("data");
    mlops_run *r = new_run("e");
    TU_OK(mlops_run_log_input(r, &d, "data", "dataset"));
    TU_OK(mlops_run_log_input(r, &d, "data", "dataset")); /* same edge: no-op */
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_input(r, &d, "data", "labels"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "dataset"));
    TU_OK(mlops_run_log_input(r, &d, "data-copy", "dataset")); /* another name: another edge */
    TU_OK(mlops_run_log_output(r, &d, "data", "dataset"));     /* another direction */
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_lineage"), 3);

    /* content that is not in the store */
    mlops_digest missing;
    TU_OK(mlops_digest_compute("never stored", 12, &missing));
    TU_RC(MLOPS_ENOTFOUND, mlops_run_log_output(r, &missing, "model", "model"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "sha256:"));
    TU_RC(MLOPS_ENOTFOUND, mlops_run_log_input(r, &missing, "model", "model"));

    /* bad arguments */
    char long_name[MLOPS_LINEAGE_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(r, &d, long_name, "dataset"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(r, &d, "", "dataset"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(r, &d, "x", ""));
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(r, &d, "x", "role\n"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(r, &d, "\xC3", "dataset"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(r, NULL, "x", "dataset"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_input(NULL, &d, "x", "dataset"));
    TU_RC(MLOPS_EINVAL, mlops_run_log_output(r, &d, NULL, "dataset"));

    /* an ended run records no more lineage */
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    mlops_digest later = put("later");
    TU_RC(MLOPS_ECONFLICT, mlops_run_log_output(r, &later, "late", "model"));
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_lineage"), 3);

    mlops_lineage_edge *e;
    size_t n;
    TU_RC(MLOPS_ENOTFOUND,
          mlops_lineage_for_run(g_store, "0123456789abcdef0123456789abcdef", &e, &n));
    TU_RC(MLOPS_EINVAL, mlops_lineage_for_run(g_store, "nope", &e, &n));
    TU_RC(MLOPS_EINVAL, mlops_lineage_for_digest(g_store, NULL, &e, &n));
    TU_RC(MLOPS_EINVAL, mlops_lineage_for_digest(NULL, &d, &e, &n));
    mlops_run_free(r);
}
END_TEST

struct roots_arg {
    mlops_digest found[16];
    size_t n;
};

static int roots_tx(mlops__conn *c, void *arg)
{
    struct roots_arg *a = arg;
    const char *const *queries;
    size_t nq = mlops__cas_gc_root_queries(&queries);
    for (size_t q = 0; q < nq; q++) {
        mlops__stmt *st;
        TU_OK(mlops__conn_prepare(c, queries[q], &st));
        while (mlops__step(st) == MLOPS__ROW)
            if (mlops__col_bytes(st, 0) == 32 && a->n < 16)
                memcpy(a->found[a->n++].bytes, mlops__col_blob(st, 0), 32);
        mlops__stmt_finalize(st);
    }
    return MLOPS_OK;
}

static int is_root(const struct roots_arg *a, const mlops_digest *d)
{
    for (size_t i = 0; i < a->n; i++)
        if (!memcmp(a->found[i].bytes, d->bytes, 32)) return 1;
    return 0;
}

START_TEST(outputs_are_gc_roots)
{
    mlops_digest in = put("input only"), out = put("output"), other = put("unreferenced");
    mlops_run *r = new_run("e");
    TU_OK(mlops_run_log_input(r, &in, "in", "dataset"));
    TU_OK(mlops_run_log_output(r, &out, "out", "model"));
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    TU_OK(mlops_run_delete(g_store, mlops_run_id(r))); /* restorable: still a root */
    struct roots_arg a;
    memset(&a, 0, sizeof a);
    TU_OK(mlops__store_read(g_store, roots_tx, &a));
    ck_assert(is_root(&a, &out));
    ck_assert(!is_root(&a, &in));
    ck_assert(!is_root(&a, &other));
    mlops_run_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("track_lineage");
    TCase *tc = tcase_create("lineage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, record_and_query_both_ways);
    tcase_add_test(tc, edges_are_immutable_and_checked);
    tcase_add_test(tc, outputs_are_gc_roots);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
