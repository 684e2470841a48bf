/* Experiment records: the search language, ORDER BY and keyset paging. */
#include "track_fixture.h"

#include "db/db.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* Six runs with known data (names r0..r5), in experiment "e":
 *
 *   name  status    lr      team         acc (points)          loss last  layers tag note
 *   r0    FINISHED  0.01    vision-a     0.5, 0.95             0.05       "3"    -
 *   r1    FINISHED  0.02    vision-b     0.9, 0.8 (last 0.8)   0.2        "10"   "x"
 *   r2    FAILED    0.01    nlp          0.7                   -          "2"    -
 *   r3    RUNNING   0.1     Vision-c     -                     0.5        abc    -
 *   r4    KILLED    -       -            0.99                  NaN        -      -
 *   r5    FINISHED  0.02    vision%lit   0.92                  0.01       "1e1"  -
 *
 * start_ms = 1000 + i. r5 is a child of r0. */
static char ids[6][33];
static int64_t exp_e, exp_other;

static void seed(void)
{
    TU_OK(mlops_experiment_create(g_store, "e", &exp_e));
    TU_OK(mlops_experiment_create(g_store, "other", &exp_other));
    const char *lr[] = { "0.01", "0.02", "0.01", "0.1", NULL, "0.02" };
    const char *team[] = { "vision-a", "vision-b", "nlp", "Vision-c", NULL, "vision%lit" };
    const char *layers[] = { "3", "10", "2", "abc", NULL, "1e1" };
    const int status[] = { MLOPS_RUN_FINISHED, MLOPS_RUN_FINISHED, MLOPS_RUN_FAILED, -1,
                           MLOPS_RUN_KILLED, MLOPS_RUN_FINISHED };
    for (int i = 0; i < 6; i++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        char name[8];
        snprintf(name, sizeof name, "r%d", i);
        o.name = name;
        o.start_ms = 1000 + i;
        if (i == 5) o.parent_run_id = ids[0];
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, exp_e, &o, &r));
        strcpy(ids[i], mlops_run_id(r));
        if (lr[i]) TU_OK(mlops_run_log_param(r, "lr", lr[i]));
        if (team[i]) TU_OK(mlops_run_set_tag(r, "team", team[i]));
        if (layers[i]) TU_OK(mlops_run_log_param(r, "layers", layers[i]));
        if (i == 1) TU_OK(mlops_run_set_tag(r, "note", "x"));
        switch (i) {
        case 0:
            TU_OK(mlops_run_log_metric(r, "acc", 0.5, 0, 0));
            TU_OK(mlops_run_log_metric(r, "acc", 0.95, 1, 0));
            TU_OK(mlops_run_log_metric(r, "loss", 0.05, 0, 0));
            break;
        case 1:
            TU_OK(mlops_run_log_metric(r, "acc", 0.9, 0, 0));
            TU_OK(mlops_run_log_metric(r, "acc", 0.8, 1, 0));
            TU_OK(mlops_run_log_metric(r, "loss", 0.2, 0, 0));
            break;
        case 2: TU_OK(mlops_run_log_metric(r, "acc", 0.7, 0, 0)); break;
        case 3: TU_OK(mlops_run_log_metric(r, "loss", 0.5, 0, 0)); break;
        case 4:
            TU_OK(mlops_run_log_metric(r, "acc", 0.99, 0, 0));
            TU_OK(mlops_run_log_metric(r, "loss", NAN, 0, 0));
            break;
        case 5:
            TU_OK(mlops_run_log_metric(r, "acc", 0.92, 0, 0));
            TU_OK(mlops_run_log_metric(r, "loss", 0.01, 0, 0));
            break;
        }
        if (status[i] >= 0) TU_OK(mlops_run_end(r, status[i]));
        mlops_run_free(r);
    }
    /* a run in another experiment, with a matching param */
    mlops_run *x;
    TU_OK(mlops_run_start(g_store, exp_other, "x", &x));
    TU_OK(mlops_run_log_param(x, "lr", "0.01"));
    mlops_run_free(x);
}

static void search_setup(void)
{
    setup();
    seed();
}

/* The names of the matching runs of experiment e, in the search's order,
 * as "r0 r2 ...". */
static char *names(const char *filter, const char *order_by)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.experiment_ids = &exp_e;
    o.experiment_count = 1;
    o.filter = filter;
    o.order_by = order_by ? order_by : "attributes.run_name";
    mlops_run_infos *runs;
    char *token = (char *)1;
    int rc = mlops_run_search_ex(g_store, &o, &runs, &token);
    ck_assert_msg(rc == MLOPS_OK, "filter <%s>: %d %s", filter, rc, mlops_last_error());
    ck_assert_ptr_null(token);
    static char out[256];
    out[0] = '\0';
    for (size_t i = 0; i < mlops_run_infos_count(runs); i++) {
        if (i) strcat(out, " ");
        strcat(out, mlops_run_info_name(mlops_run_infos_at(runs, i)));
    }
    mlops_run_infos_free(runs);
    return out;
}

#define MATCH(filter, expected) ck_assert_str_eq(names(filter, NULL), expected)

/* ---- one test per operator ---- */

START_TEST(op_equal)
{
    MATCH("params.lr = '0.01'", "r0 r2");
    MATCH("params.lr == '0.01'", "r0 r2");
    MATCH("metrics.acc = 0.8", "r1");
    MATCH("attributes.status = 'FINISHED'", "r0 r1 r5");
    MATCH("tags.team = 'nlp'", "r2");
    MATCH("attributes.run_name = 'r3'", "r3");
}
END_TEST

START_TEST(op_not_equal)
{
    /* a run without the key does not match a comparison */
    MATCH("params.lr != '0.01'", "r1 r3 r5");
    MATCH("params.lr <> '0.01'", "r1 r3 r5");
    MATCH("attributes.status != 'FINISHED'", "r2 r3 r4");
    MATCH("metrics.acc != 0.8", "r0 r2 r4 r5");
}
END_TEST

START_TEST(op_less)
{
    MATCH("metrics.acc < 0.9", "r1 r2");
    MATCH("attributes.start_time < 1002", "r0 r1");
    MATCH("params.lr < 0.05", "r0 r1 r2 r5"); /* numeric: a number literal */
    MATCH("params.lr < '0.015'", "r0 r2");     /* text: a string literal */
}
END_TEST

START_TEST(op_less_equal)
{
    MATCH("metrics.acc <= 0.8", "r1 r2");
    MATCH("params.layers <= 3", "r0 r2"); /* "abc" is not a number */
}
END_TEST

START_TEST(op_greater)
{
    MATCH("metrics.acc > 0.9", "r0 r4 r5");
    MATCH("params.layers > 3", "r1 r5"); /* 10 and 1e1 */
    MATCH("attributes.end_time > 0", "r0 r1 r2 r4 r5");
}
END_TEST

START_TEST(op_greater_equal)
{
    MATCH("metrics.acc >= 0.92", "r0 r4 r5");
    MATCH("attributes.start_time >= 1004", "r4 r5");
}
END_TEST

START_TEST(op_like)
{
    MATCH("tags.team LIKE 'vision%'", "r0 r1 r5"); /* case-sensitive */
    MATCH("tags.team LIKE 'vision-_'", "r0 r1");
    MATCH("tags.team LIKE '%\\%%'", "r5"); /* an escaped % */
    MATCH("tags.team NOT LIKE 'vision%'", "r2 r3");
    MATCH("attributes.run_name LIKE 'r_'", "r0 r1 r2 r3 r4 r5");
    MATCH("params.layers LIKE '*'", ""); /* GLOB's own wildcards are plain */
}
END_TEST

START_TEST(op_ilike)
{
    MATCH("tags.team ILIKE 'VISION%'", "r0 r1 r3 r5");
    MATCH("tags.team NOT ILIKE 'vision%'", "r2");
    MATCH("attributes.status ILIKE 'f%'", "r0 r1 r2 r5");
}
END_TEST

START_TEST(op_in)
{
    MATCH("params.lr IN ('0.02', '0.1')", "r1 r3 r5");
    MATCH("params.lr NOT IN ('0.02', '0.1')", "r0 r2");
    MATCH("attributes.status IN ('FAILED', 'KILLED')", "r2 r4");
    MATCH("attributes.status NOT IN ('FAILED', 'KILLED')", "r0 r1 r3 r5");
    MATCH("metrics.acc IN (0.8, 0.7)", "r1 r2");
    char filter[128];
    snprintf(filter, sizeof filter, "attributes.run_id IN ('%s', '%s')", ids[3], ids[4]);
    MATCH(filter, "r3 r4");
}
END_TEST

START_TEST(op_is_null)
{
    MATCH("params.lr IS NULL", "r4");
    MATCH("metrics.acc IS NULL", "r3");
    MATCH("tags.note IS NOT NULL", "r1");
    MATCH("attributes.end_time IS NULL", "r3");
    MATCH("attributes.parent_run_id IS NOT NULL", "r5");
    MATCH("metrics.loss IS NOT NULL", "r0 r1 r3 r4 r5"); /* NaN is a value */
}
END_TEST

START_TEST(op_and_or_not_parentheses)
{
    MATCH("params.lr = '0.01' AND metrics.acc > 0.6", "r0 r2");
    MATCH("params.lr = '0.1' OR metrics.acc > 0.95", "r3 r4");
    MATCH("NOT params.lr = '0.01'", "r1 r3 r4 r5"); /* r4 has no lr: NOT(false) */
    MATCH("NOT (params.lr = '0.01' OR params.lr = '0.02')", "r3 r4");
    /* AND binds tighter than OR */
    MATCH("params.lr = '0.1' OR params.lr = '0.01' AND metrics.acc > 0.9", "r0 r3");
    MATCH("(params.lr = '0.1' OR params.lr = '0.01') AND metrics.acc > 0.9", "r0");
    MATCH("not not params.lr = '0.1'", "r3");
    MATCH("((((params.lr = '0.1'))))", "r3");
    MATCH("metrics.acc >= +.92 AND metrics.acc < 1.", "r0 r4 r5"); /* number forms */
    MATCH("metrics.acc > 9.2E-1", "r0 r4");
}
END_TEST

START_TEST(metric_aggregates)
{
    MATCH("metrics.acc.min < 0.6", "r0");
    MATCH("metrics.acc.max >= 0.9 AND metrics.acc < 0.9", "r1");
    MATCH("metrics.acc.count = 2", "r0 r1");
    MATCH("metrics.acc.last = 0.95", "r0");
    MATCH("metrics.loss.max < 0.1", "r0 r5");
    MATCH("metrics.loss < 1", "r0 r1 r3 r5"); /* a NaN last never compares */
}
END_TEST

START_TEST(attributes_every_one)
{
    char f[160];
    snprintf(f, sizeof f, "attributes.run_id = '%s'", ids[2]);
    MATCH(f, "r2");
    snprintf(f, sizeof f, "run_id = '%s'", ids[2]); /* bare attribute */
    MATCH(f, "r2");
    snprintf(f, sizeof f, "attributes.parent_run_id = '%s'", ids[0]);
    MATCH(f, "r5");
    MATCH("run.name = 'r1'", "r1");
    MATCH("attr.status = 'RUNNING'", "r3");
    snprintf(f, sizeof f, "attributes.experiment_id = %lld", (long long)exp_e);
    MATCH(f, "r0 r1 r2 r3 r4 r5");
    MATCH("attributes.start_time = 1003 AND attributes.end_time IS NULL", "r3");
    MATCH("ATTRIBUTES.STATUS = 'KILLED' and Metrics.acc > 0", "r4"); /* keywords in any case */
}
END_TEST

START_TEST(issue_example)
{
    /* r0: acc 0.95, lr 0.01, team vision-a, FINISHED, loss 0.05 */
    MATCH("metrics.acc > 0.9 AND (params.lr = '0.01' OR params.lr = '0.02') AND tags.team LIKE "
          "'vision%' AND attributes.status = 'FINISHED' AND metrics.loss.min < 0.1",
          "r0 r5");
}
END_TEST

START_TEST(quoted_and_dotted_keys)
{
    mlops_run *r;
    mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
    o.name = "q";
    o.start_ms = 2000;
    TU_OK(mlops_run_start_ex(g_store, exp_e, &o, &r));
    TU_OK(mlops_run_log_metric(r, "drift.age.psi", 0.3, 0, 0));
    TU_OK(mlops_run_log_metric(r, "top-1 acc", 0.6, 0, 0));
    TU_OK(mlops_run_log_metric(r, "loss.min", 7, 0, 0));
    TU_OK(mlops_run_log_param(r, "it's", "o'k"));
    TU_OK(mlops_run_log_param(r, "weird`\"key", "v"));
    mlops_run_free(r);
    MATCH("metrics.drift.age.psi > 0.2", "q");
    MATCH("metrics.`drift.age.psi`.max > 0.2", "q");
    MATCH("metrics.`top-1 acc` = 0.6", "q");
    MATCH("metrics.\"top-1 acc\" = 0.6", "q");
    MATCH("metrics.`loss.min` = 7", "q");   /* quoted: the key itself */
    MATCH("metrics.loss.min = 7", "");      /* unquoted: min of "loss" */
    MATCH("params.`it's` = 'o''k'", "q");
    MATCH("params.`weird``\"key` = 'v'", "q");
    MATCH("params.\"weird`\"\"key\" = 'v'", "q");
}
END_TEST

/* ---- bad filters ---- */

static void bad_filter(const char *filter, const char *position)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.filter = filter;
    mlops_run_info **runs = (mlops_run_info **)1;
    size_t n = 99;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &runs, &n, NULL));
    ck_assert_ptr_null(runs);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(strstr(mlops_last_error(), position) != NULL, "<%s>: '%s' lacks '%s'", filter,
                  mlops_last_error(), position);
}

START_TEST(bad_filters_show_the_position)
{
    bad_filter("metrics.acc >", "position 14 (the end)");
    bad_filter("metrics.acc > 'high'", "position 15");
    bad_filter("params.lr = 0.01 AND", "position 21 (the end)");
    bad_filter("params.lr 0.01", "position 11");
    bad_filter("foo.bar = 1", "position 1");
    bad_filter("attributes.colour = 'red'", "position 12");
    bad_filter("metrics.acc > 1 metrics.loss < 2", "position 17");
    bad_filter("(metrics.acc > 1", "position 17 (the end)");
    bad_filter("metrics.acc > 1)", "position 16");
    bad_filter("params.lr = 'abc", "position 13");
    bad_filter("params. = 'a'", "position 8");
    bad_filter("params.lr LIKE 3", "position 16");
    bad_filter("metrics.acc LIKE '1%'", "position 1");
    bad_filter("params.lr IN ()", "position 15");
    bad_filter("params.lr IN ('a', 1)", "position 20");
    bad_filter("params.lr IN ('a'", "position 18");
    bad_filter("attributes.status = 'DONE'", "position 21");
    bad_filter("attributes.start_time > 'yesterday'", "position 25");
    bad_filter("run_id = 5", "position 10");
    bad_filter("params.lr IS 'x'", "position 14");
    bad_filter("params.lr NOT = 'x'", "position 15");
    bad_filter("metrics.`acc = 1", "position 9");
    bad_filter("metrics.`acc`.median > 1", "position 15");
    bad_filter("metrics.acc > 1e999", "position 15");
    bad_filter("metrics.acc > 12abc", "position 15");
    bad_filter("metrics..acc > 1", "position 9");
    bad_filter("tags.team LIKE 'x\\'", "position 16");
    bad_filter("NOT", "position 4 (the end)");
    char deep[200] = "";
    for (int i = 0; i < 70; i++) strcat(deep, "(");
    strcat(deep, "run_id = 'x'");
    bad_filter(deep, "nested too deeply");
    bad_filter("+0.5 < metrics.acc", "position 1");
    bad_filter("\xFF", "not valid UTF-8");
}
END_TEST

START_TEST(injection_attempts_are_refused_or_inert)
{
    int64_t runs_before = db_int("SELECT count(*) FROM runs");
    int64_t params_before = db_int("SELECT count(*) FROM run_params");
    /* text after a complete comparison is not SQL */
    bad_filter("params.x = '' OR 1=1 --", "position 18");
    bad_filter("params.x = '' OR 1=1", "position 18");
    bad_filter("params.lr = '0.01'; DROP TABLE runs; --", "position 19");
    bad_filter("params.lr = '0.01' -- comment", "position 20");
    bad_filter("params.lr = '0.01' /* x */", "position 20");
    bad_filter("params.x = 'a' OR '1'='1'", "position 19");
    bad_filter("params.x = ''' OR ''1''=''1", "position 12");
    bad_filter("params.lr = 0x10", "position 13");
    bad_filter("params.lr = '0.01' UNION SELECT run_id FROM runs", "position 20");
    bad_filter("1 = 1", "position 1");
    /* keys and values that look like SQL are just keys and values */
    MATCH("params.`lr') OR 1=1 --` = 'x'", "");
    MATCH("params.lr = ''' OR ''1''=''1'", "");
    MATCH("params.\"lr\"\" OR 1=1 --\" IS NOT NULL", "");
    MATCH("tags.team LIKE '%'' OR 1=1 --'", "");
    MATCH("params.lr = '0.01; DROP TABLE runs'", "");
    ck_assert_int_eq(db_int("SELECT count(*) FROM runs"), runs_before);
    ck_assert_int_eq(db_int("SELECT count(*) FROM run_params"), params_before);
    /* the order is parsed the same way */
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.order_by = "attributes.start_time; DROP TABLE runs";
    mlops_run_info **r;
    size_t n;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "order_by at position 22"));
    o.order_by = "(SELECT 1)";
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_int_eq(db_int("SELECT count(*) FROM runs"), runs_before);
}
END_TEST

/* ---- order ---- */

START_TEST(order_by_keys_with_missing_last)
{
    ck_assert_str_eq(names(NULL, "metrics.acc DESC"), "r4 r0 r5 r1 r2 r3");
    ck_assert_str_eq(names(NULL, "metrics.acc ASC"), "r2 r1 r5 r0 r4 r3");
    ck_assert_str_eq(names(NULL, "metrics.acc.max desc"), "r4 r0 r5 r1 r2 r3");
    /* NaN last value sorts with the missing ones, last both ways */
    ck_assert_str_eq(names(NULL, "metrics.loss"), "r5 r0 r1 r3 r4 r2");
    ck_assert_str_eq(names(NULL, "metrics.loss DESC"), "r3 r1 r0 r5 r4 r2");
    /* several keys */
    ck_assert_str_eq(names(NULL, "params.lr DESC, metrics.acc"), "r3 r1 r5 r2 r0 r4");
    /* params: numbers in numeric order (10 and 1e1 tie: newest first), then text */
    ck_assert_str_eq(names(NULL, "params.layers"), "r2 r0 r5 r1 r3 r4");
    /* default: newest start first */
    ck_assert_str_eq(names(NULL, ""), "r5 r4 r3 r2 r1 r0");
    ck_assert_str_eq(names(NULL, "attributes.status, attributes.start_time DESC"),
                     "r2 r5 r1 r0 r4 r3");
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    mlops_run_info **r;
    size_t n;
    o.order_by = "metrics.acc UP";
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    o.order_by = "a.b, b.c, c.d";
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    o.order_by = "run_id, run_id, run_id, run_id, run_id, run_id, run_id, run_id, run_id";
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "at most 8"));
}
END_TEST

START_TEST(experiments_lifecycle_and_options)
{
    mlops_search_opts o;
    TU_OK(mlops_search_opts_init(&o, MLOPS_SEARCH_OPTS_VERSION));
    ck_assert_uint_eq(o.max_results, 1000);
    mlops_run_info **r;
    size_t n;
    o.filter = "params.lr = '0.01'";
    TU_OK(mlops_run_search(g_store, &o, &r, &n, NULL)); /* every experiment */
    ck_assert_uint_eq(n, 3);
    mlops_run_info_list_free(r, n);
    int64_t both[] = { exp_other, exp_e };
    o.experiment_ids = both;
    o.experiment_count = 1;
    TU_OK(mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(mlops_run_info_name(r[0]), "x");
    ck_assert_str_eq(mlops_run_info_param(r[0], "lr"), "0.01"); /* with everything */
    mlops_run_info_list_free(r, n);
    TU_OK(mlops_run_delete(g_store, ids[0]));
    o.experiment_count = 2;
    TU_OK(mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_uint_eq(n, 2);
    mlops_run_info_list_free(r, n);
    o.lifecycle = MLOPS_LIFECYCLE_DELETED;
    TU_OK(mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(mlops_run_info_id(r[0]), ids[0]);
    mlops_run_info_list_free(r, n);
    o.lifecycle = MLOPS_LIFECYCLE_ALL;
    TU_OK(mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_uint_eq(n, 3);
    mlops_run_info_list_free(r, n);
    /* NULL opts: every active run */
    TU_OK(mlops_run_search(g_store, NULL, &r, &n, NULL));
    ck_assert_uint_eq(n, 6);
    mlops_run_info_list_free(r, n);
    /* bad options */
    o.lifecycle = 9;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    o.lifecycle = 0;
    o.max_results = MLOPS_SEARCH_MAX_RESULTS + 1;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    o.max_results = 10;
    o.experiment_ids = NULL;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    o.experiment_ids = both;
    o.version = 0;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_search(NULL, NULL, &r, &n, NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, NULL, NULL, &n, NULL));
    TU_RC(MLOPS_EINVAL, mlops_search_opts_init(&o, 2));
}
END_TEST

/* ---- paging ---- */

/* Every run of experiment e through pages of `size`, ids joined. */
static int page_all(const char *order, size_t size, char out[][33], size_t max)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.experiment_ids = &exp_e;
    o.experiment_count = 1;
    o.order_by = order;
    o.max_results = size;
    char *token = NULL;
    size_t total = 0;
    do {
        mlops_run_info **r;
        size_t n;
        o.page_token = token;
        char *next = NULL;
        TU_OK(mlops_run_search(g_store, &o, &r, &n, &next));
        mlops_free(token);
        token = next;
        ck_assert_uint_le(n, size);
        if (token) ck_assert_uint_eq(n, size);
        for (size_t i = 0; i < n && total < max; i++) strcpy(out[total++], mlops_run_info_id(r[i]));
        mlops_run_info_list_free(r, n);
    } while (token);
    return (int)total;
}

START_TEST(pages_join_to_the_full_order)
{
    const char *orders[] = { "metrics.acc DESC", "metrics.loss", "params.lr, metrics.acc",
                             "tags.team DESC", "", "attributes.status" };
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        char full[16][33], paged[16][33];
        int n = page_all(orders[k], 1000, full, 16);
        ck_assert_int_eq(n, 6);
        for (size_t size = 1; size <= 4; size++) {
            int m = page_all(orders[k], size, paged, 16);
            ck_assert_int_eq(m, n);
            for (int i = 0; i < n; i++)
                ck_assert_msg(!strcmp(full[i], paged[i]), "order <%s> size %zu: row %d differs",
                              orders[k], size, i);
        }
    }
}
END_TEST

/* mlops_run_search_ex pages as mlops_run_search does (page_all): the same
 * runs in the same order, a token exactly while runs follow. */
START_TEST(search_ex_pages_as_search_does)
{
    char full[16][33];
    int n = page_all("metrics.acc DESC", 1000, full, 16);
    ck_assert_int_eq(n, 6);
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.experiment_ids = &exp_e;
    o.experiment_count = 1;
    o.order_by = "metrics.acc DESC";
    o.max_results = 4;
    mlops_run_infos *page = NULL;
    char *token = NULL;
    TU_OK(mlops_run_search_ex(g_store, &o, &page, &token));
    ck_assert_uint_eq(mlops_run_infos_count(page), 4);
    ck_assert_ptr_nonnull(token);
    for (size_t i = 0; i < 4; i++)
        ck_assert_str_eq(mlops_run_info_id(mlops_run_infos_at(page, i)), full[i]);
    ck_assert_ptr_null(mlops_run_infos_at(page, 4));
    mlops_run_infos_free(page);
    o.page_token = token;
    TU_OK(mlops_run_search_ex(g_store, &o, &page, NULL)); /* the token is optional */
    mlops_free(token);
    ck_assert_uint_eq(mlops_run_infos_count(page), 2);
    for (size_t i = 0; i < 2; i++)
        ck_assert_str_eq(mlops_run_info_id(mlops_run_infos_at(page, i)), full[4 + i]);
    mlops_run_infos_free(page);

    /* no match: an empty list, not NULL */
    o.page_token = NULL;
    o.filter = "params.lr = 'none'";
    TU_OK(mlops_run_search_ex(g_store, &o, &page, &token));
    ck_assert_ptr_nonnull(page);
    ck_assert_uint_eq(mlops_run_infos_count(page), 0);
    ck_assert_ptr_null(token);
    mlops_run_infos_free(page);

    /* errors name the function called and leave *out NULL */
    o.filter = "metrics.acc >";
    page = (mlops_run_infos *)&o;
    TU_RC(MLOPS_EINVAL, mlops_run_search_ex(g_store, &o, &page, NULL));
    ck_assert_ptr_null(page);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_run_search_ex: "));
    o.filter = NULL;
    o.lifecycle = 9;
    TU_RC(MLOPS_EINVAL, mlops_run_search_ex(g_store, &o, &page, NULL));
    ck_assert_str_eq(mlops_last_error(), "mlops_run_search_ex: unknown lifecycle 9");
    ck_assert_uint_eq(mlops_run_infos_count(NULL), 0);
    ck_assert_ptr_null(mlops_run_infos_at(NULL, 0));
    mlops_run_infos_free(NULL);
}
END_TEST

START_TEST(bad_page_tokens)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.max_results = 2;
    o.order_by = "metrics.acc";
    mlops_run_info **r;
    size_t n;
    char *token;
    TU_OK(mlops_run_search(g_store, &o, &r, &n, &token));
    mlops_run_info_list_free(r, n);
    ck_assert_ptr_nonnull(token);
    /* another order, filter or experiment set: refused */
    o.page_token = token;
    o.order_by = "metrics.acc DESC";
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "another query"));
    o.order_by = "metrics.acc";
    o.filter = "metrics.acc > 0";
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    o.filter = NULL;
    const char *bad[] = { "", "zz", "0123", "not hex at all, really not hex at all......" };
    for (size_t i = 0; i < 4; i++) {
        o.page_token = bad[i];
        TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    }
    /* every truncation of a good token is refused, never read past */
    size_t len = strlen(token);
    char *cut = strdup(token);
    for (size_t l = 0; l < len; l += 2) {
        cut[l] = '\0';
        o.page_token = cut;
        TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
        memcpy(cut, token, len + 1);
    }
    free(cut);
    /* a well-formed token whose metric value is an integer: the key never
     * holds one (PostgreSQL could not even compare it), so refused */
    char *retyped = strdup(token);
    ck_assert(!strncmp(retyped + 20, "02", 2)); /* version, fingerprint, count, then REAL */
    retyped[21] = '1';
    o.page_token = retyped;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "another query"));
    free(retyped);
    o.page_token = token;
    TU_OK(mlops_run_search(g_store, &o, &r, &n, NULL));
    ck_assert_uint_eq(n, 2);
    mlops_run_info_list_free(r, n);
    mlops_free(token);
}
END_TEST

/* Pages stay stable while another process inserts runs: every run that
 * existed when paging began is seen exactly once, in order. */
START_TEST(keyset_paging_under_concurrent_inserts)
{
    enum { RUNS = 200, PAGE = 15 };
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "paging", &exp));
    for (int i = 0; i < RUNS; i++) {
        mlops_run *r;
        TU_OK(mlops_run_start(g_store, exp, NULL, &r));
        TU_OK(mlops_run_log_metric(r, "score", (double)(i * 7919 % 1000), 0, 0));
        mlops_run_free(r);
    }
    const char *orders[] = { "metrics.score DESC", "metrics.score", "" };
    for (size_t k = 0; k < 3; k++) {
        mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
        o.experiment_ids = &exp;
        o.experiment_count = 1;
        o.order_by = orders[k];
        mlops_run_info **all;
        size_t nall;
        TU_OK(mlops_run_search(g_store, &o, &all, &nall, NULL));
        ck_assert_uint_ge(nall, RUNS);

        /* a writer in another process inserts runs with scores all over
         * the range (and some without a score) while we page */
        int go[2];
        ck_assert_int_eq(pipe(go), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(go[1]);
            mlops_store *s2;
            if (mlops_store_open(g_dir, NULL, &s2)) _exit(1);
            char c;
            int i = 0;
            while (read(go[0], &c, 1) == 1) {
                for (int j = 0; j < 5; j++, i++) {
                    mlops_run *r;
                    if (mlops_run_start(s2, exp, NULL, &r)) _exit(2);
                    if (i % 3 && mlops_run_log_metric(r, "score", (double)(i * 37 % 1000), 0, 0))
                        _exit(3);
                    mlops_run_free(r);
                }
            }
            mlops_store_close(s2);
            _exit(0);
        }
        close(go[0]);

        o.max_results = PAGE;
        char *token = NULL;
        size_t seen_old = 0, pos_in_all = 0;
        do {
            mlops_run_info **r;
            size_t n;
            char *next = NULL;
            o.page_token = token;
            TU_OK(mlops_run_search(g_store, &o, &r, &n, &next));
            mlops_free(token);
            token = next;
            for (size_t i = 0; i < n; i++) {
                /* old runs come in the original relative order, none twice */
                for (size_t j = pos_in_all; j < nall; j++)
                    if (!strcmp(mlops_run_info_id(all[j]), mlops_run_info_id(r[i]))) {
                        ck_assert_uint_ge(j, pos_in_all);
                        pos_in_all = j + 1;
                        seen_old++;
                        break;
                    }
            }
            mlops_run_info_list_free(r, n);
            ck_assert_int_eq(write(go[1], "x", 1), 1); /* let the writer insert more */
            usleep(2000);
        } while (token);
        close(go[1]);
        int status;
        waitpid(pid, &status, 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ck_assert_uint_eq(seen_old, nall);
        mlops_run_info_list_free(all, nall);
    }
}
END_TEST

/* ---- the documented limits, end to end (doc/search.md) ----
 *
 * 40 runs n00..n39 in experiment "l": param i and metric m are the run's
 * index, tag t is 150*i letters 'a' then "z", tag u is "éz" (n01), "abz"
 * (n02), "ez" (n03). Filters at and near each limit are built together
 * with the set of runs they must select, computed here from the indexes,
 * and compared with what a search on the store returns. Beyond a limit,
 * a search is MLOPS_EINVAL naming it. 1.0 failed the shapes below with
 * MLOPS_EIO ("parser stack overflow", "Expression tree is too large",
 * "LIKE or GLOB pattern too complex"). */

#define LRUNS 40
#define ALL_RUNS ((UINT64_C(1) << LRUNS) - 1)
static int64_t exp_l;

static void limits_setup(void)
{
    setup();
    TU_OK(mlops_experiment_create(g_store, "l", &exp_l));
    char *t = malloc(150 * LRUNS + 2);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < LRUNS; i++) {
        char name[8], num[8];
        snprintf(name, sizeof name, "n%02d", i);
        snprintf(num, sizeof num, "%d", i);
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.name = name;
        o.start_ms = 1000 + i;
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, exp_l, &o, &r));
        TU_OK(mlops_run_log_param(r, "i", num));
        TU_OK(mlops_run_log_metric(r, "m", i, 0, 0));
        memset(t, 'a', (size_t)(150 * i));
        strcpy(t + 150 * i, "z");
        TU_OK(mlops_run_set_tag(r, "t", t));
        static const char *const u[] = { NULL, "\xC3\xA9z", "abz", "ez" };
        if (i >= 1 && i <= 3) TU_OK(mlops_run_set_tag(r, "u", u[i]));
        mlops_run_free(r);
    }
    free(t);
}

/* The runs of experiment l that filter selects, as a bit set of indexes;
 * fails the test unless the search succeeds. */
static uint64_t selected(const char *filter)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.experiment_ids = &exp_l;
    o.experiment_count = 1;
    o.filter = filter;
    mlops_run_info **runs;
    size_t n;
    int rc = mlops_run_search(g_store, &o, &runs, &n, NULL);
    ck_assert_msg(rc == MLOPS_OK, "filter of %zu bytes: %d %s", strlen(filter), rc,
                  mlops_last_error());
    uint64_t set = 0;
    for (size_t i = 0; i < n; i++) set |= UINT64_C(1) << atoi(mlops_run_info_name(runs[i]) + 1);
    mlops_run_info_list_free(runs, n);
    return set;
}

/* The search is refused as MLOPS_EINVAL with a message holding limit. */
static void refused(const char *filter, const char *order_by, const char *limit)
{
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.filter = filter;
    o.order_by = order_by;
    mlops_run_info **runs;
    size_t n;
    TU_RC(MLOPS_EINVAL, mlops_run_search(g_store, &o, &runs, &n, NULL));
    ck_assert_msg(strstr(mlops_last_error(), limit) != NULL, "'%s' lacks '%s'",
                  mlops_last_error(), limit);
}

/* A growable filter text. */
struct text {
    char *s;
    size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static uint64_t mix(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return *state >> 33;
}

/* A predicate on a pseudo-random run index, in one of four forms; returns
 * the runs it selects. */
static uint64_t leaf(struct text *t, uint64_t *rng)
{
    int v = (int)(mix(rng) % LRUNS);
    switch (mix(rng) % 4) {
    case 0: add(t, "params.i = '%d'", v); return UINT64_C(1) << v;
    case 1: add(t, "metrics.m >= %d", v); return ALL_RUNS & ~((UINT64_C(1) << v) - 1);
    case 2: add(t, "attributes.run_name IN ('n%02d', 'x')", v); return UINT64_C(1) << v;
    default: add(t, "NOT params.i < %d", v); return ALL_RUNS & ~((UINT64_C(1) << v) - 1);
    }
}

/* depth levels of parentheses, each "(leaf AND|OR <deeper>)", AND and OR
 * alternating (so that no flattening removes a level), each preceded by
 * NOT when nots is set. */
static uint64_t nested(struct text *t, int depth, int nots, uint64_t *rng)
{
    if (depth == 0) return leaf(t, rng);
    int is_and = depth % 2;
    add(t, "%s(", nots ? "NOT " : "");
    uint64_t a = leaf(t, rng);
    add(t, is_and ? " AND " : " OR ");
    uint64_t b = nested(t, depth - 1, nots, rng);
    add(t, ")");
    uint64_t set = is_and ? a & b : a | b;
    return nots ? ALL_RUNS & ~set : set;
}

START_TEST(limit_nested_parentheses)
{
    for (int depth = 60; depth <= 64; depth++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct text t = { 0 };
            uint64_t rng = seed * 7919 + (uint64_t)depth;
            uint64_t want = nested(&t, depth, 0, &rng);
            ck_assert_msg(selected(t.s) == want, "depth %d seed %d", depth, (int)seed);
            free(t.s);
        }
    }
    /* plain parentheses around one predicate, and one level too many */
    char deep[256] = "";
    for (int i = 0; i < 64; i++) strcat(deep, "(");
    strcat(deep, "params.i = '7'");
    for (int i = 0; i < 64; i++) strcat(deep, ")");
    ck_assert_uint_eq(selected(deep), UINT64_C(1) << 7);
    struct text t = { 0 };
    uint64_t rng = 1;
    nested(&t, 65, 0, &rng);
    refused(t.s, NULL, "at most 64 levels of parentheses");
    free(t.s);
}
END_TEST

START_TEST(limit_nested_not)
{
    for (int depth = 62; depth <= 64; depth++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct text t = { 0 };
            uint64_t rng = seed * 104729 + (uint64_t)depth;
            uint64_t want = nested(&t, depth, 1, &rng);
            ck_assert_msg(selected(t.s) == want, "depth %d seed %d", depth, (int)seed);
            free(t.s);
        }
    }
    /* NOT alone nests nothing: a long chain is its parity */
    struct text t = { 0 };
    for (int i = 0; i < 1001; i++) add(&t, "NOT ");
    add(&t, "params.i < 10");
    ck_assert_uint_eq(selected(t.s), ALL_RUNS & ~((UINT64_C(1) << 10) - 1));
    free(t.s);
    t = (struct text){ 0 };
    uint64_t rng = 2;
    nested(&t, 65, 1, &rng);
    refused(t.s, NULL, "at most 64 levels of parentheses");
    free(t.s);
}
END_TEST

START_TEST(limit_long_chains)
{
    /* OR of 1,000 predicates, then as many as fit in 64 KiB; an AND chain */
    size_t counts[] = { 1000, 3000 };
    for (size_t c = 0; c < 2; c++) {
        struct text t = { 0 };
        uint64_t rng = 99 + c, want = 0;
        for (size_t i = 0; i < counts[c]; i++) {
            if (i) add(&t, " OR ");
            /* mostly predicates no run satisfies, so the union stays small */
            if (i % 97 == 0) want |= leaf(&t, &rng);
            else add(&t, "params.i = '%zu'", 100 + i);
        }
        ck_assert_uint_le(t.len, 65536);
        ck_assert_uint_eq(selected(t.s), want);
        free(t.s);
    }
    struct text t = { 0 };
    uint64_t rng = 5, want = ALL_RUNS;
    for (size_t i = 0; t.len < 65000; i++) {
        if (i) add(&t, " AND ");
        if (i % 211 == 0) want &= leaf(&t, &rng);
        else add(&t, "metrics.m < %zu", 100 + i % 500);
    }
    ck_assert_uint_eq(selected(t.s), want);
    free(t.s);
    /* an IN list of 1,000 values, and one more */
    t = (struct text){ 0 };
    add(&t, "params.i IN (");
    for (int i = 0; i < 1000; i++) add(&t, "%s'%d'", i ? ", " : "", 3 * i);
    add(&t, ")");
    uint64_t thirds = 0;
    for (int i = 0; i < LRUNS; i += 3) thirds |= UINT64_C(1) << i;
    ck_assert_uint_eq(selected(t.s), thirds);
    t.s[--t.len] = '\0'; /* the ')' */
    add(&t, ", '1')");
    refused(t.s, NULL, "at most 1000 values");
    free(t.s);
    /* 32,000 values in IN lists and 1,000 experiments: more than SQLite
     * binds by default (32,766; Debian's build allows 250,000) unless equal
     * values share a parameter */
    t = (struct text){ 0 };
    for (int l = 0; l < 32; l++) {
        add(&t, "%smetrics.m IN (", l ? " OR " : "");
        for (int i = 0; i < 1000; i++) add(&t, "%s", i ? ",1" : "1");
        add(&t, ")");
    }
    ck_assert_uint_le(t.len, 65536);
    int64_t exps[1000];
    for (int i = 0; i < 1000; i++) exps[i] = exp_l + 1 + i; /* none but the last exists */
    exps[999] = exp_l;
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.experiment_ids = exps;
    o.experiment_count = 1000;
    o.filter = t.s;
    mlops_run_info **runs;
    size_t n;
    TU_OK(mlops_run_search(g_store, &o, &runs, &n, NULL));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(mlops_run_info_name(runs[0]), "n01");
    mlops_run_info_list_free(runs, n);
    free(t.s);
    /* past 64 KiB of text */
    t = (struct text){ 0 };
    while (t.len <= 65536) add(&t, "params.i = '1' OR ");
    add(&t, "params.i = '2'");
    refused(t.s, NULL, "longer than 65536 bytes");
    free(t.s);
}
END_TEST

/* "<prefix><'%' x pad><suffix>" as the value of LIKE on field. */
static char *like_filter(const char *field, const char *op, const char *prefix, size_t pad,
                         const char *suffix)
{
    struct text t = { 0 };
    add(&t, "%s %s '%s", field, op, prefix);
    for (size_t i = 0; i < pad; i++) add(&t, "%%");
    add(&t, "%s'", suffix);
    return t.s;
}

START_TEST(limit_long_like_patterns)
{
    /* Tags starting with 3,000 a's, then anything, then z: i >= 20. The
     * pads cross SQLite's limit on patterns (50,000 bytes) and go on to
     * the filter's (64 KiB). */
    uint64_t from20 = ALL_RUNS & ~((UINT64_C(1) << 20) - 1);
    char aaa[3001], upper[3001];
    memset(aaa, 'a', 3000);
    aaa[3000] = '\0';
    for (int i = 0; i < 3000; i++) upper[i] = i % 2 ? 'A' : 'a';
    upper[3000] = '\0';
    size_t pads[] = { 1, 46998, 46999, 47000, 62000 };
    for (size_t k = 0; k < sizeof pads / sizeof pads[0]; k++) {
        char *f = like_filter("tags.t", "LIKE", aaa, pads[k], "z");
        ck_assert_msg(selected(f) == from20, "pad %zu", pads[k]);
        free(f);
        f = like_filter("tags.t", "NOT LIKE", aaa, pads[k], "z");
        ck_assert_msg(selected(f) == (ALL_RUNS & ~from20), "NOT, pad %zu", pads[k]);
        free(f);
        /* ILIKE: the case of ASCII letters does not matter */
        f = like_filter("tags.t", "ILIKE", upper, pads[k], "Z");
        ck_assert_msg(selected(f) == from20, "ILIKE, pad %zu", pads[k]);
        free(f);
        /* '_' is one character, a two-byte one too; '\' escapes */
        f = like_filter("tags.u", "LIKE", "_z", pads[k], "");
        ck_assert_msg(selected(f) == ((UINT64_C(1) << 1) | (UINT64_C(1) << 3)), "_ pad %zu",
                      pads[k]);
        free(f);
        f = like_filter("tags.u", "LIKE", "a\\_", pads[k], "");
        ck_assert_uint_eq(selected(f), 0);
        free(f);
        f = like_filter("attributes.run_name", "LIKE", "n_", pads[k], "5");
        ck_assert_msg(selected(f) == ((UINT64_C(1) << 5) | (UINT64_C(1) << 15) |
                                      (UINT64_C(1) << 25) | (UINT64_C(1) << 35)),
                      "run_name pad %zu", pads[k]);
        free(f);
    }
    /* a run of '_' as long as a tag: at least 4,500 characters, i >= 30 */
    struct text t = { 0 };
    add(&t, "tags.t LIKE '");
    for (int i = 0; i < 4500; i++) add(&t, "_");
    for (int i = 0; i < 50000; i++) add(&t, "%%");
    add(&t, "'");
    ck_assert_uint_eq(selected(t.s), ALL_RUNS & ~((UINT64_C(1) << 30) - 1));
    free(t.s);
}
END_TEST

START_TEST(limit_order_by_and_page_tokens)
{
    /* 8 keys of 250 bytes on tags with 8,000-byte values: the tokens carry
     * the 8 values of the last run */
    char key[8][251], *value = malloc(8001);
    ck_assert_ptr_nonnull(value);
    struct text order = { 0 };
    for (int k = 0; k < 8; k++) {
        memset(key[k], 'k', 250);
        key[k][0] = (char)('a' + k);
        key[k][250] = '\0';
        add(&order, "%stags.%s%s", k ? ", " : "", key[k], k % 2 ? " DESC" : "");
    }
    for (int i = 0; i < 6; i++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        char name[8];
        snprintf(name, sizeof name, "p%d", i);
        o.name = name;
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, exp_l, &o, &r));
        for (int k = 0; k < 8; k++) {
            memset(value, 'v', 8000);
            value[7999] = (char)('0' + (i * (k + 3)) % 4); /* ties on most keys */
            value[8000] = '\0';
            TU_OK(mlops_run_set_tag(r, key[k], value));
        }
        mlops_run_free(r);
    }
    free(value);
    /* the full order, then pages of one run joined */
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.experiment_ids = &exp_l;
    o.experiment_count = 1;
    o.order_by = order.s;
    o.filter = "attributes.run_name LIKE 'p%'";
    mlops_run_info **all;
    size_t nall;
    TU_OK(mlops_run_search(g_store, &o, &all, &nall, NULL));
    ck_assert_uint_eq(nall, 6);
    o.max_results = 1;
    char *token = NULL;
    size_t seen = 0;
    do {
        mlops_run_info **r;
        size_t n;
        char *next = NULL;
        o.page_token = token;
        TU_OK(mlops_run_search(g_store, &o, &r, &n, &next));
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(mlops_run_info_id(r[0]), mlops_run_info_id(all[seen]));
        seen++;
        mlops_run_info_list_free(r, n);
        mlops_free(token);
        token = next;
        ck_assert(!token || strlen(token) > 2 * 8 * 8000);
    } while (token);
    ck_assert_uint_eq(seen, 6);
    mlops_run_info_list_free(all, nall);
    /* a ninth key; an order past 64 KiB of text */
    add(&order, ", run_id");
    refused(NULL, order.s, "at most 8 ORDER BY keys");
    free(order.s);
    order = (struct text){ 0 };
    add(&order, "run_id");
    while (order.len <= 65536) add(&order, "          ");
    refused(NULL, order.s, "order_by is longer than 65536 bytes");
    free(order.s);
}
END_TEST

/* ---- format 7: values around the PostgreSQL index bound ------------------ */

/* Values of every length around MLOPS__PG_SHORT_VALUE (400 characters) in
 * ASCII, 2-byte and 4-byte UTF-8, so that characters and bytes fall on
 * either side of it; run n<i> has param v and tag t equal to value i. */
#define BOUND_VALUES 20
static char *bound_value[BOUND_VALUES];

static char *repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++) memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

static void bound_setup(void)
{
    setup();
    static const struct { const char *unit; size_t n; } v[BOUND_VALUES] = {
        { "a", 0 },         { "a", 1 },         { "a", 398 },      { "a", 399 },
        { "a", 400 },       { "a", 401 },       { "a", 2000 },     { "a", 8000 },
        { "\xc3\xa9", 199 }, { "\xc3\xa9", 200 }, { "\xc3\xa9", 399 }, { "\xc3\xa9", 400 },
        { "\xc3\xa9", 401 }, { "\xf0\x9f\x99\x82", 99 }, { "\xf0\x9f\x99\x82", 100 },
        { "\xf0\x9f\x99\x82", 399 }, { "\xf0\x9f\x99\x82", 400 }, { "\xf0\x9f\x99\x82", 2000 },
        { "b", 399 }, { "b", 400 },
    };
    TU_OK(mlops_experiment_create(g_store, "e", &exp_e));
    for (int i = 0; i < BOUND_VALUES; i++) {
        bound_value[i] = repeat(v[i].unit, v[i].n);
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        char name[8];
        snprintf(name, sizeof name, "n%02d", i);
        o.name = name;
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, exp_e, &o, &r));
        TU_OK(mlops_run_log_param(r, "v", bound_value[i]));
        TU_OK(mlops_run_set_tag(r, "t", bound_value[i]));
        TU_OK(mlops_run_log_param(r, "k", i % 2 ? "odd" : "even"));
        TU_OK(mlops_run_log_metric(r, "m", i, 0, 0));
        TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
        mlops_run_free(r);
    }
}

static void bound_teardown(void)
{
    for (int i = 0; i < BOUND_VALUES; i++) {
        free(bound_value[i]);
        bound_value[i] = NULL;
    }
    teardown();
}

/* The filter fmt with every %s replaced by value i. */
static char *bound_filter(const char *fmt, int i)
{
    size_t n = strlen(fmt) + 4 * (strlen(bound_value[i]) + 1);
    char *f = malloc(n);
    ck_assert_ptr_nonnull(f);
    snprintf(f, n, fmt, bound_value[i], bound_value[i], bound_value[i], bound_value[i]);
    return f;
}

/* Checks every value's equality, IN and inequality tests on params and
 * tags, alone (joins on PostgreSQL), ANDed with four more clauses
 * (subplans) and under OR: each finds its own run, or all the others. */
static void check_bound_values(void)
{
    static const char *const one[] = {
        "params.v = '%s'", "tags.t = '%s'", "params.v IN ('%s', 'none')",
        "tags.t IN ('none', '%s')", "params.v = '%s' AND tags.t = '%s'",
        "params.v = '%s' OR params.k = 'none'",
        ("params.v = '%s' AND tags.t = '%s' AND metrics.m >= 0 AND params.k LIKE '%%' "
         "AND params.v IN ('%s', '%s')"),
    };
    for (int i = 0; i < BOUND_VALUES; i++) {
        char want[8], others[256] = "";
        snprintf(want, sizeof want, "n%02d", i);
        for (int j = 0; j < BOUND_VALUES; j++) {
            if (j == i) continue;
            if (others[0]) strcat(others, " ");
            snprintf(others + strlen(others), 8, "n%02d", j);
        }
        for (size_t k = 0; k < sizeof one / sizeof one[0]; k++) {
            char *f = bound_filter(one[k], i);
            ck_assert_msg(!strcmp(names(f, NULL), want), "value %d, filter %zu: %s", i, k,
                          names(f, NULL));
            free(f);
        }
        char *f = bound_filter("params.v != '%s'", i);
        ck_assert_str_eq(names(f, NULL), others);
        free(f);
        f = bound_filter("tags.t NOT IN ('%s')", i);
        ck_assert_str_eq(names(f, NULL), others);
        free(f);
    }
    MATCH("params.v LIKE 'b%'", "n18 n19");
    MATCH("tags.t LIKE '%b' AND params.k = 'odd'", "n19");
    /* k holds short values only: on PostgreSQL its tests say so */
    MATCH("params.k LIKE 'od%' AND metrics.m < 6", "n01 n03 n05");
    MATCH("params.k NOT LIKE 'od%' AND metrics.m < 6", "n00 n02 n04");
    MATCH("NOT params.k LIKE 'od%' AND metrics.m < 6", "n00 n02 n04");
    MATCH("params.k ILIKE 'EV%' AND params.k < 'f' AND metrics.m < 6", "n00 n02 n04");
}

/* A LIKE on a key whose values are all short, then on the same key once
 * one of them is long: the answer follows the values (on PostgreSQL the
 * first is rendered with the length bound, the second without). */
START_TEST(like_on_a_key_gaining_a_long_value)
{
    mlops_run *w[2];
    static const char *const names_w[] = { "w0", "w1" };
    for (int i = 0; i < 2; i++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.name = names_w[i];
        TU_OK(mlops_run_start_ex(g_store, exp_e, &o, &w[i]));
        TU_OK(mlops_run_set_tag(w[i], "w", i ? "ac" : "ab"));
    }
    MATCH("tags.w LIKE 'a%'", "w0 w1");
    MATCH("tags.w NOT LIKE 'ab%'", "w1");
    char *long_value = repeat("x", 500);
    long_value[0] = 'a';
    TU_OK(mlops_run_set_tag(w[1], "w", long_value));
    free(long_value);
    MATCH("tags.w LIKE 'a%'", "w0 w1");
    MATCH("tags.w LIKE 'ax%'", "w1");
    MATCH("tags.w NOT LIKE 'ab%'", "w1");
    MATCH("NOT tags.w LIKE 'ax%' AND tags.w LIKE '%'", "w0");
    for (int i = 0; i < 2; i++) mlops_run_free(w[i]);
}
END_TEST

START_TEST(values_around_the_index_bound)
{
    check_bound_values();
}
END_TEST

/* A store at format 6 (on PostgreSQL without format 7's indexes and
 * statistics) is refused read-only, migrates to 7 (and on, to the
 * current format) on a read-write open,
 * and searches give the same answers; a schema that already has them
 * (made by hand) migrates too. */
START_TEST(format_6_store_migrates_to_7)
{
    for (int pass = 0; pass < 2; pass++) {
        mlops_store_close(g_store);
        g_store = NULL;
        tu_db *db = tu_db_open(g_dir);
        int pg = tu_db_dialect(db) == 2;
        if (pg && pass == 0)
            tu_db_exec(db, "DROP INDEX metric_series_by_value; DROP INDEX run_params_by_value;"
                           "DROP INDEX run_tags_by_value; DROP STATISTICS run_params_key_value;"
                           "DROP STATISTICS run_tags_key_value;"
                           "DROP STATISTICS IF EXISTS run_params_value_length;"
                           "DROP STATISTICS IF EXISTS run_tags_value_length;");
        if (pg && pass == 0)
            ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                           "current_schema() AND indexname LIKE '%_by_value'"),
                             0);
        reopen_from_format(db, pg, 6);
        db = tu_db_open(g_dir);
        if (pg) {
            ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                           "current_schema() AND indexname LIKE '%_by_value'"),
                             3);
            ck_assert_int_ge(tu_db_int(db, "SELECT count(*) FROM pg_statistic_ext WHERE "
                                           "stxnamespace = current_schema()::regnamespace"),
                             2);
        }
        tu_db_close(db);
        check_bound_values();
    }
}
END_TEST

/* The runs of the bound fixture with metric m >= 16, by m descending. */
static void check_metric_search(const char *expected)
{
    ck_assert_str_eq(names("metrics.m >= 16", "metrics.m DESC"), expected);
    ck_assert_str_eq(names("metrics.m >= 16 AND params.k = 'odd'", "metrics.m"), "n17 n19");
}

/* A store at format 7 (on PostgreSQL with metric_series' UNIQUE(run, key)
 * constraint and metric_series_by_key, without format 8's covering
 * (run, key) index, index of live runs and indexes of long values) is
 * refused read-only, migrates
 * to 8 on a read-write open, keeps (run, key) unique, and searches by and
 * ordered by a metric give the same answers, deleted runs left out; a
 * schema that already has format 8's indexes (made by hand) migrates too. */
START_TEST(format_7_store_migrates_to_8)
{
    for (int pass = 0; pass < 2; pass++) {
        mlops_store_close(g_store);
        g_store = NULL;
        tu_db *db = tu_db_open(g_dir);
        int pg = tu_db_dialect(db) == 2;
        if (pg && pass == 0)
            tu_db_exec(db, "ALTER TABLE metric_series ADD CONSTRAINT metric_series_run_key_key"
                           "  UNIQUE (run, key);"
                           "CREATE INDEX metric_series_by_key ON metric_series(key);"
                           "DROP INDEX metric_series_by_run; DROP INDEX runs_live;"
                           "DROP INDEX run_params_long_values; DROP INDEX run_tags_long_values;");
        reopen_from_format(db, pg, 7);
        db = tu_db_open(g_dir);
        if (pg) {
            ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                           "current_schema() AND ((indexname = "
                                           "'metric_series_by_run' AND indexdef LIKE "
                                           "'CREATE UNIQUE INDEX %(run, key) INCLUDE (last)') OR "
                                           "(indexname = 'runs_live' AND indexdef LIKE "
                                           "'%(seq) WHERE (deleted_ms IS NULL)') OR "
                                           "(indexname LIKE '%_long_values' AND indexdef LIKE "
                                           "'%(key) WHERE (length(value) >= 400)'))"),
                             4);
            ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                           "current_schema() AND tablename = 'metric_series'"),
                             3);
            ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = "
                                           "'metric_series'::regclass AND contype = 'u'"),
                             0);
        }
        tu_db_close(db);
        check_bound_values();
        check_metric_search("n19 n18 n17 n16");
    }
    /* (run, key) is still unique: a second row of a run's m is refused */
    tu_db *db = tu_db_open(g_dir);
    ck_assert_int_ne(mlops__conn_exec(tu_db_conn(db),
                                      "INSERT INTO metric_series(run, key, count, last_bits, "
                                      "last_step, last_ts) SELECT run, key, 1, 0, 0, 0 FROM "
                                      "metric_series WHERE key = 'm' LIMIT 1"),
                     MLOPS_OK);
    char *n18 = tu_db_text(db, "SELECT run_id FROM runs WHERE name = 'n18'");
    tu_db_close(db);
    TU_OK(mlops_run_delete(g_store, n18));
    free(n18);
    check_metric_search("n19 n17 n16");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("track_search");
    TCase *tc = tcase_create("search");
    tcase_add_checked_fixture(tc, search_setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, op_equal);
    tcase_add_test(tc, op_not_equal);
    tcase_add_test(tc, op_less);
    tcase_add_test(tc, op_less_equal);
    tcase_add_test(tc, op_greater);
    tcase_add_test(tc, op_greater_equal);
    tcase_add_test(tc, op_like);
    tcase_add_test(tc, op_ilike);
    tcase_add_test(tc, op_in);
    tcase_add_test(tc, op_is_null);
    tcase_add_test(tc, op_and_or_not_parentheses);
    tcase_add_test(tc, metric_aggregates);
    tcase_add_test(tc, attributes_every_one);
    tcase_add_test(tc, issue_example);
    tcase_add_test(tc, quoted_and_dotted_keys);
    tcase_add_test(tc, bad_filters_show_the_position);
    tcase_add_test(tc, injection_attempts_are_refused_or_inert);
    tcase_add_test(tc, order_by_keys_with_missing_last);
    tcase_add_test(tc, experiments_lifecycle_and_options);
    tcase_add_test(tc, pages_join_to_the_full_order);
    tcase_add_test(tc, search_ex_pages_as_search_does);
    tcase_add_test(tc, bad_page_tokens);
    tcase_add_test(tc, keyset_paging_under_concurrent_inserts);
    suite_add_tcase(s, tc);
    TCase *limits = tcase_create("limits");
    tcase_add_checked_fixture(limits, limits_setup, teardown);
    tcase_set_timeout(limits, 120);
    tcase_add_test(limits, limit_nested_parentheses);
    tcase_add_test(limits, limit_nested_not);
    tcase_add_test(limits, limit_long_chains);
    tcase_add_test(limits, limit_long_like_patterns);
    tcase_add_test(limits, limit_order_by_and_page_tokens);
    suite_add_tcase(s, limits);
    TCase *bound = tcase_create("format 7");
    tcase_add_checked_fixture(bound, bound_setup, bound_teardown);
    tcase_set_timeout(bound, 120);
    tcase_add_test(bound, values_around_the_index_bound);
    tcase_add_test(bound, format_6_store_migrates_to_7);
    tcase_add_test(bound, format_7_store_migrates_to_8);
    tcase_add_test(bound, like_on_a_key_gaining_a_long_value);
    suite_add_tcase(s, bound);
    return tu_run(s);
}
