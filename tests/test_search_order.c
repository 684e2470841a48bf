/* The order and the filtering of run searches, against a golden file:
 * the same file passes on every backend (this program runs on SQLite and
 * again on PostgreSQL, MLOPS_TEST_BACKEND=postgres), so both answer every
 * search with the same runs in the same order, page by page.
 *
 * The fixture mixes what orders differ on: NaN, infinities, negative zero,
 * integers beyond 2^53, params and tags that are numbers on some runs and
 * text on others, ASCII and non-ASCII case, LIKE wildcards and escapes,
 * missing keys, ties (broken by the newest start), deleted runs.
 *
 * tests/track/search_order.golden: one case per line,
 *   FILTER <TAB> ORDER_BY <TAB> the run names, space-separated
 * Recorded from the SQLite backend (doc/search.md defines the semantics;
 * a change to this file is a change of behaviour, reviewed as such). To
 * record it again: MLOPS_SEARCH_GOLDEN_WRITE=FILE with the SQLite backend
 * writes the cases below with today's answers. */
#include "testutil.h"

#include <math.h>
#include <mlops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NRUNS 36

static const char *const cases[][2] = {
    { "", "" },
    { "", "metrics.m" },
    { "", "metrics.m DESC" },
    { "", "metrics.m.min, attributes.run_name" },
    { "", "metrics.m.max DESC, attributes.run_name" },
    { "", "params.p" },
    { "", "params.p DESC" },
    { "", "tags.t" },
    { "", "tags.t DESC" },
    { "", "attributes.run_name DESC" },
    { "", "params.p, metrics.m DESC" },
    { "", "tags.t DESC, params.p, metrics.m" },
    { "metrics.m > 0", "metrics.m" },
    { "metrics.m >= -1", "metrics.m DESC" },
    { "metrics.m < 1e308", "" },
    { "metrics.m = 0", "" },
    { "metrics.m != 0", "metrics.m" },
    { "metrics.m = 9007199254740993", "" },
    { "metrics.m < 9007199254740993", "metrics.m DESC" },
    { "metrics.m > 9007199254740991", "" },
    { "metrics.m.count >= 2", "metrics.m.count DESC, attributes.run_name" },
    { "metrics.m IS NULL", "" },
    { "metrics.m IS NOT NULL", "metrics.m" },
    { "params.p = '10'", "" },
    { "params.p > 9", "params.p" },
    { "params.p < 'b'", "params.p" },
    { "params.p >= 'a'", "params.p DESC" },
    { "params.p IN ('abc', 'Abc', '10')", "params.p" },
    { "params.p NOT IN ('abc', '1e3')", "params.p" },
    { "params.p LIKE 'a%'", "" },
    { "params.p ILIKE 'a%'", "" },
    { "params.p ILIKE '%É%'", "" },
    { "params.p LIKE '%\\%%'", "" },
    { "params.p LIKE '_'", "" },
    { "params.p NOT LIKE '%c'", "params.p" },
    { "params.p IS NULL", "" },
    { "tags.t = 'x_y'", "" },
    { "tags.t LIKE 'x\\_%'", "" },
    { "tags.t ILIKE 'X%'", "tags.t" },
    { "tags.t IS NOT NULL AND metrics.m > 0", "tags.t, metrics.m" },
    { "params.p = '10' OR tags.t = 'é'", "attributes.run_name" },
    { "NOT (metrics.m > 0 OR params.p LIKE 'a%')", "attributes.run_name" },
    { "attributes.run_name LIKE 'r1%'", "attributes.run_name DESC" },
    { "attributes.run_name ILIKE 'R2_'", "" },
    { "attributes.status = 'FINISHED'", "attributes.run_name" },
    { "attributes.start_time >= 1700000010000", "attributes.start_time" },
};
#define NCASES (sizeof cases / sizeof cases[0])

static char *g_dir;
static mlops_store *g_store;
static int64_t g_exp;

/* The value of run i for each key: NULL = not logged. Deterministic. */
static int metric_of(int i, double *v)
{
    static const double specials[] = { 0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN,
                                       0.5, 1e-300, -1e300, 9007199254740992.0,
                                       9007199254740994.0, 2.5, 2.5 };
    if (i % 9 == 8) return 0;
    *v = specials[i % (sizeof specials / sizeof specials[0])];
    return 1;
}

static const char *param_of(int i)
{
    static const char *const values[] = { "10", "9", "abc", "Abc", "é", "É", "", "1e3", "-5",
                                          "10.0", "a%b", "_", "b", NULL, "0x10", " 7" };
    return values[i % (sizeof values / sizeof values[0])];
}

static const char *tag_of(int i)
{
    static const char *const values[] = { "x_y", "xzy", "X_Y", "é", "E", NULL, "3", "20" };
    return values[i % (sizeof values / sizeof values[0])];
}

static void build_fixture(void)
{
    g_dir = tu_tmpdir();
    TU_OK(mlops_store_open(g_dir, NULL, &g_store));
    TU_OK(mlops_experiment_create(g_store, "order", &g_exp));
    for (int i = 0; i < NRUNS; i++) {
        char name[8];
        snprintf(name, sizeof name, "r%02d", i);
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.name = name;
        o.start_ms = 1700000000000 + (int64_t)(i * 7 % NRUNS) * 1000 + (i % 5 == 0 ? 0 : 1);
        mlops_run *r = NULL;
        TU_OK(mlops_run_start_ex(g_store, g_exp, &o, &r));
        double v;
        if (metric_of(i, &v)) {
            TU_OK(mlops_run_log_metric(r, "m", v, 0, 1));
            if (i % 4 == 1) TU_OK(mlops_run_log_metric(r, "m", v * 3 - 1, 1, 2));
            if (i % 4 == 1) TU_OK(mlops_run_log_metric(r, "m", v, 2, 3));
        }
        if (param_of(i)) TU_OK(mlops_run_log_param(r, "p", param_of(i)));
        if (tag_of(i)) TU_OK(mlops_run_tag_set(r, "t", tag_of(i)));
        TU_OK(mlops_run_end(r, i % 3 ? MLOPS_RUN_FINISHED : MLOPS_RUN_FAILED));
        const char *id = mlops_run_id(r);
        char *keep = strdup(id);
        mlops_run_free(r);
        if (i % 11 == 10) TU_OK(mlops_run_delete(g_store, keep));
        free(keep);
    }
}

static void drop_fixture(void)
{
    mlops_store_close(g_store);
    tu_rmrf(g_dir);
    free(g_dir);
}

/* The names of the runs a search returns, page by page of `page` runs,
 * joined by spaces. malloc'd. */
static char *search_names(const char *filter, const char *order, size_t page)
{
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    ck_assert_ptr_nonnull(out);
    char *token = NULL;
    int pages = 0;
    do {
        mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
        o.experiment_ids = &g_exp;
        o.experiment_count = 1;
        o.filter = filter;
        o.order_by = order;
        o.max_results = page;
        o.page_token = token;
        mlops_run_infos *l = NULL;
        char *next = NULL;
        int rc = mlops_run_search_ex(g_store, &o, &l, &next);
        ck_assert_msg(rc == MLOPS_OK, "search [%s] [%s]: %s", filter, order, mlops_last_error());
        for (size_t i = 0; i < mlops_run_infos_count(l); i++) {
            const char *n = mlops_run_info_name(mlops_run_infos_at(l, i));
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " " : "", n ? n : "-");
            ck_assert_uint_lt(len, cap);
        }
        mlops_run_infos_free(l);
        mlops_free(token);
        token = next;
        ck_assert_int_lt(++pages, 100);
    } while (token);
    return out;
}

/* The golden file's cases in order; NULL when it is being written. */
static char **read_golden(void)
{
    FILE *f = tu_open_src("track/search_order.golden");
    char **want = calloc(NCASES, sizeof *want);
    char line[8192];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\n")] = '\0';
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        ck_assert_msg(t2 != NULL, "malformed golden line: %s", line);
        *t1 = *t2 = '\0';
        ck_assert_uint_lt(n, NCASES);
        ck_assert_str_eq(line, cases[n][0]);
        ck_assert_str_eq(t1 + 1, cases[n][1]);
        want[n++] = strdup(t2 + 1);
    }
    fclose(f);
    ck_assert_uint_eq(n, NCASES);
    return want;
}

START_TEST(every_search_matches_the_golden_order)
{
    build_fixture();
    const char *write_to = getenv("MLOPS_SEARCH_GOLDEN_WRITE");
    if (write_to && *write_to) {
        FILE *w = fopen(write_to, "w");
        ck_assert_ptr_nonnull(w);
        fprintf(w, "# Run searches and their answers (tests/test_search_order.c): FILTER, "
                   "ORDER_BY, run names.\n# Recorded from the SQLite backend; every backend "
                   "must give exactly these.\n");
        for (size_t i = 0; i < NCASES; i++) {
            char *got = search_names(cases[i][0], cases[i][1], 1000);
            fprintf(w, "%s\t%s\t%s\n", cases[i][0], cases[i][1], got);
            free(got);
        }
        fclose(w);
    } else {
        char **want = read_golden();
        for (size_t i = 0; i < NCASES; i++) {
            static const size_t pages[] = { 1000, 7, 1 };
            for (size_t p = 0; p < 3; p++) {
                char *got = search_names(cases[i][0], cases[i][1], pages[p]);
                ck_assert_msg(!strcmp(got, want[i]),
                              "search [%s] order [%s], pages of %zu:\n got  %s\n want %s",
                              cases[i][0], cases[i][1], pages[p], got, want[i]);
                free(got);
            }
            free(want[i]);
        }
        free(want);
    }
    drop_fixture();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("search_order");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_search_matches_the_golden_order);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
