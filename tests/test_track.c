/* Experiment records (include/mlops/track.h): experiments and runs. */
#include "track_fixture.h"
#include "store/store_internal.h"
#include "track/track_internal.h"

#include <sys/wait.h>
#include <unistd.h>

/* One text value (malloc'd, NULL for SQL NULL or no row). */
static char *db_text(const char *sql)
{
    return tu_sql_text(g_dir, sql);
}

static char *run_field(const mlops_run *r, const char *column)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE run_id = '%s'", column, mlops_run_id(r));
    return db_text(sql);
}

static char *run_tag(const mlops_run *r, const char *key)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT t.value FROM run_tags t JOIN runs r ON r.seq = t.run "
             "WHERE r.run_id = '%s' AND t.key = '%s'",
             mlops_run_id(r), key);
    return db_text(sql);
}

/* ---- experiments ---- */

START_TEST(experiment_create_and_get)
{
    int64_t a = 0, b = 0;
    TU_OK(mlops_experiment_create(g_store, "baseline", &a));
    TU_OK(mlops_experiment_create(g_store, "vision/ресnet é ✓", &b));
    ck_assert_int_gt(a, 0);
    ck_assert_int_ne(a, b);
    int64_t dup = -1;
    TU_RC(MLOPS_EEXIST, mlops_experiment_create(g_store, "baseline", &dup));
    ck_assert_int_eq(dup, -1);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "baseline"));

    mlops_experiment *e = NULL;
    TU_OK(mlops_experiment_get(g_store, b, &e));
    ck_assert_int_eq(mlops_experiment_id(e), b);
    ck_assert_str_eq(mlops_experiment_name(e), "vision/ресnet é ✓");
    ck_assert_int_gt(mlops_experiment_created_ms(e), 1600000000000);
    ck_assert_int_eq(mlops_experiment_updated_ms(e), mlops_experiment_created_ms(e));
    ck_assert_int_eq(mlops_experiment_deleted_ms(e), 0);
    size_t n = 99;
    ck_assert_ptr_null(mlops_experiment_tags(e, &n));
    ck_assert_uint_eq(n, 0);
    mlops_experiment_free(e);

    TU_OK(mlops_experiment_get_by_name(g_store, "baseline", &e));
    ck_assert_int_eq(mlops_experiment_id(e), a);
    mlops_experiment_free(e);

    e = (mlops_experiment *)1;
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_get(g_store, 12345, &e));
    ck_assert_ptr_null(e);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "12345"));
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_get_by_name(g_store, "nope", &e));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "nope"));
}
END_TEST

START_TEST(experiment_bad_names_write_nothing)
{
    int64_t id;
    char long_name[MLOPS_EXPERIMENT_NAME_MAX + 2];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, "", &id));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, long_name, &id));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "longer than 500"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, "tab\there", &id));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, "bad \xC3\x28 utf8", &id));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, "overlong \xC0\xAF", &id));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, NULL, &id));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(g_store, "ok", NULL));
    TU_RC(MLOPS_EINVAL, mlops_experiment_create(NULL, "ok", &id));
    ck_assert_int_eq(db_int("SELECT count(*) FROM experiments"), 0);
    /* exactly at the limit is fine */
    long_name[MLOPS_EXPERIMENT_NAME_MAX] = '\0';
    TU_OK(mlops_experiment_create(g_store, long_name, &id));
}
END_TEST

START_TEST(experiment_list_rename_tags)
{
    int64_t a, b, c;
    TU_OK(mlops_experiment_create(g_store, "a", &a));
    TU_OK(mlops_experiment_create(g_store, "b", &b));
    TU_OK(mlops_experiment_create(g_store, "c", &c));

    TU_OK(mlops_experiment_rename(g_store, b, "b2"));
    TU_OK(mlops_experiment_rename(g_store, b, "b2")); /* same name: fine */
    TU_RC(MLOPS_EEXIST, mlops_experiment_rename(g_store, b, "a"));
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_rename(g_store, 999, "z"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_rename(g_store, b, ""));

    TU_OK(mlops_experiment_set_tag(g_store, a, "team", "vision"));
    TU_OK(mlops_experiment_set_tag(g_store, a, "owner", "ann"));
    TU_OK(mlops_experiment_set_tag(g_store, a, "team", "nlp")); /* replaces */
    TU_OK(mlops_experiment_set_tag(g_store, a, "empty", ""));
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_set_tag(g_store, 999, "k", "v"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_set_tag(g_store, a, "k\n", "v"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_set_tag(g_store, a, "k", "\xFF"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_set_tag(g_store, a, "k", NULL));
    TU_OK(mlops_experiment_delete_tag(g_store, a, "owner"));
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_delete_tag(g_store, a, "owner"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "owner"));

    mlops_experiment **list = NULL;
    size_t n = 0;
    TU_OK(mlops_experiment_list(g_store, MLOPS_LIFECYCLE_ACTIVE, &list, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(mlops_experiment_name(list[0]), "a");
    ck_assert_str_eq(mlops_experiment_name(list[1]), "b2");
    ck_assert_str_eq(mlops_experiment_name(list[2]), "c");
    size_t nt = 0;
    const mlops_kv *tags = mlops_experiment_tags(list[0], &nt);
    ck_assert_uint_eq(nt, 2);
    ck_assert_str_eq(tags[0].key, "empty");
    ck_assert_str_eq(tags[0].value, "");
    ck_assert_str_eq(tags[1].key, "team");
    ck_assert_str_eq(tags[1].value, "nlp");
    mlops_experiment_list_free(list, n);
    TU_RC(MLOPS_EINVAL, mlops_experiment_list(g_store, 7, &list, &n));
}
END_TEST

/* The 1.1 tag functions: the registry's shape, on the same rows the 1.0
 * ones write. */
START_TEST(experiment_tags_1_1)
{
    int64_t a;
    TU_OK(mlops_experiment_create(g_store, "a", &a));
    TU_OK(mlops_experiment_tag_set(g_store, a, "team", "vision"));
    TU_OK(mlops_experiment_tag_set(g_store, a, "owner", "ann"));
    TU_OK(mlops_experiment_tag_set(g_store, a, "team", "nlp")); /* replaces */
    TU_OK(mlops_experiment_set_tag(g_store, a, "legacy", "1.0")); /* the same table */
    char key[MLOPS_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_experiment_tag_set(g_store, a, key, "v"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_experiment_tag_set: "));
    key[MLOPS_KEY_MAX] = '\0';
    TU_OK(mlops_experiment_tag_set(g_store, a, key, "longest"));
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_tag_set(g_store, 999, "k", "v"));
    ck_assert_str_eq(mlops_last_error(), "mlops_experiment_tag_set: no experiment with id 999");
    TU_RC(MLOPS_EINVAL, mlops_experiment_tag_set(g_store, a, "k", NULL));
    TU_RC(MLOPS_EINVAL, mlops_experiment_tag_set(NULL, a, "k", "v"));

    TU_OK(mlops_experiment_tag_delete(g_store, a, "owner"));
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_tag_delete(g_store, a, "owner"));
    ck_assert_str_eq(mlops_last_error(), "mlops_experiment_tag_delete: experiment 1 has no tag "
                                         "'owner'");
    TU_RC(MLOPS_EINVAL, mlops_experiment_tag_delete(g_store, a, ""));
    TU_OK(mlops_experiment_delete_tag(g_store, a, key)); /* 1.0 deletes what 1.1 set */

    mlops_experiment *e;
    TU_OK(mlops_experiment_get(g_store, a, &e));
    ck_assert_uint_eq(mlops_experiment_tag_count(e), 2);
    const char *k = NULL, *v = NULL;
    TU_OK(mlops_experiment_tag_at(e, 0, &k, &v));
    ck_assert_str_eq(k, "legacy");
    ck_assert_str_eq(v, "1.0");
    TU_OK(mlops_experiment_tag_at(e, 1, &k, NULL));
    ck_assert_str_eq(k, "team");
    TU_RC(MLOPS_EINVAL, mlops_experiment_tag_at(e, 2, &k, &v));
    ck_assert_str_eq(mlops_last_error(), "mlops_experiment_tag_at: index 2 is not below 2");
    ck_assert_str_eq(k, "team"); /* untouched */
    ck_assert_str_eq(mlops_experiment_tag(e, "team"), "nlp");
    ck_assert_ptr_null(mlops_experiment_tag(e, "owner"));
    ck_assert_ptr_null(mlops_experiment_tag(e, NULL));
    mlops_experiment_free(e);
    ck_assert_uint_eq(mlops_experiment_tag_count(NULL), 0);
    ck_assert_ptr_null(mlops_experiment_tag(NULL, "team"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_tag_at(NULL, 0, &k, &v));
}
END_TEST

START_TEST(experiment_list_ex_by_lifecycle)
{
    int64_t a, b, c;
    TU_OK(mlops_experiment_create(g_store, "a", &a));
    TU_OK(mlops_experiment_create(g_store, "b", &b));
    TU_OK(mlops_experiment_create(g_store, "c", &c));
    TU_OK(mlops_experiment_tag_set(g_store, c, "team", "vision"));
    TU_OK(mlops_experiment_delete(g_store, b));

    mlops_experiments *l = NULL;
    TU_OK(mlops_experiment_list_ex(g_store, MLOPS_LIFECYCLE_ACTIVE, &l));
    ck_assert_uint_eq(mlops_experiments_count(l), 2);
    ck_assert_int_eq(mlops_experiment_id(mlops_experiments_at(l, 0)), a);
    const mlops_experiment *e = mlops_experiments_at(l, 1);
    ck_assert_int_eq(mlops_experiment_id(e), c);
    ck_assert_str_eq(mlops_experiment_tag(e, "team"), "vision"); /* tags are loaded */
    ck_assert_ptr_null(mlops_experiments_at(l, 2));
    mlops_experiments_free(l);
    TU_OK(mlops_experiment_list_ex(g_store, MLOPS_LIFECYCLE_DELETED, &l));
    ck_assert_uint_eq(mlops_experiments_count(l), 1);
    ck_assert_str_eq(mlops_experiment_name(mlops_experiments_at(l, 0)), "b");
    mlops_experiments_free(l);
    TU_OK(mlops_experiment_list_ex(g_store, MLOPS_LIFECYCLE_ALL, &l));
    ck_assert_uint_eq(mlops_experiments_count(l), 3);
    mlops_experiments_free(l);

    l = (mlops_experiments *)&a;
    TU_RC(MLOPS_EINVAL, mlops_experiment_list_ex(g_store, 3, &l));
    ck_assert_ptr_null(l);
    ck_assert_str_eq(mlops_last_error(), "mlops_experiment_list_ex: unknown lifecycle 3");
    TU_RC(MLOPS_EINVAL, mlops_experiment_list_ex(NULL, 0, &l));
    TU_RC(MLOPS_EINVAL, mlops_experiment_list_ex(g_store, 0, NULL));
    ck_assert_uint_eq(mlops_experiments_count(NULL), 0);
    ck_assert_ptr_null(mlops_experiments_at(NULL, 0));
    mlops_experiments_free(NULL);

    /* an empty store gives an empty list */
    TU_OK(mlops_experiment_delete(g_store, a));
    TU_OK(mlops_experiment_delete(g_store, c));
    TU_OK(mlops_experiment_list_ex(g_store, MLOPS_LIFECYCLE_ACTIVE, &l));
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(mlops_experiments_count(l), 0);
    mlops_experiments_free(l);
}
END_TEST

START_TEST(experiment_soft_delete_and_restore)
{
    int64_t a, b;
    TU_OK(mlops_experiment_create(g_store, "keep", &a));
    TU_OK(mlops_experiment_create(g_store, "drop", &b));
    TU_OK(mlops_experiment_delete(g_store, b));
    TU_OK(mlops_experiment_delete(g_store, b)); /* idempotent */
    TU_RC(MLOPS_ENOTFOUND, mlops_experiment_delete(g_store, 777));

    mlops_experiment **list;
    size_t n;
    TU_OK(mlops_experiment_list(g_store, MLOPS_LIFECYCLE_ACTIVE, &list, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mlops_experiment_id(list[0]), a);
    mlops_experiment_list_free(list, n);
    TU_OK(mlops_experiment_list(g_store, MLOPS_LIFECYCLE_DELETED, &list, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mlops_experiment_id(list[0]), b);
    ck_assert_int_gt(mlops_experiment_deleted_ms(list[0]), 0);
    mlops_experiment_list_free(list, n);
    TU_OK(mlops_experiment_list(g_store, MLOPS_LIFECYCLE_ALL, &list, &n));
    ck_assert_uint_eq(n, 2);
    mlops_experiment_list_free(list, n);

    /* a deleted experiment keeps its name and refuses new runs */
    int64_t x;
    TU_RC(MLOPS_EEXIST, mlops_experiment_create(g_store, "drop", &x));
    mlops_run *r = NULL;
    TU_RC(MLOPS_ECONFLICT, mlops_run_start(g_store, b, "r", &r));
    ck_assert_ptr_null(r);
    ck_assert_int_eq(db_int("SELECT count(*) FROM runs"), 0);

    TU_OK(mlops_experiment_restore(g_store, b));
    TU_OK(mlops_experiment_restore(g_store, b));
    TU_OK(mlops_run_start(g_store, b, "r", &r));
    mlops_run_free(r);
    mlops_experiment *e;
    TU_OK(mlops_experiment_get(g_store, b, &e));
    ck_assert_int_eq(mlops_experiment_deleted_ms(e), 0);
    mlops_experiment_free(e);
}
END_TEST

/* ---- runs ---- */

static int is_run_id(const char *s)
{
    if (!s || strlen(s) != 32) return 0;
    for (int i = 0; i < 32; i++)
        if (!strchr("0123456789abcdef", s[i])) return 0;
    return 1;
}

START_TEST(run_start_sets_attributes_and_system_tags)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r1, *r2;
    TU_OK(mlops_run_start(g_store, exp, "first", &r1));
    TU_OK(mlops_run_start(g_store, exp, NULL, &r2));
    ck_assert(is_run_id(mlops_run_id(r1)));
    ck_assert(is_run_id(mlops_run_id(r2)));
    ck_assert_str_ne(mlops_run_id(r1), mlops_run_id(r2));
    ck_assert_int_eq(mlops_run_experiment_id(r1), exp);

    char *v = run_field(r1, "status");
    ck_assert_str_eq(v, "RUNNING");
    free(v);
    v = run_field(r1, "name");
    ck_assert_str_eq(v, "first");
    free(v);
    ck_assert_ptr_null(run_field(r2, "name"));
    ck_assert_ptr_null(run_field(r1, "end_ms"));
    v = run_field(r1, "start_ms");
    ck_assert_int_gt(atoll(v), 1600000000000);
    free(v);

    v = run_tag(r1, MLOPS_TAG_USER);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_gt(strlen(v), 0);
    free(v);
    v = run_tag(r1, MLOPS_TAG_HOST);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    ck_assert_str_eq(v, host[0] ? host : "unknown");
    free(v);
    v = run_tag(r1, MLOPS_TAG_SOURCE);
    ck_assert_ptr_nonnull(strstr(v, "test_track"));
    free(v);
    ck_assert_ptr_null(run_tag(r1, MLOPS_TAG_GIT_COMMIT));
    mlops_run_free(r1);
    mlops_run_free(r2);
}
END_TEST

START_TEST(run_start_options_and_nested_runs)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *parent, *child;
    TU_OK(mlops_run_start(g_store, exp, "parent", &parent));

    mlops_run_start_opts o;
    TU_OK(mlops_run_start_opts_init(&o, MLOPS_RUN_START_OPTS_VERSION));
    ck_assert_uint_eq(o.version, MLOPS_RUN_START_OPTS_VERSION);
    ck_assert_ptr_null(o.name);
    o.name = "child";
    o.parent_run_id = mlops_run_id(parent);
    o.user = "ann";
    o.source = "train.py";
    o.git_commit = "ABCDEF0123456789abcdef0123456789abcdef01";
    o.start_ms = 1700000000123;
    TU_OK(mlops_run_start_ex(g_store, exp, &o, &child));
    char *v = run_field(child, "parent_id");
    ck_assert_str_eq(v, mlops_run_id(parent));
    free(v);
    v = run_field(child, "start_ms");
    ck_assert_str_eq(v, "1700000000123");
    free(v);
    v = run_tag(child, MLOPS_TAG_USER);
    ck_assert_str_eq(v, "ann");
    free(v);
    v = run_tag(child, MLOPS_TAG_SOURCE);
    ck_assert_str_eq(v, "train.py");
    free(v);
    v = run_tag(child, MLOPS_TAG_GIT_COMMIT);
    ck_assert_str_eq(v, "abcdef0123456789abcdef0123456789abcdef01");
    free(v);
    mlops_run_free(child);

    /* bad options write nothing */
    int64_t before = db_int("SELECT count(*) FROM runs");
    mlops_run *r = NULL;
    o.parent_run_id = "00000000000000000000000000000000";
    TU_RC(MLOPS_ENOTFOUND, mlops_run_start_ex(g_store, exp, &o, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "00000000000000000000000000000000"));
    o.parent_run_id = "NOT-HEX";
    TU_RC(MLOPS_EINVAL, mlops_run_start_ex(g_store, exp, &o, &r));
    o.parent_run_id = NULL;
    o.git_commit = "xyz";
    TU_RC(MLOPS_EINVAL, mlops_run_start_ex(g_store, exp, &o, &r));
    o.git_commit = "abc"; /* too short */
    TU_RC(MLOPS_EINVAL, mlops_run_start_ex(g_store, exp, &o, &r));
    o.git_commit = NULL;
    o.name = "";
    TU_RC(MLOPS_EINVAL, mlops_run_start_ex(g_store, exp, &o, &r));
    o.name = "new\nline";
    TU_RC(MLOPS_EINVAL, mlops_run_start_ex(g_store, exp, &o, &r));
    o.name = NULL;
    o.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_run_start_ex(g_store, exp, &o, &r));
    TU_RC(MLOPS_EINVAL, mlops_run_start_opts_init(&o, 0));
    TU_RC(MLOPS_ENOTFOUND, mlops_run_start(g_store, 4242, NULL, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "4242"));
    ck_assert_ptr_null(r);
    ck_assert_int_eq(db_int("SELECT count(*) FROM runs"), before);
    mlops_run_free(parent);
}
END_TEST

START_TEST(run_end_and_status)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    const int statuses[] = { MLOPS_RUN_FINISHED, MLOPS_RUN_FAILED, MLOPS_RUN_KILLED };
    const char *names[] = { "FINISHED", "FAILED", "KILLED" };
    for (int i = 0; i < 3; i++) {
        mlops_run *r;
        TU_OK(mlops_run_start(g_store, exp, NULL, &r));
        TU_RC(MLOPS_EINVAL, mlops_run_end(r, MLOPS_RUN_RUNNING));
        TU_RC(MLOPS_EINVAL, mlops_run_end(r, 42));
        TU_OK(mlops_run_end(r, statuses[i]));
        char *v = run_field(r, "status");
        ck_assert_str_eq(v, names[i]);
        free(v);
        v = run_field(r, "end_ms");
        char *start = run_field(r, "start_ms");
        ck_assert_ptr_nonnull(v);
        ck_assert_int_ge(atoll(v), atoll(start));
        free(v);
        free(start);
        TU_RC(MLOPS_ECONFLICT, mlops_run_end(r, MLOPS_RUN_FINISHED));
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), mlops_run_id(r)));
        /* tags stay writable after the end */
        TU_OK(mlops_run_set_tag(r, "note", "reviewed"));
        mlops_run_free(r);
    }
    ck_assert_str_eq(mlops_run_status_name(MLOPS_RUN_RUNNING), "RUNNING");
    ck_assert_str_eq(mlops_run_status_name(MLOPS_RUN_KILLED), "KILLED");
    ck_assert_ptr_null(mlops_run_status_name(4));
    ck_assert_ptr_null(mlops_run_status_name(-1));
    TU_RC(MLOPS_EINVAL, mlops_run_end(NULL, MLOPS_RUN_FINISHED));
}
END_TEST

START_TEST(run_tags)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, exp, NULL, &r));
    TU_OK(mlops_run_set_tag(r, "team", "vision"));
    TU_OK(mlops_run_set_tag(r, "team", "nlp"));
    TU_OK(mlops_run_set_tag(r, "score", "0.75"));
    char *v = run_tag(r, "team");
    ck_assert_str_eq(v, "nlp");
    free(v);
    ck_assert_int_eq(db_int("SELECT num * 100 FROM run_tags WHERE key = 'score'"), 75);
    ck_assert_int_eq(db_int("SELECT num IS NULL FROM run_tags WHERE key = 'team'"), 1);
    TU_OK(mlops_run_delete_tag(r, "team"));
    ck_assert_ptr_null(run_tag(r, "team"));
    TU_RC(MLOPS_ENOTFOUND, mlops_run_delete_tag(r, "team"));
    TU_RC(MLOPS_EINVAL, mlops_run_set_tag(r, "", "v"));
    TU_RC(MLOPS_EINVAL, mlops_run_set_tag(r, "k\x01", "v"));
    char big[MLOPS_TAG_VALUE_MAX + 2];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_run_set_tag(r, "k", big));
    big[MLOPS_TAG_VALUE_MAX] = '\0';
    TU_OK(mlops_run_set_tag(r, "k", big));
    mlops_run_free(r);
}
END_TEST

START_TEST(run_tags_1_1)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, exp, NULL, &r));
    TU_OK(mlops_run_tag_set(r, "team", "vision"));
    TU_OK(mlops_run_tag_set(r, "team", "nlp"));
    char *v = run_tag(r, "team");
    ck_assert_str_eq(v, "nlp");
    free(v);
    TU_OK(mlops_run_tag_set(r, "score", "0.5"));
    ck_assert_int_eq(db_int("SELECT num * 10 FROM run_tags WHERE key = 'score'"), 5);
    char key[MLOPS_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_run_tag_set(r, key, "v"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_run_tag_set: "));
    TU_RC(MLOPS_EINVAL, mlops_run_tag_set(r, "k", "\xFF"));
    TU_RC(MLOPS_EINVAL, mlops_run_tag_set(NULL, "k", "v"));
    ck_assert_str_eq(mlops_last_error(), "mlops_run_tag_set: argument 'r' is NULL");

    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    TU_OK(mlops_run_tag_set(r, "after", "end")); /* allowed on ended runs */
    TU_OK(mlops_run_tag_delete(r, "team"));
    ck_assert_ptr_null(run_tag(r, "team"));
    TU_RC(MLOPS_ENOTFOUND, mlops_run_tag_delete(r, "team"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_run_tag_delete: run "));
    TU_RC(MLOPS_EINVAL, mlops_run_tag_delete(r, ""));
    TU_RC(MLOPS_EINVAL, mlops_run_tag_delete(NULL, "k"));

    TU_OK(mlops_run_delete(g_store, mlops_run_id(r)));
    TU_RC(MLOPS_ECONFLICT, mlops_run_tag_set(r, "k", "v"));
    TU_RC(MLOPS_ECONFLICT, mlops_run_tag_delete(r, "after"));
    mlops_run_free(r);
}
END_TEST

START_TEST(run_soft_delete_and_restore)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, exp, NULL, &r));
    char id[33];
    strcpy(id, mlops_run_id(r));
    TU_OK(mlops_run_delete(g_store, id));
    TU_OK(mlops_run_delete(g_store, id));
    char *deleted = run_field(r, "deleted_ms");
    ck_assert_ptr_nonnull(deleted);
    free(deleted);
    TU_RC(MLOPS_ECONFLICT, mlops_run_set_tag(r, "k", "v"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "deleted"));
    TU_RC(MLOPS_ECONFLICT, mlops_run_end(r, MLOPS_RUN_FINISHED));
    TU_OK(mlops_run_restore(g_store, id));
    ck_assert_ptr_null(run_field(r, "deleted_ms"));
    TU_OK(mlops_run_set_tag(r, "k", "v"));
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    TU_RC(MLOPS_ENOTFOUND, mlops_run_delete(g_store, "0123456789abcdef0123456789abcdef"));
    TU_RC(MLOPS_EINVAL, mlops_run_delete(g_store, "0123456789ABCDEF0123456789ABCDEF"));
    TU_RC(MLOPS_EINVAL, mlops_run_restore(g_store, "short"));
    TU_RC(MLOPS_EINVAL, mlops_run_delete(g_store, NULL));
    mlops_run_free(r);
}
END_TEST

START_TEST(run_open_from_another_process)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, exp, "shared", &r));
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        mlops_store *s2;
        mlops_run *r2;
        int ok = mlops_store_open(g_dir, NULL, &s2) == 0 &&
                 mlops_run_open(s2, mlops_run_id(r), &r2) == 0 &&
                 mlops_run_experiment_id(r2) == exp &&
                 mlops_run_set_tag(r2, "from", "child") == 0 &&
                 mlops_run_end(r2, MLOPS_RUN_FAILED) == 0;
        _exit(ok ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *v = run_tag(r, "from");
    ck_assert_str_eq(v, "child");
    free(v);
    v = run_field(r, "status");
    ck_assert_str_eq(v, "FAILED");
    free(v);
    TU_RC(MLOPS_ECONFLICT, mlops_run_end(r, MLOPS_RUN_FINISHED));
    mlops_run_free(r);

    mlops_run *x = (mlops_run *)1;
    TU_RC(MLOPS_ENOTFOUND, mlops_run_open(g_store, "ffffffffffffffffffffffffffffffff", &x));
    ck_assert_ptr_null(x);
    TU_RC(MLOPS_EINVAL, mlops_run_open(g_store, "fffffffffffffffffffffffffffffffff", &x));
    TU_RC(MLOPS_EINVAL, mlops_run_open(g_store, "ffffffffffffffffffffffffffffffg", &x));
    TU_RC(MLOPS_EINVAL, mlops_run_open(g_store, NULL, &x));
    TU_RC(MLOPS_EINVAL, mlops_run_open(NULL, "ffffffffffffffffffffffffffffffff", &x));
}
END_TEST

struct exists_arg {
    const char *id;
    int exists;
};

static int exists_tx(mlops__conn *c, void *arg)
{
    struct exists_arg *a = arg;
    return mlops__run_exists(c, __func__, a->id, &a->exists);
}

START_TEST(internal_run_exists)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, exp, NULL, &r));
    struct exists_arg a = { mlops_run_id(r), -1 };
    TU_OK(mlops__store_read(g_store, exists_tx, &a));
    ck_assert_int_eq(a.exists, 1);
    TU_OK(mlops_run_delete(g_store, mlops_run_id(r)));
    a.exists = -1;
    TU_OK(mlops__store_read(g_store, exists_tx, &a));
    ck_assert_int_eq(a.exists, 1); /* soft-deleted runs still exist */
    a.id = "0123456789abcdef0123456789abcdef";
    a.exists = -1;
    TU_OK(mlops__store_read(g_store, exists_tx, &a));
    ck_assert_int_eq(a.exists, 0);
    a.id = "not-a-run-id";
    TU_RC(MLOPS_EINVAL, mlops__store_read(g_store, exists_tx, &a));
    a.id = NULL;
    TU_RC(MLOPS_EINVAL, mlops__store_read(g_store, exists_tx, &a));
    mlops_run_free(r);
}
END_TEST

START_TEST(null_arguments)
{
    mlops_experiment *e;
    mlops_run *r;
    int64_t id;
    TU_RC(MLOPS_EINVAL, mlops_experiment_get(NULL, 1, &e));
    TU_RC(MLOPS_EINVAL, mlops_experiment_get(g_store, 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_experiment_get_by_name(g_store, NULL, &e));
    TU_RC(MLOPS_EINVAL, mlops_experiment_list(g_store, 0, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_experiment_rename(NULL, 1, "x"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_set_tag(g_store, 1, NULL, "x"));
    TU_RC(MLOPS_EINVAL, mlops_experiment_delete(NULL, 1));
    TU_RC(MLOPS_EINVAL, mlops_run_start(NULL, 1, NULL, &r));
    TU_RC(MLOPS_EINVAL, mlops_run_start(g_store, 1, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_set_tag(NULL, "k", "v"));
    TU_OK(mlops_experiment_create(g_store, "e", &id));
    TU_OK(mlops_run_start(g_store, id, NULL, &r));
    TU_RC(MLOPS_EINVAL, mlops_run_set_tag(r, NULL, "v"));
    TU_RC(MLOPS_EINVAL, mlops_run_set_tag(r, "k", NULL));
    TU_RC(MLOPS_EINVAL, mlops_run_delete_tag(r, NULL));
    mlops_run_free(r);
    ck_assert_ptr_null(mlops_run_id(NULL));
    ck_assert_int_eq(mlops_run_experiment_id(NULL), 0);
    ck_assert_ptr_null(mlops_experiment_name(NULL));
    mlops_run_free(NULL);
    mlops_experiment_free(NULL);
    mlops_experiment_list_free(NULL, 3);
}
END_TEST

START_TEST(read_only_store_refuses_writes)
{
    int64_t exp;
    TU_OK(mlops_experiment_create(g_store, "e", &exp));
    mlops_store_opts o;
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.read_only = 1;
    mlops_store *ro;
    TU_OK(mlops_store_open(g_dir, &o, &ro));
    int64_t id;
    TU_RC(MLOPS_EREADONLY, mlops_experiment_create(ro, "x", &id));
    mlops_run *r;
    TU_RC(MLOPS_EREADONLY, mlops_run_start(ro, exp, NULL, &r));
    mlops_experiment *e;
    TU_OK(mlops_experiment_get(ro, exp, &e));
    mlops_experiment_free(e);
    mlops_store_close(ro);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("track");
    TCase *tc = tcase_create("experiments_runs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, experiment_create_and_get);
    tcase_add_test(tc, experiment_bad_names_write_nothing);
    tcase_add_test(tc, experiment_list_rename_tags);
    tcase_add_test(tc, experiment_tags_1_1);
    tcase_add_test(tc, experiment_list_ex_by_lifecycle);
    tcase_add_test(tc, experiment_soft_delete_and_restore);
    tcase_add_test(tc, run_start_sets_attributes_and_system_tags);
    tcase_add_test(tc, run_start_options_and_nested_runs);
    tcase_add_test(tc, run_end_and_status);
    tcase_add_test(tc, run_tags);
    tcase_add_test(tc, run_tags_1_1);
    tcase_add_test(tc, run_soft_delete_and_restore);
    tcase_add_test(tc, run_open_from_another_process);
    tcase_add_test(tc, internal_run_exists);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, read_only_store_refuses_writes);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
