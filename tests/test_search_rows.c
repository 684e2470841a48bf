/* Searches on store format 10's per-run rows (lib/track/schema_rows.c,
 * doc/search.md "On PostgreSQL") against format 9's rendering of the same
 * searches on the same store: the same runs in the same order, page by
 * page, for every filter and order below, on an awkward data set (NaN and
 * missing metrics, deleted runs, values of 400 characters and more,
 * numeric params and tags, LIKE / ILIKE / NOT LIKE, ties in the order,
 * changed and deleted tags). And the rows the triggers kept equal the
 * rows derived from the store afresh, after every kind of write.
 * On SQLite both renderings are the one SQLite has; the suite runs there
 * too (as every suite), and on PostgreSQL as search_rows_pg. */
#include "track_fixture.h"

#include "db/db.h"
#include "store/store_internal.h"
#include "track/metric_internal.h"
#include "track/search_internal.h"

#include <math.h>

#define NRUNS 48
static char ids[NRUNS][33];
static int64_t exp_a, exp_b;

static char *long_text(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void seed(void)
{
    TU_OK(mlops_experiment_create(g_store, "a", &exp_a));
    TU_OK(mlops_experiment_create(g_store, "b", &exp_b));
    static const char *const lr[] = { "0.01", "0.02", "0.1", "1e1", "abc", "-3", "2.50", NULL };
    static const char *const grp[] = { "vision-a", "Vision-B", "nlp", "vision%lit", "x_y", NULL,
                                       "vision-a" };
    char *long_lr = long_text('7', 450); /* a plain decimal number, too */
    char *long_note = long_text('v', 400);
    for (int i = 0; i < NRUNS; i++) {
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        char name[8], n[16];
        snprintf(name, sizeof name, "r%02d", i);
        o.name = name;
        o.start_ms = 1000 + i % 5; /* ties */
        mlops_run *r;
        TU_OK(mlops_run_start_ex(g_store, i % 6 == 5 ? exp_b : exp_a, &o, &r));
        strcpy(ids[i], mlops_run_id(r));
        if (i == 13) TU_OK(mlops_run_log_param(r, "lr", long_lr));
        else if (lr[i % 8]) TU_OK(mlops_run_log_param(r, "lr", lr[i % 8]));
        snprintf(n, sizeof n, "%d", i % 7);
        TU_OK(mlops_run_log_param(r, "n", n));
        if (grp[i % 7]) TU_OK(mlops_run_set_tag(r, "grp", grp[i % 7]));
        /* note: one long value makes the key's tests go to the tables */
        TU_OK(mlops_run_set_tag(r, "note", i == 20 ? long_note : i % 2 ? "odd" : "even"));
        if (i % 4 != 3) {
            double acc = i % 9 == 4 ? NAN : (double)(i % 10) / 10.0;
            TU_OK(mlops_run_log_metric(r, "acc", 0.0, 0, 0));
            TU_OK(mlops_run_log_metric(r, "acc", acc, 1, 0));
        }
        if (i % 5 != 2) TU_OK(mlops_run_log_metric(r, "loss", (double)(i % 3), 0, 0)); /* ties */
        if (i % 11 == 0) TU_OK(mlops_run_log_metric(r, "loss", NAN, 1, 0));
        /* tags changed and removed after the fact */
        if (i % 6 == 1) TU_OK(mlops_run_set_tag(r, "grp", "moved"));
        if (i % 10 == 9) TU_OK(mlops_run_delete_tag(r, "grp"));
        if (i % 3 == 0) TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
        mlops_run_free(r);
    }
    free(long_lr);
    free(long_note);
    /* deleted, and deleted then restored */
    for (int i = 2; i < NRUNS; i += 7) TU_OK(mlops_run_delete(g_store, ids[i]));
    TU_OK(mlops_run_restore(g_store, ids[9]));
}

static void rows_setup(void)
{
    setup();
    seed();
}

/* The ids of every run the search gives, page after page, as one text. */
static char *all_pages(const char *filter, const char *order, int lifecycle, int experiments)
{
    mlops__buf out = MLOPS__BUF_INIT;
    char *token = NULL;
    int64_t exps[2] = { exp_a, exp_b };
    do {
        mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
        o.filter = filter;
        o.order_by = order;
        o.lifecycle = lifecycle;
        o.max_results = 7;
        o.page_token = token;
        if (experiments) {
            o.experiment_ids = exps;
            o.experiment_count = (size_t)experiments;
        }
        mlops_run_infos *runs;
        char *next = NULL;
        int rc = mlops_run_search_ex(g_store, &o, &runs, &next);
        ck_assert_msg(rc == MLOPS_OK, "<%s> <%s>: %d %s", filter, order ? order : "", rc,
                      mlops_last_error());
        free(token);
        token = next;
        for (size_t i = 0; i < mlops_run_infos_count(runs); i++)
            mlops__buf_addf(&out, "%s ", mlops_run_info_name(mlops_run_infos_at(runs, i)));
        mlops__buf_add(&out, "| ");
        mlops_run_infos_free(runs);
    } while (token);
    char *s = NULL;
    TU_OK(mlops__buf_take(&out, &s, "test"));
    return s;
}

static const char *const filters[] = {
    "",
    "params.lr = '0.01'",
    "params.lr != '0.01'",
    "params.lr IN ('0.01', '0.1', 'abc')",
    "params.lr NOT IN ('0.01', '0.1')",
    "params.lr > 0.05",
    "params.lr <= 2.5",
    "params.lr = 10",
    "params.lr > '0.05'",
    "params.lr LIKE '0.%'",
    "params.lr IS NULL",
    "NOT params.lr = '0.02'",
    "params.n >= 3 AND params.n < 6",
    "params.n IN (1, 4) OR tags.grp ILIKE 'VISION%'",
    "tags.grp LIKE 'vision%'",
    "tags.grp ILIKE 'vision-_'",
    "tags.grp NOT LIKE 'vision%'",
    "tags.grp LIKE 'vision\\%lit'",
    "tags.grp IS NOT NULL AND NOT tags.grp LIKE '%a'",
    "tags.grp = 'moved'",
    "tags.grp = 'nothing such'",
    "tags.note = 'odd'",
    "tags.note LIKE 'v%'",
    "tags.note != 'even'",
    "tags.note IS NOT NULL AND params.n = '2'",
    "metrics.acc > 0.5",
    "metrics.acc > 0.2 AND tags.grp LIKE 'vision%'",
    "metrics.acc != 0.3 AND params.n != '1'",
    "metrics.acc IN (0.1, 0.7) AND params.lr LIKE '%'",
    "metrics.acc NOT IN (0.1, 0.7) AND tags.grp IS NOT NULL",
    "metrics.acc <= 0.4 OR metrics.loss = 1",
    "NOT metrics.acc > 0.5 AND tags.grp LIKE '%'",
    "metrics.acc IS NULL OR params.lr = '-3'",
    "metrics.nosuch > 0 OR tags.grp = 'nlp'",
    "metrics.acc.max >= 0.5 AND params.n = '3'",
    "metrics.loss.count = 2 AND tags.grp LIKE '%'",
    ("params.lr = '0.01' AND tags.grp LIKE 'vision%' AND metrics.acc > 0.1 AND params.n != '0'"
     " AND metrics.loss < 2"),
    "attributes.status = 'FINISHED' AND tags.grp LIKE 'v%'",
    "(params.n = '1' OR params.n = '2') AND (tags.grp = 'nlp' OR metrics.loss >= 1)",
    /* pair tests of one pair each, ANDed: one `facets @>` (filter_sql.c) */
    "params.n = '2' AND tags.grp = 'nlp'",
    "params.lr = '0.01' AND tags.note = 'even' AND metrics.acc > 0.3",
    "params.n = '3' AND tags.grp = 'nothing such'",
    "NOT params.n = '4' AND tags.grp = 'vision-a' AND params.lr = '0.1'",
    "(params.n = '1' AND tags.note = 'odd') OR (params.n = '2' AND tags.grp = 'moved')",
    "params.n = '5' AND params.n = '5' AND tags.note = 'even'",
};

static const char *const orders[] = {
    NULL,
    "metrics.loss",
    "metrics.acc DESC",
    "metrics.loss DESC, metrics.acc",
    "params.lr",
    "tags.grp DESC, metrics.loss",
    "metrics.nosuch, attributes.run_name",
    "metrics.acc.min DESC",
};

START_TEST(rows_and_tables_agree)
{
    const int lifecycles[] = { MLOPS_LIFECYCLE_ACTIVE, MLOPS_LIFECYCLE_DELETED, MLOPS_LIFECYCLE_ALL };
    size_t nf = sizeof filters / sizeof filters[0], no = sizeof orders / sizeof orders[0];
    int compared = 0;
    for (size_t f = 0; f < nf; f++) {
        for (size_t o = 0; o < no; o++) {
            int life = lifecycles[(f + o) % 3];
            int exps = (int)((f * no + o) % 3);
            mlops__search_rows_off = 0;
            char *rows = all_pages(filters[f], orders[o], life, exps);
            /* every metric comparison on the rows: on 48 runs each is
             * rare, and so by default a range of metric_series */
            mlops__search_rare_metric = 0;
            char *row_metrics = all_pages(filters[f], orders[o], life, exps);
            mlops__search_rare_metric = 1000;
            mlops__search_rows_off = 1;
            char *tables = all_pages(filters[f], orders[o], life, exps);
            mlops__search_rows_off = 0;
            ck_assert_msg(!strcmp(rows, tables), "<%s> <%s> lifecycle %d: rows %s, tables %s",
                          filters[f], orders[o] ? orders[o] : "", life, rows, tables);
            ck_assert_msg(!strcmp(row_metrics, tables),
                          "<%s> <%s> lifecycle %d: row metrics %s, tables %s", filters[f],
                          orders[o] ? orders[o] : "", life, row_metrics, tables);
            compared += strlen(rows) > (size_t)20;
            free(rows);
            free(row_metrics);
            free(tables);
        }
    }
    ck_assert_int_gt(compared, 100); /* most searches return runs */
}
END_TEST

/* search_rows as the migration derives it from the store: equal to what
 * the triggers kept. */
static const char derived_rows[] =
    "SELECT count(*) FROM ("
    "  SELECT seq, experiment_id, deleted_ms, facets, mkeys, mlast FROM search_rows"
    "  EXCEPT SELECT r.seq, r.experiment_id, r.deleted_ms, f.ids, m.ids, m.vals FROM runs r"
    "  CROSS JOIN LATERAL (SELECT coalesce(array_agg(sf.id ORDER BY sf.id), '{}') AS ids FROM ("
    "      SELECT 0::smallint AS kind, key, value FROM run_params WHERE run = r.seq"
    "      UNION ALL SELECT 1::smallint, key, value FROM run_tags WHERE run = r.seq) kv"
    "    JOIN search_facets sf ON sf.kind = kv.kind AND sf.key = kv.key AND sf.value = kv.value) f"
    "  CROSS JOIN LATERAL (SELECT coalesce(array_agg(k.id ORDER BY k.id), '{}') AS ids,"
    "      coalesce(array_agg(s.last ORDER BY k.id), '{}') AS vals"
    "    FROM metric_series s JOIN search_metric_keys k ON k.key = s.key WHERE s.run = r.seq) m"
    ") x";

static int is_pg(void)
{
    tu_db *db = tu_db_open(g_dir);
    int pg = tu_db_dialect(db) == 2;
    tu_db_close(db);
    return pg;
}

START_TEST(triggers_keep_the_rows)
{
    if (!is_pg()) return; /* SQLite has no such rows */
    ck_assert_int_eq(db_int("SELECT count(*) FROM search_rows"), NRUNS);
    ck_assert_int_eq(db_int("SELECT count(*) FROM runs"), NRUNS);
    ck_assert_int_eq(db_int(derived_rows), 0);
    /* every short pair is in the dictionary, the long ones are not */
    ck_assert_int_eq(db_int("SELECT count(*) FROM search_facets WHERE length(value) >= 400"), 0);
    ck_assert_int_eq(db_int("SELECT count(*) FROM (SELECT key, value FROM run_params WHERE"
                            " length(value) < 400 EXCEPT SELECT key, value FROM search_facets"
                            " WHERE kind = 0) x"),
                     0);
    /* a batch over several keys, a new key, a tag set twice in one run */
    mlops_run *r;
    TU_OK(mlops_run_open(g_store, ids[4], &r));
    mlops_metric pts[3] = { { "acc", 0.25, 5, 1000 }, { "fresh", 3.0, 0, 1000 },
                            { "loss", NAN, 9, 1000 } };
    TU_OK(mlops_run_log_metrics(r, pts, 3));
    /* each of the metric write path's statements, compared at once */
    ck_assert_int_eq(db_int(derived_rows), 0);
    TU_OK(mlops_run_log_metric(r, "acc", 0.75, 6, 1000));     /* single key, stored series */
    ck_assert_int_eq(db_int(derived_rows), 0);
    TU_OK(mlops_run_log_metric(r, "single", NAN, 0, 1000));   /* single key, new key, NaN */
    ck_assert_int_eq(db_int(derived_rows), 0);
    ck_assert_int_eq(db_int("SELECT count(*) FROM search_rows w, search_metric_keys k"
                            " WHERE k.key = 'single' AND k.id = ANY (w.mkeys)"),
                     1);
    mlops_metric many[2 * MLOPS__TAIL_MAX]; /* a new series that seals blocks at once */
    for (int i = 0; i < 2 * MLOPS__TAIL_MAX; i++)
        many[i] = (mlops_metric){ "long", (double)i, i, 1000 };
    TU_OK(mlops_run_log_metrics(r, many, 2 * MLOPS__TAIL_MAX));
    ck_assert_int_eq(db_int(derived_rows), 0);
    TU_OK(mlops_run_set_tag(r, "grp", "late"));
    TU_OK(mlops_run_set_tag(r, "grp", "later"));
    TU_OK(mlops_run_log_param(r, "extra", "1"));
    mlops_run_free(r);
    TU_OK(mlops_run_delete(g_store, ids[4]));
    ck_assert_int_eq(db_int(derived_rows), 0);
    ck_assert_int_eq(db_int("SELECT count(*) FROM search_rows WHERE deleted_ms IS NOT NULL"),
                     db_int("SELECT count(*) FROM runs WHERE deleted_ms IS NOT NULL"));
    char *found = all_pages("tags.grp = 'later' AND metrics.fresh = 3", NULL,
                            MLOPS_LIFECYCLE_DELETED, 0);
    ck_assert_str_eq(found, "r04 | ");
    free(found);
}
END_TEST

static int64_t dir_int(const char *dir, const char *sql)
{
    tu_db *db = tu_db_open(dir);
    int64_t v = tu_db_int(db, sql);
    tu_db_close(db);
    return v;
}

/* The store copy writes runs, params, tags and metric series row by row
 * into the destination, whose triggers keep its rows: into an empty
 * store, then again after the source logged more (the copy then updates
 * series rows). */
START_TEST(store_copy_keeps_the_rows)
{
    if (!is_pg()) return;
    char *ddir = tu_store_dir(g_dir, "copy");
    mlops_store *dst = NULL;
    TU_OK(mlops_store_open(ddir, NULL, &dst));
    mlops_store_copy_report rep;
    TU_OK(mlops_store_copy_report_init(&rep, MLOPS_STORE_COPY_REPORT_VERSION));
    TU_OK(mlops_store_copy(g_store, dst, NULL, &rep));
    ck_assert_int_eq(dir_int(ddir, "SELECT count(*) FROM search_rows"), NRUNS);
    ck_assert_int_gt(dir_int(ddir, "SELECT count(*) FROM search_rows WHERE mkeys <> '{}'"), 0);
    ck_assert_int_eq(dir_int(ddir, derived_rows), 0);
    mlops_run *r;
    TU_OK(mlops_run_open(g_store, ids[1], &r));
    mlops_metric pts[2] = { { "acc", 0.125, 9, 1000 }, { "copied", 2.0, 0, 1000 } };
    TU_OK(mlops_run_log_metrics(r, pts, 2));
    mlops_run_free(r);
    TU_OK(mlops_store_copy(g_store, dst, NULL, &rep));
    ck_assert_int_eq(dir_int(ddir, derived_rows), 0);
    ck_assert_int_eq(dir_int(ddir, "SELECT count(*) FROM search_rows w, search_metric_keys k"
                                   " WHERE k.key = 'copied' AND k.id = ANY (w.mkeys)"),
                     1);
    mlops_store_close(dst);
    free(ddir);
}
END_TEST

/* The transaction that last wrote run i's search row (its xmin). */
static int64_t row_writer(int i)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT w.xmin::text::bigint FROM search_rows w JOIN runs r ON r.seq = w.seq"
             " WHERE r.run_id = '%s'",
             ids[i]);
    return db_int(sql);
}

/* Format 11: a write that leaves a run's row as it was does not rewrite
 * it (search_rows_same), and one that changes it still does. Run 1 is
 * live, has series with points in their tails and the tag note = odd. */
static void unchanged_rows_stay(void)
{
    mlops_run *r;
    TU_OK(mlops_run_open(g_store, ids[1], &r));
    int64_t before = row_writer(1);
    TU_OK(mlops_run_set_tag(r, "note", "odd")); /* the same value again */
    TU_OK(mlops_run_log_param(r, "n", "1"));   /* a param logged again */
    /* the end seals the series' tails (UPDATE metric_series SET tail = NULL) */
    ck_assert_int_gt(db_int("SELECT count(*) FROM metric_series WHERE tail IS NOT NULL"), 0);
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    ck_assert_int_eq(row_writer(1), before);
    TU_OK(mlops_run_set_tag(r, "note", "changed"));
    ck_assert_int_ne(row_writer(1), before);
    mlops_run_free(r);
    ck_assert_int_eq(db_int(derived_rows), 0);
}

START_TEST(unchanged_rows_are_not_rewritten)
{
    if (!is_pg()) return;
    unchanged_rows_stay();
}
END_TEST

/* A store at format 10 (without search_rows_same, fillfactor 70)
 * migrates to 11 on a read-write open: its rows stay as they were, and
 * from then on a write that changes nothing leaves them alone. */
START_TEST(format_10_store_migrates_to_11)
{
    if (!is_pg()) return;
    mlops_store_close(g_store);
    g_store = NULL;
    tu_db *db = tu_db_open(g_dir);
    tu_db_exec(db, "DROP TRIGGER search_rows_same ON search_rows;"
                   "ALTER TABLE search_rows SET (fillfactor = 70)");
    int64_t rows_before = tu_db_int(db, "SELECT sum(hashtext(w::text)) FROM search_rows w");
    reopen_from_format(db, 1, 10);
    ck_assert_int_eq(db_int("SELECT sum(hashtext(w::text)) FROM search_rows w"), rows_before);
    ck_assert_int_eq(db_int("SELECT count(*) FROM pg_trigger"
                            " WHERE tgrelid = 'search_rows'::regclass AND tgname = 'search_rows_same'"),
                     1);
    ck_assert_int_eq(db_int("SELECT count(*) FROM pg_class WHERE oid = 'search_rows'::regclass"
                            " AND reloptions = '{fillfactor=100}'"),
                     1);
    unchanged_rows_stay();
}
END_TEST

/* A store at format 9 (on PostgreSQL without search_rows, its
 * dictionaries and triggers) migrates to 10 on a read-write open: the
 * rows are derived from the store, and searches give the same runs. */
START_TEST(format_9_store_migrates_to_10)
{
    if (!is_pg()) return;
    char *before = all_pages(filters[26], orders[1], MLOPS_LIFECYCLE_ALL, 0);
    mlops_store_close(g_store);
    g_store = NULL;
    tu_db *db = tu_db_open(g_dir);
    tu_db_exec(db, "DROP TABLE search_rows, search_facets, search_metric_keys;"
                   "DROP FUNCTION mlops_search_runs_changed(), mlops_search_pairs_changed(),"
                   "  mlops_search_metrics_changed() CASCADE;"
                   "CREATE ROLE rows_reader NOLOGIN;" /* each suite has its own server */
                   "GRANT SELECT ON runs TO rows_reader");
    reopen_from_format(db, 1, 9);
    ck_assert_int_eq(db_int("SELECT count(*) FROM search_rows"), NRUNS);
    ck_assert_int_eq(db_int(derived_rows), 0);
    /* a role that could read the runs can read their rows */
    ck_assert_int_eq(db_int("SELECT CASE WHEN has_table_privilege('rows_reader', 'search_rows',"
                            " 'SELECT') AND has_table_privilege('rows_reader', 'search_facets',"
                            " 'SELECT') AND NOT has_table_privilege('rows_reader',"
                            " 'search_rows', 'INSERT') THEN 1 ELSE 0 END"),
                     1);
    ck_assert_int_eq(db_int("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                            " WHERE c.relnamespace = current_schema()::regnamespace"
                            " AND t.tgname LIKE 'search_rows_%'"),
                     13); /* 12 keeping the rows, search_rows_same on them */
    /* the migrated store's metric writes keep the rows */
    mlops_run *r;
    TU_OK(mlops_run_open(g_store, ids[1], &r));
    mlops_metric pts[2] = { { "acc", 0.5, 7, 1000 }, { "after", 1.0, 0, 1000 } };
    TU_OK(mlops_run_log_metrics(r, pts, 2));
    TU_OK(mlops_run_log_metric(r, "loss", -1.0, 7, 1000));
    mlops_run_free(r);
    ck_assert_int_eq(db_int(derived_rows), 0);
    char *after = all_pages(filters[26], orders[1], MLOPS_LIFECYCLE_ALL, 0);
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("search_rows");
    TCase *tc = tcase_create("rows");
    tcase_add_checked_fixture(tc, rows_setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, rows_and_tables_agree);
    tcase_add_test(tc, triggers_keep_the_rows);
    tcase_add_test(tc, format_9_store_migrates_to_10);
    tcase_add_test(tc, unchanged_rows_are_not_rewritten);
    tcase_add_test(tc, format_10_store_migrates_to_11);
    tcase_add_test(tc, store_copy_keeps_the_rows);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
