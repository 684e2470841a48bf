/* The model registry: models, versions, aliases, resolution, lineage,
 * concurrency and bad input. Audit and signing have their own suites. */
#include "registry_helpers.h"

#include <pthread.h>

/* ---- Models ------------------------------------------------------------ */

START_TEST(model_create_get_and_describe)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "churn"));
    TU_OK(mlops_model_create_ex(s, "fraud", "Gradient boosting, weekly", NULL));
    TU_RC(MLOPS_EEXIST, mlops_model_create(s, "churn"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "churn"));

    mlops_model *m;
    TU_OK(mlops_model_get(s, "fraud", &m));
    ck_assert_str_eq(mlops_model_name(m), "fraud");
    ck_assert_str_eq(mlops_model_description(m), "Gradient boosting, weekly");
    ck_assert_int_gt(mlops_model_created_ms(m), 1600000000000LL);
    ck_assert_int_eq(mlops_model_created_ms(m), mlops_model_updated_ms(m));
    ck_assert_int_eq(mlops_model_deleted_ms(m), 0);
    ck_assert_int_eq(mlops_model_max_version(m), 0);
    ck_assert_uint_eq(mlops_model_tag_count(m), 0);
    ck_assert_uint_eq(mlops_model_alias_count(m), 0);
    mlops_model_free(m);

    TU_OK(mlops_model_set_description(s, "churn", "ünïcödé ✓\nline two", NULL));
    int64_t n = rt_audit_count(s);
    TU_OK(mlops_model_set_description(s, "churn", "ünïcödé ✓\nline two", NULL)); /* same */
    ck_assert_int_eq(rt_audit_count(s), n);
    TU_OK(mlops_model_get(s, "churn", &m));
    ck_assert_str_eq(mlops_model_description(m), "ünïcödé ✓\nline two");
    mlops_model_free(m);
    TU_OK(mlops_model_set_description(s, "churn", NULL, NULL));
    TU_OK(mlops_model_get(s, "churn", &m));
    ck_assert_str_eq(mlops_model_description(m), "");
    mlops_model_free(m);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_get(s, "nope", &m));
    ck_assert_ptr_null(m);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(model_names_are_checked)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    char long_name[300];
    memset(long_name, 'a', sizeof long_name);
    long_name[255] = 0;
    TU_OK(mlops_model_create(s, long_name)); /* 255 bytes: the limit */
    long_name[255] = 'a';
    long_name[256] = 0;
    TU_RC(MLOPS_EINVAL, mlops_model_create(s, long_name));
    TU_RC(MLOPS_EINVAL, mlops_model_create(s, ""));
    TU_RC(MLOPS_EINVAL, mlops_model_create(s, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_create(NULL, "x"));
    TU_RC(MLOPS_EINVAL, mlops_model_create(s, "a@b"));
    TU_RC(MLOPS_EINVAL, mlops_model_create(s, "tab\there"));
    TU_RC(MLOPS_EINVAL, mlops_model_create(s, "bad\xc3"));
    TU_OK(mlops_model_create(s, "org/team/model v2 — ok"));
    TU_OK(mlops_model_create(s, "модель"));
    ck_assert_int_eq(rt_audit_count(s), 3);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_models"), 3);
    rt_close(s, dir);
}
END_TEST

START_TEST(model_tags)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    TU_OK(mlops_model_tag_set(s, "m", "team", "vision", NULL));
    TU_OK(mlops_model_tag_set(s, "m", "domain", "", NULL));
    TU_OK(mlops_model_tag_set(s, "m", "team", "nlp", NULL));
    mlops_model *m;
    TU_OK(mlops_model_get(s, "m", &m));
    ck_assert_uint_eq(mlops_model_tag_count(m), 2);
    const char *k, *v;
    TU_OK(mlops_model_tag_at(m, 0, &k, &v));
    ck_assert_str_eq(k, "domain");
    ck_assert_str_eq(v, "");
    TU_OK(mlops_model_tag_at(m, 1, &k, &v));
    ck_assert_str_eq(k, "team");
    ck_assert_str_eq(v, "nlp");
    TU_RC(MLOPS_EINVAL, mlops_model_tag_at(m, 2, &k, &v));
    ck_assert_str_eq(mlops_model_tag(m, "team"), "nlp");
    ck_assert_ptr_null(mlops_model_tag(m, "other"));
    mlops_model_free(m);
    TU_OK(mlops_model_tag_delete(s, "m", "team", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_tag_delete(s, "m", "team", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_tag_set(s, "nope", "k", "v", NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "m", "", "v", NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "m", "k", NULL, NULL));
    char *big = malloc(MLOPS_REGISTRY_TEXT_MAX + 2);
    memset(big, 'x', MLOPS_REGISTRY_TEXT_MAX + 1);
    big[MLOPS_REGISTRY_TEXT_MAX + 1] = 0;
    TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "m", "k", big, NULL));
    big[MLOPS_REGISTRY_TEXT_MAX] = 0;
    TU_OK(mlops_model_tag_set(s, "m", "k", big, NULL));
    free(big);
    /* create, 3 sets, 1 delete, 1 big set */
    ck_assert_int_eq(rt_audit_count(s), 6);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

static size_t search_count(mlops_store *s, const mlops_model_search_opts *o, const char *first)
{
    mlops_models *l;
    TU_OK(mlops_model_search(s, o, &l));
    size_t n = mlops_models_count(l);
    if (first) {
        ck_assert_uint_gt(n, 0);
        ck_assert_str_eq(mlops_model_name(mlops_models_at(l, 0)), first);
    }
    ck_assert_ptr_null(mlops_models_at(l, n));
    mlops_models_free(l);
    return n;
}

START_TEST(model_search_by_name_and_tags)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "vision/resnet"));
    TU_OK(mlops_model_create(s, "vision/vit"));
    TU_OK(mlops_model_create(s, "nlp/bert"));
    TU_OK(mlops_model_create(s, "Vision/upper"));
    TU_OK(mlops_model_tag_set(s, "vision/vit", "stage", "prod", NULL));
    TU_OK(mlops_model_tag_set(s, "nlp/bert", "stage", "dev", NULL));
    TU_OK(mlops_model_tag_set(s, "nlp/bert", "owner", "ann", NULL));

    ck_assert_uint_eq(search_count(s, NULL, "Vision/upper"), 4);
    mlops_model_search_opts o;
    TU_OK(mlops_model_search_opts_init(&o, MLOPS_MODEL_SEARCH_OPTS_VERSION));
    o.name_glob = "vision/*";
    ck_assert_uint_eq(search_count(s, &o, "vision/resnet"), 2);
    o.name_glob = "*/?ert";
    ck_assert_uint_eq(search_count(s, &o, "nlp/bert"), 1);
    o.name_glob = NULL;
    const char *keys[] = { "stage", "owner" };
    const char *values[] = { "dev", NULL };
    o.tag_keys = keys;
    o.ntags = 1;
    ck_assert_uint_eq(search_count(s, &o, "nlp/bert"), 2); /* any value */
    o.tag_values = values;
    ck_assert_uint_eq(search_count(s, &o, "nlp/bert"), 1);
    o.ntags = 2;
    ck_assert_uint_eq(search_count(s, &o, "nlp/bert"), 1);
    values[0] = "prod";
    ck_assert_uint_eq(search_count(s, &o, NULL), 0);

    /* Deleted models only when asked for. */
    TU_OK(mlops_model_delete(s, "vision/resnet", 0, NULL));
    TU_OK(mlops_model_search_opts_init(&o, MLOPS_MODEL_SEARCH_OPTS_VERSION));
    o.name_glob = "vision/*";
    ck_assert_uint_eq(search_count(s, &o, "vision/vit"), 1);
    o.include_deleted = 1;
    mlops_models *l;
    TU_OK(mlops_model_search(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 2);
    ck_assert_int_gt(mlops_model_deleted_ms(mlops_models_at(l, 0)), 0);
    mlops_models_free(l);

    o.version = 0;
    TU_RC(MLOPS_EINVAL, mlops_model_search(s, &o, &l));
    o.version = MLOPS_MODEL_SEARCH_OPTS_VERSION;
    o.ntags = 1;
    o.tag_keys = NULL;
    TU_RC(MLOPS_EINVAL, mlops_model_search(s, &o, &l));
    TU_RC(MLOPS_EINVAL, mlops_model_search_opts_init(&o, 2));
    rt_close(s, dir);
}
END_TEST

START_TEST(model_rename)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "a"));
    TU_OK(mlops_model_create(s, "b"));
    TU_OK(mlops_model_tag_set(s, "a", "k", "v", NULL));
    TU_RC(MLOPS_EEXIST, mlops_model_rename(s, "a", "b", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_rename(s, "zz", "c", NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_rename(s, "a", "c@d", NULL));
    int64_t n = rt_audit_count(s);
    TU_OK(mlops_model_rename(s, "a", "a", NULL)); /* no change */
    ck_assert_int_eq(rt_audit_count(s), n);
    TU_OK(mlops_model_rename(s, "a", "c", NULL));
    ck_assert_int_eq(rt_audit_count(s), n + 1);
    mlops_model *m;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_get(s, "a", &m));
    TU_OK(mlops_model_get(s, "c", &m));
    ck_assert_str_eq(mlops_model_tag(m, "k"), "v");
    mlops_model_free(m);
    TU_OK(mlops_model_create(s, "a")); /* the old name is free again */
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(model_delete_without_versions)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    TU_OK(mlops_model_tag_set(s, "m", "k", "v", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_delete(s, "zz", 0, NULL));
    TU_OK(mlops_model_delete(s, "m", 0, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_delete(s, "m", 0, NULL));
    mlops_model *m;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_get(s, "m", &m));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_tag_set(s, "m", "k", "w", NULL));
    /* The row is kept; the name can be used again by a new model. */
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_models WHERE deleted_ms > 0"), 1);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_model_tags"), 1);
    TU_OK(mlops_model_create(s, "m"));
    TU_OK(mlops_model_get(s, "m", &m));
    ck_assert_uint_eq(mlops_model_tag_count(m), 0);
    mlops_model_free(m);

    /* History of the name now belongs to the new model... */
    mlops_audit_events *l;
    TU_OK(mlops_audit_model_events(s, "m", &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 1);
    mlops_audit_events_free(l);
    /* ...and the old model's history is whole in the log. */
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events WHERE model_id = 1"), 3);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events WHERE model_id = 1 "
                                    "AND action = 'model.delete'"),
                     1);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(alias_names_are_checked)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    int64_t v;
    static const char *const bad[] = { "", "a b", "champ!", "ü", "a.b", "a/b", "a@b" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TU_RC(MLOPS_EINVAL, mlops_model_alias_get(s, "m", bad[i], &v));
        TU_RC(MLOPS_EINVAL, mlops_model_alias_set(s, "m", bad[i], 1));
        TU_RC(MLOPS_EINVAL, mlops_model_alias_delete(s, "m", bad[i], NULL));
    }
    char long_alias[300];
    memset(long_alias, 'a', sizeof long_alias);
    long_alias[256] = 0;
    TU_RC(MLOPS_EINVAL, mlops_model_alias_get(s, "m", long_alias, &v));
    long_alias[255] = 0;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "m", long_alias, &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "m", "Champion_2-b", &v));
    /* Reserved: resolvable, never settable or removable. */
    static const char *const reserved[] = { "latest", "LATEST", "Latest", "v1", "V12", "v007" };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        TU_RC(MLOPS_EINVAL, mlops_model_alias_set(s, "m", reserved[i], 1));
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "reserved"));
        TU_RC(MLOPS_EINVAL, mlops_model_alias_delete(s, "m", reserved[i], NULL));
        TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "m", reserved[i], &v));
    }
    /* Not reserved: "v", "v1a", "latest2". */
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_set(s, "m", "v", 1));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_set(s, "m", "v1a", 1));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_set(s, "m", "latest2", 1));
    ck_assert_int_eq(rt_audit_count(s), 1);
    rt_close(s, dir);
}
END_TEST

START_TEST(resolve_refs_are_parsed)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    int64_t v;
    mlops_digest d;
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "m", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "m/", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "m/0", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "m/1x", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "m@", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "@a", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, "m@a b", &v, &d));
    TU_RC(MLOPS_EINVAL, mlops_model_resolve(s, NULL, &v, &d));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(s, "m@champion", &v, &d));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(s, "org/m/3", &v, &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'org/m'"));
    rt_close(s, dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, model_create_get_and_describe);
    tcase_add_test(tc, model_names_are_checked);
    tcase_add_test(tc, model_tags);
    tcase_add_test(tc, model_search_by_name_and_tags);
    tcase_add_test(tc, model_rename);
    tcase_add_test(tc, model_delete_without_versions);
    tcase_add_test(tc, alias_names_are_checked);
    tcase_add_test(tc, resolve_refs_are_parsed);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
