/* The model registry: models, versions, aliases, resolution, lineage,
 * concurrency and bad input. Audit and signing have their own suites. */
#include "registry_helpers.h"

#include "cas/cas_internal.h"
#include "db/sqlite/like.h"
#include "registry/registry_internal.h"

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

/* Name patterns as SQLite's GLOB reads them, on every backend (PostgreSQL
 * narrows with LIKE and matches in C): sets, negated sets, ranges, the
 * ']' and '-' rules, LIKE's own wildcards as literals, UTF-8 characters,
 * and unclosed sets, which match nothing. */
START_TEST(model_search_name_patterns)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    const char *names[] = { "vision/resnet", "vision/vit", "nlp/bert", "Vision/upper", "a%b",
                            "a_b",           "a\\b",      "x]y",      "\xc3\xa9m/1", "-dash" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        TU_OK(mlops_model_create(s, names[i]));
    static const char *const cases[][2] = {
        { "[vn]*", "nlp/bert,vision/resnet,vision/vit" },
        { "[^v]*", "-dash,Vision/upper,a%b,a\\b,a_b,nlp/bert,x]y,\xc3\xa9m/1" },
        { "[^a-z]*", "-dash,Vision/upper,\xc3\xa9m/1" },
        { "[a-c]*", "a%b,a\\b,a_b" },
        { "[]-a]*", "-dash,a%b,a\\b,a_b" },
        { "[a-]*", "-dash,a%b,a\\b,a_b" },
        { "a%b", "a%b" },
        { "a_b", "a_b" },
        { "*_*", "a_b" },
        { "a%*", "a%b" },
        { "a\\b", "a\\b" },
        { "x[]]y", "x]y" },
        { "?m/1", "\xc3\xa9m/1" },
        { "[\xc3\xa9]m/1", "\xc3\xa9m/1" },
        { "*/?e*", "nlp/bert,vision/resnet" },
        { "*[", "" },
        { "[]", "" },
        { "[z-a]*", "" },
        { "vision/*[", "" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        mlops_model_search_ex_opts o = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
        o.name_glob = cases[c][0];
        mlops_models *l;
        TU_OK(mlops_model_search_ex(s, &o, &l));
        char got[512] = "";
        for (size_t i = 0; i < mlops_models_count(l); i++) {
            if (i) strcat(got, ",");
            strcat(got, mlops_model_name(mlops_models_at(l, i)));
        }
        mlops_models_free(l);
        ck_assert_msg(!strcmp(got, cases[c][1]), "%s: got [%s], want [%s]", cases[c][0], got,
                      cases[c][1]);
    }
    /* a pattern longer than SQLite's GLOB takes (50,000 bytes) works too */
    size_t stars = MLOPS_REGISTRY_TEXT_MAX - 3;
    char *longest = malloc(stars + 4);
    ck_assert_ptr_nonnull(longest);
    memset(longest, '*', stars);
    memcpy(longest + stars, "vit", 4);
    mlops_model_search_ex_opts o = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    o.name_glob = longest;
    mlops_models *l;
    TU_OK(mlops_model_search_ex(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 1);
    ck_assert_str_eq(mlops_model_name(mlops_models_at(l, 0)), "vision/vit");
    mlops_models_free(l);
    free(longest);
    rt_close(s, dir);
}
END_TEST

/* Checks name against glob with mlops__reg_glob_match and the LIKE
 * pattern of mlops__reg_glob_like, against SQLite's GLOB (st: "SELECT ?2
 * GLOB ?1"); returns whether it matches. */
static int check_glob(sqlite3_stmt *st, const char *glob, const char *name)
{
    sqlite3_bind_text(st, 1, glob, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int want = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    ck_assert_msg(mlops__reg_glob_match(glob, name) == want, "'%s' GLOB '%s' is %d", name, glob,
                  want);
    /* LIKE as PostgreSQL's on a COLLATE "C" column: case-sensitive, '\' escapes */
    mlops__buf like = MLOPS__BUF_INIT;
    mlops__reg_glob_like(glob, &like);
    ck_assert(!like.failed);
    int got = mlops__like_match(mlops__buf_str(&like), like.len, name, strlen(name), 0);
    if (want || !strchr(glob, '['))
        ck_assert_msg(got == want, "'%s' LIKE '%s' (from '%s')", name, mlops__buf_str(&like),
                      glob);
    mlops__buf_free(&like);
    return want;
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* The matcher PostgreSQL's model search relies on gives SQLite's GLOB
 * answer, and the LIKE pattern that narrows the names first never loses a
 * match (and is exact without sets): the rules' corner cases, then random
 * patterns (with well-formed sets among them) and names. */
START_TEST(name_glob_matches_sqlite_glob)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT ?2 GLOB ?1", -1, &st, NULL), SQLITE_OK);
    static const char *const corners[][2] = {
        { "[a-b-c]", "-" }, { "[a-b-c]", "c" },   { "[a-b-c]", "b" },  { "[]-a]", "]" },
        { "[]-a]", "-" },   { "[]-a]", "b" },     { "[^]]", "]" },     { "[^]-]", "-" },
        { "[-a]", "-" },    { "[a-]", "-" },      { "[z-a]", "m" },    { "[]]", "]" },
        { "[]", "]" },      { "*[", "a" },        { "[^", "a" },       { "[^a", "b" },
        { "[^]", "a" },     { "[^]]", "a" },      { "a*b*c", "aXbYc" },
        { "*a*", "\xc3\xa9" "a" },
        { "[a-\xc3\xa9]", "z" }, { "[a-\xc3\xa9]", "\xc3\xa9" }, { "[a-\xc3\xa9]", "\xc3\xaa" },
        { "?", "\xc3\xa9" }, { "??", "\xc3\xa9" }, { "*?*?", "\xc3\xa9" }, { "a\\b", "a\\b" },
        { "%", "%" },       { "_", "x" },         { "*]", "]" },       { "[[]", "[" },
    };
    for (size_t i = 0; i < sizeof corners / sizeof *corners; i++)
        check_glob(st, corners[i][0], corners[i][1]);
    static const char *const atoms[] = { "*", "?", "[", "]", "^", "-", "a", "b", "c", "z",
                                         "%", "_", "\\", "\xc3\xa9" };
    static const char *const members[] = { "a", "b", "c", "z", "-", "^", "[", "\xc3\xa9" };
    static const char *const letters[] = { "a", "b", "c", "z", "]", "-", "^", "%", "_",
                                           "\\", "[", "\xc3\xa9" };
    uint64_t x = 0x9e3779b97f4a7c15u;
    int matches = 0;
    /* A tenth under the sanitizers and valgrind, where each round costs
     * hundreds of times more. */
    int rounds = getenv("MLOPS_TEST_SMALL") ? 20000 : 200000;
    for (int round = 0; round < rounds; round++) {
        char glob[128] = "", name[64] = "";
        int gl = (int)(xorshift(&x) % 8), nl = (int)(xorshift(&x) % 7);
        for (int i = 0; i < gl; i++) {
            uint64_t r = xorshift(&x);
            if (r % 17 < 14) {
                strcat(glob, atoms[r % 17]);
                continue;
            }
            strcat(glob, (r >> 8) % 3 ? "[" : "[^"); /* a closed set */
            if ((r >> 12) % 4 == 0) strcat(glob, "]");
            for (int m = (int)((r >> 16) % 5); m > 0; m--)
                strcat(glob, members[xorshift(&x) % 8]);
            strcat(glob, "]");
        }
        for (int i = 0; i < nl; i++) strcat(name, letters[xorshift(&x) % 12]);
        matches += check_glob(st, glob, name);
    }
    ck_assert_int_gt(matches, rounds / 200); /* not a test of empty patterns only */
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

/* The 1.1 search: the same filters, deleted models by lifecycle, keys up
 * to MLOPS_KEY_MAX. */
START_TEST(model_search_ex_by_lifecycle)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "vision/resnet"));
    TU_OK(mlops_model_create(s, "vision/vit"));
    TU_OK(mlops_model_create(s, "nlp/bert"));
    TU_OK(mlops_model_tag_set(s, "vision/vit", "stage", "prod", NULL));
    TU_OK(mlops_model_tag_set(s, "nlp/bert", "stage", "dev", NULL));
    TU_OK(mlops_model_delete(s, "vision/resnet", 0, NULL));

    mlops_models *l = NULL;
    TU_OK(mlops_model_search_ex(s, NULL, &l)); /* NULL: every active model */
    ck_assert_uint_eq(mlops_models_count(l), 2);
    ck_assert_str_eq(mlops_model_name(mlops_models_at(l, 0)), "nlp/bert");
    mlops_models_free(l);

    mlops_model_search_ex_opts o = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    o.name_glob = "vision/*";
    TU_OK(mlops_model_search_ex(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 1);
    ck_assert_str_eq(mlops_model_name(mlops_models_at(l, 0)), "vision/vit");
    mlops_models_free(l);
    o.lifecycle = MLOPS_LIFECYCLE_DELETED;
    TU_OK(mlops_model_search_ex(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 1);
    ck_assert_str_eq(mlops_model_name(mlops_models_at(l, 0)), "vision/resnet");
    ck_assert_int_gt(mlops_model_deleted_ms(mlops_models_at(l, 0)), 0);
    mlops_models_free(l);
    o.lifecycle = MLOPS_LIFECYCLE_ALL;
    TU_OK(mlops_model_search_ex(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 2);
    mlops_models_free(l);

    o.name_glob = NULL;
    o.lifecycle = MLOPS_LIFECYCLE_ACTIVE;
    const char *keys[] = { "stage" };
    const char *values[] = { "prod" };
    o.tag_keys = keys;
    o.tag_values = values;
    o.ntags = 1;
    TU_OK(mlops_model_search_ex(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 1);
    ck_assert_str_eq(mlops_model_name(mlops_models_at(l, 0)), "vision/vit");
    mlops_models_free(l);

    /* Keys: MLOPS_KEY_MAX here, MLOPS_REGISTRY_NAME_MAX in the 1.0 search. */
    char key[MLOPS_REGISTRY_NAME_MAX + 1];
    memset(key, 'k', sizeof key - 1);
    key[MLOPS_KEY_MAX + 1] = '\0';
    keys[0] = key;
    o.tag_values = NULL;
    l = (mlops_models *)&o;
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex(s, &o, &l));
    ck_assert_ptr_null(l);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_search_ex: "));
    key[MLOPS_KEY_MAX] = '\0';
    TU_OK(mlops_model_search_ex(s, &o, &l));
    ck_assert_uint_eq(mlops_models_count(l), 0);
    mlops_models_free(l);
    mlops_model_search_opts o10 = MLOPS_MODEL_SEARCH_OPTS_INIT;
    o10.tag_keys = keys;
    o10.ntags = 1;
    key[MLOPS_REGISTRY_NAME_MAX] = '\0';
    memset(key, 'k', MLOPS_REGISTRY_NAME_MAX);
    TU_OK(mlops_model_search(s, &o10, &l));
    mlops_models_free(l);

    o.ntags = 0;
    o.lifecycle = 3;
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex(s, &o, &l));
    ck_assert_str_eq(mlops_last_error(), "mlops_model_search_ex: unknown lifecycle 3");
    o.lifecycle = 0;
    o.version = 2;
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex(s, &o, &l));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_search_ex_opts_init"));
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex(NULL, NULL, &l));
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex(s, NULL, NULL));

    mlops_model_search_ex_opts init;
    memset(&init, 0xff, sizeof init);
    TU_OK(mlops_model_search_ex_opts_init(&init, MLOPS_MODEL_SEARCH_EX_OPTS_VERSION));
    ck_assert_uint_eq(init.version, MLOPS_MODEL_SEARCH_EX_OPTS_VERSION);
    ck_assert_ptr_null(init.name_glob);
    ck_assert_uint_eq(init.ntags, 0);
    ck_assert_int_eq(init.lifecycle, MLOPS_LIFECYCLE_ACTIVE);
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex_opts_init(&init, 0));
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex_opts_init(&init, 2));
    TU_RC(MLOPS_EINVAL, mlops_model_search_ex_opts_init(NULL, 1));
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

/* ---- Versions ---------------------------------------------------------- */

START_TEST(version_create_and_get)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "weights v1"), b = rt_put(s, "weights v2");
    int64_t v = 0;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    ck_assert_int_eq(v, 1);
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.actor = tu_actor("ci");
    TU_OK(mlops_model_version_create_ex(s, "m", &b, NULL, "second try", &ch, &v));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v)); /* same artifact again is fine */
    ck_assert_int_eq(v, 3);

    mlops_model_version *mv;
    TU_OK(mlops_model_version_get(s, "m", 2, &mv));
    ck_assert_str_eq(mlops_model_version_model(mv), "m");
    ck_assert_int_eq(mlops_model_version_number(mv), 2);
    ck_assert_mem_eq(mlops_model_version_artifact(mv)->bytes, b.bytes, 32);
    ck_assert_ptr_null(mlops_model_version_run_id(mv));
    ck_assert_str_eq(mlops_model_version_description(mv), "second try");
    ck_assert_str_eq(mlops_model_version_creator(mv), tu_actor("ci"));
    ck_assert_int_eq(mlops_model_version_status(mv), MLOPS_VERSION_READY);
    ck_assert_int_gt(mlops_model_version_created_ms(mv), 1600000000000LL);
    ck_assert_int_eq(mlops_model_version_deleted_ms(mv), 0);
    ck_assert_uint_eq(mlops_model_version_signature_count(mv), 0);
    mlops_model_version_free(mv);

    mlops_model_versions *l;
    TU_OK(mlops_model_version_list(s, "m", 0, &l));
    ck_assert_uint_eq(mlops_model_versions_count(l), 3);
    ck_assert_int_eq(mlops_model_version_number(mlops_model_versions_at(l, 2)), 3);
    ck_assert_ptr_null(mlops_model_versions_at(l, 3));
    mlops_model_versions_free(l);

    mlops_model *m;
    TU_OK(mlops_model_get(s, "m", &m));
    ck_assert_int_eq(mlops_model_max_version(m), 3);
    mlops_model_free(m);

    /* Events: version.create carries the digest; a description its own event. */
    mlops_audit_events *ev;
    TU_OK(mlops_audit_model_events(s, "m", &ev));
    ck_assert_uint_eq(mlops_audit_events_count(ev), 5);
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(ev, 1, &e));
    ck_assert_str_eq(e.action, "version.create");
    ck_assert_int_eq(e.model_version, 1);
    char text[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&a, text));
    ck_assert_str_eq(e.new_value, text);
    TU_OK(mlops_audit_events_get(ev, 3, &e));
    ck_assert_str_eq(e.action, "version.describe");
    ck_assert_str_eq(e.actor, tu_actor("ci"));
    mlops_audit_events_free(ev);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(version_from_a_run)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    int64_t exp;
    TU_OK(mlops_experiment_create(s, "exp", &exp));
    mlops_run *run;
    TU_OK(mlops_run_start(s, exp, "train", &run));
    char run_id[64];
    snprintf(run_id, sizeof run_id, "%s", mlops_run_id(run));
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    mlops_run_free(run);

    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "w");
    int64_t v;
    TU_RC(MLOPS_EINVAL, mlops_model_version_create(s, "m", &a, "not-a-run-id", &v));
    TU_OK(mlops_model_version_create(s, "m", &a, run_id, &v));
    mlops_model_version *mv;
    TU_OK(mlops_model_version_get(s, "m", v, &mv));
    ck_assert_str_eq(mlops_model_version_run_id(mv), run_id);
    mlops_model_version_free(mv);
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, rt_audit_count(s) - 1, 1, &l));
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &e));
    char want[200], text[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&a, text));
    snprintf(want, sizeof want, "%s run:%s", text, run_id);
    ck_assert_str_eq(e.new_value, want);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(s));
    /* The run's id is in the signing manifest. */
    void *data;
    size_t len;
    TU_OK(mlops_model_version_manifest(s, "m", v, &data, &len));
    ck_assert_ptr_nonnull(memmem(data, len, run_id, strlen(run_id)));
    mlops_free(data);
    rt_close(s, dir);
}
END_TEST

START_TEST(version_create_bad_input_writes_nothing)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "weights"), missing;
    TU_OK(mlops_digest_compute("not stored", 10, &missing));
    int64_t v = 77;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_create(s, "m", &missing, NULL, &v));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not in the store"));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_create(s, "nope", &a, NULL, &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_create(s, "m", &a,
                                                      "0123456789abcdef0123456789abcdef", &v));
    TU_RC(MLOPS_EINVAL, mlops_model_version_create(s, "m", NULL, NULL, &v));
    TU_RC(MLOPS_EINVAL, mlops_model_version_create(s, "m", &a, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_version_create(s, "m", &a, "", &v));
    TU_RC(MLOPS_EINVAL, mlops_model_version_create(s, NULL, &a, NULL, &v));
    TU_RC(MLOPS_EINVAL, mlops_model_version_create_ex(s, "m", &a, NULL, "\xc3(", NULL, &v));
    ck_assert_int_eq(v, 77);
    ck_assert_int_eq(rt_audit_count(s), 1);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_versions"), 0);
    /* The failures consumed no number. */
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    ck_assert_int_eq(v, 1);

    mlops_model_version *mv;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_get(s, "m", 2, &mv));
    TU_RC(MLOPS_EINVAL, mlops_model_version_get(s, "m", 0, &mv));
    TU_RC(MLOPS_EINVAL, mlops_model_version_get(s, "m", -1, &mv));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_get(s, "x", 1, &mv));
    ck_assert_ptr_null(mv);
    rt_close(s, dir);
}
END_TEST

START_TEST(version_update_and_tags)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "w");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    int64_t n0 = rt_audit_count(s);
    TU_OK(mlops_model_version_set_description(s, "m", 1, "tuned", NULL));
    TU_OK(mlops_model_version_set_description(s, "m", 1, "tuned", NULL));
    TU_OK(mlops_model_version_set_status(s, "m", 1, MLOPS_VERSION_ARCHIVED, NULL));
    TU_OK(mlops_model_version_set_status(s, "m", 1, MLOPS_VERSION_ARCHIVED, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_version_set_status(s, "m", 1, 2, NULL));
    TU_OK(mlops_model_version_tag_set(s, "m", 1, "auc", "0.91", NULL));
    TU_OK(mlops_model_version_tag_set(s, "m", 1, "data", "2026-11", NULL));
    TU_OK(mlops_model_version_tag_delete(s, "m", 1, "data", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_tag_delete(s, "m", 1, "data", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_tag_set(s, "m", 9, "k", "v", NULL));
    ck_assert_int_eq(rt_audit_count(s), n0 + 5);
    mlops_model_version *mv;
    TU_OK(mlops_model_version_get(s, "m", 1, &mv));
    ck_assert_str_eq(mlops_model_version_description(mv), "tuned");
    ck_assert_int_eq(mlops_model_version_status(mv), MLOPS_VERSION_ARCHIVED);
    ck_assert_uint_eq(mlops_model_version_tag_count(mv), 1);
    const char *k, *val;
    TU_OK(mlops_model_version_tag_at(mv, 0, &k, &val));
    ck_assert_str_eq(k, "auc");
    ck_assert_str_eq(val, "0.91");
    ck_assert_str_eq(mlops_model_version_tag(mv, "auc"), "0.91");
    ck_assert_int_ge(mlops_model_version_updated_ms(mv), mlops_model_version_created_ms(mv));
    mlops_model_version_free(mv);

    mlops_audit_events *ev;
    TU_OK(mlops_audit_list(s, n0 + 1, 1, &ev));
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(ev, 0, &e));
    ck_assert_str_eq(e.action, "version.status");
    ck_assert_str_eq(e.old_value, "ready");
    ck_assert_str_eq(e.new_value, "archived");
    mlops_audit_events_free(ev);
    /* Archived versions can still be aliased and resolved. */
    TU_OK(mlops_model_alias_set(s, "m", "old", 1));
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(version_delete_keeps_the_row)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "one"), b = rt_put(s, "two");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    TU_OK(mlops_model_alias_set(s, "m", "champion", 2));
    TU_OK(mlops_model_alias_set(s, "m", "backup", 2));
    TU_OK(mlops_model_alias_set(s, "m", "first", 1));
    TU_OK(mlops_model_alias_get(s, "m", "latest", &v));
    ck_assert_int_eq(v, 2);

    TU_OK(mlops_model_version_delete(s, "m", 2, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_delete(s, "m", 2, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_set_description(s, "m", 2, "x", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_set(s, "m", "champion", 2));
    /* Aliases on it are gone (each recorded); others stay. */
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "m", "champion", &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "m", "backup", &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "m", "v2", &v));
    TU_OK(mlops_model_alias_get(s, "m", "first", &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_model_alias_get(s, "m", "latest", &v));
    ck_assert_int_eq(v, 1);
    mlops_digest d;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(s, "m/2", &v, &d));

    /* Nothing is redacted. */
    mlops_model_version *mv;
    TU_OK(mlops_model_version_get(s, "m", 2, &mv));
    ck_assert_int_gt(mlops_model_version_deleted_ms(mv), 0);
    ck_assert_mem_eq(mlops_model_version_artifact(mv)->bytes, b.bytes, 32);
    mlops_model_version_free(mv);
    mlops_model_versions *l;
    TU_OK(mlops_model_version_list(s, "m", 0, &l));
    ck_assert_uint_eq(mlops_model_versions_count(l), 1);
    mlops_model_versions_free(l);
    TU_OK(mlops_model_version_list(s, "m", 1, &l));
    ck_assert_uint_eq(mlops_model_versions_count(l), 2);
    mlops_model_versions_free(l);

    /* The 1.1 list filters by lifecycle. */
    TU_OK(mlops_model_version_list_ex(s, "m", MLOPS_LIFECYCLE_ACTIVE, &l));
    ck_assert_uint_eq(mlops_model_versions_count(l), 1);
    ck_assert_int_eq(mlops_model_version_number(mlops_model_versions_at(l, 0)), 1);
    mlops_model_versions_free(l);
    TU_OK(mlops_model_version_list_ex(s, "m", MLOPS_LIFECYCLE_DELETED, &l));
    ck_assert_uint_eq(mlops_model_versions_count(l), 1);
    ck_assert_int_eq(mlops_model_version_number(mlops_model_versions_at(l, 0)), 2);
    mlops_model_versions_free(l);
    TU_OK(mlops_model_version_list_ex(s, "m", MLOPS_LIFECYCLE_ALL, &l));
    ck_assert_uint_eq(mlops_model_versions_count(l), 2);
    mlops_model_versions_free(l);
    TU_RC(MLOPS_EINVAL, mlops_model_version_list_ex(s, "m", 3, &l));
    ck_assert_ptr_null(l);
    ck_assert_str_eq(mlops_last_error(), "mlops_model_version_list_ex: unknown lifecycle 3");
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_list_ex(s, "nope", 0, &l));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_version_list_ex: "));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_list(s, "nope", 0, &l));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_version_list: "));

    /* Numbers are never reused. */
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events WHERE action = "
                                    "'alias.delete'"),
                     2);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(version_artifacts_are_gc_roots_until_deleted)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "kept"), b = rt_put(s, "dropped");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    TU_OK(mlops_model_version_delete(s, "m", 2, NULL));
    mlops_store_close(s);

    /* Run every root query the store's gc runs, as it runs them. */
    const char *const *queries;
    size_t nq = mlops__cas_gc_root_queries(&queries);
    tu_db *db = tu_db_open(dir);
    mlops__conn *c = tu_db_conn(db);
    int seen_a = 0, seen_b = 0;
    for (size_t i = 0; i < nq; i++) {
        mlops__stmt *st = NULL;
        TU_OK(mlops__conn_prepare(c, queries[i], &st));
        while (mlops__step(st) == MLOPS__ROW) {
            if (mlops__col_bytes(st, 0) != 32) continue;
            const void *p = mlops__col_blob(st, 0);
            if (!memcmp(p, a.bytes, 32)) seen_a = 1;
            if (!memcmp(p, b.bytes, 32)) seen_b = 1;
        }
        mlops__stmt_finalize(st);
    }
    tu_db_close(db);
    ck_assert(seen_a);
    ck_assert(!seen_b);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(model_delete_with_versions)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "w");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_delete(s, "m", 1, NULL));
    TU_OK(mlops_model_alias_set(s, "m", "champion", 2));
    int64_t n0 = rt_audit_count(s);
    TU_RC(MLOPS_ECONFLICT, mlops_model_delete(s, "m", 0, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "1 version"));
    ck_assert_int_eq(rt_audit_count(s), n0);

    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.reason = "retired";
    TU_OK(mlops_model_delete(s, "m", 1, &ch));
    /* alias.delete, version.delete, model.delete */
    ck_assert_int_eq(rt_audit_count(s), n0 + 3);
    mlops_audit_events *l;
    TU_OK(mlops_audit_model_events(s, "m", &l));
    size_t n = mlops_audit_events_count(l);
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, n - 3, &e));
    ck_assert_str_eq(e.action, "alias.delete");
    TU_OK(mlops_audit_events_get(l, n - 2, &e));
    ck_assert_str_eq(e.action, "version.delete");
    ck_assert_int_eq(e.model_version, 2);
    TU_OK(mlops_audit_events_get(l, n - 1, &e));
    ck_assert_str_eq(e.action, "model.delete");
    ck_assert_str_eq(e.reason, "retired");
    mlops_audit_events_free(l);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_versions WHERE deleted_ms IS NULL"),
                     0);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_versions"), 2);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_aliases"), 0);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

/* ---- Aliases ----------------------------------------------------------- */

START_TEST(alias_set_move_delete_and_resolve)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "team/churn"));
    mlops_digest a = rt_put(s, "one"), b = rt_put(s, "two");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "team/churn", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "team/churn", &b, NULL, &v));
    int64_t n0 = rt_audit_count(s);
    TU_OK(mlops_model_alias_set(s, "team/churn", "champion", 1));
    TU_OK(mlops_model_alias_set(s, "team/churn", "champion", 1)); /* no change */
    TU_OK(mlops_model_alias_set(s, "team/churn", "challenger", 2));
    TU_OK(mlops_model_alias_set(s, "team/churn", "champion", 2)); /* move */
    ck_assert_int_eq(rt_audit_count(s), n0 + 3);

    TU_OK(mlops_model_alias_get(s, "team/churn", "champion", &v));
    ck_assert_int_eq(v, 2);
    mlops_digest d;
    TU_OK(mlops_model_resolve(s, "team/churn@champion", &v, &d));
    ck_assert_int_eq(v, 2);
    ck_assert_mem_eq(d.bytes, b.bytes, 32);
    TU_OK(mlops_model_resolve(s, "team/churn/1", &v, &d));
    ck_assert_int_eq(v, 1);
    ck_assert_mem_eq(d.bytes, a.bytes, 32);
    TU_OK(mlops_model_resolve(s, "team/churn@latest", &v, NULL));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_model_resolve(s, "team/churn@v1", NULL, &d));
    ck_assert_mem_eq(d.bytes, a.bytes, 32);
    TU_OK(mlops_model_alias_get(s, "team/churn", "V2", &v));
    ck_assert_int_eq(v, 2);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "team/churn", "v3", &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "team/churn", "v99999999999999999999", &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(s, "team/churn/3", &v, &d));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_set(s, "team/churn", "x", 3));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_set(s, "team/churn", "x", 0));

    mlops_model *m;
    TU_OK(mlops_model_get(s, "team/churn", &m));
    ck_assert_uint_eq(mlops_model_alias_count(m), 2);
    const char *name;
    TU_OK(mlops_model_alias_at(m, 0, &name, &v));
    ck_assert_str_eq(name, "challenger");
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_model_alias_at(m, 1, &name, &v));
    ck_assert_str_eq(name, "champion");
    TU_RC(MLOPS_EINVAL, mlops_model_alias_at(m, 2, &name, &v));
    mlops_model_free(m);

    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, n0, 0, &l));
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &e));
    ck_assert_str_eq(e.action, "alias.set");
    ck_assert_str_eq(e.key, "champion");
    ck_assert_ptr_null(e.old_value);
    ck_assert_str_eq(e.new_value, "1");
    TU_OK(mlops_audit_events_get(l, 2, &e));
    ck_assert_str_eq(e.action, "alias.move");
    ck_assert_str_eq(e.old_value, "1");
    ck_assert_str_eq(e.new_value, "2");
    mlops_audit_events_free(l);

    TU_OK(mlops_model_alias_delete(s, "team/churn", "champion", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_delete(s, "team/churn", "champion", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "team/churn", "champion", &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(s, "team/churn@champion", &v, &d));
    ck_assert_int_eq(rt_audit_count(s), n0 + 4);

    /* "latest" of a model without versions. */
    TU_OK(mlops_model_create(s, "empty"));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(s, "empty", "latest", &v));
    /* A renamed model keeps its aliases. */
    TU_OK(mlops_model_rename(s, "team/churn", "churn", NULL));
    TU_OK(mlops_model_resolve(s, "churn@challenger", &v, &d));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

/* Readers racing with a writer that moves an alias back and forth always
 * see one of the two targets, never neither. */
struct mover {
    mlops_store *s;
    volatile int stop;
    int errors;
};

static void *reader_thread(void *arg)
{
    struct mover *m = arg;
    while (!m->stop) {
        int64_t v = 0;
        mlops_digest d;
        if (mlops_model_resolve(m->s, "m@champion", &v, &d) != MLOPS_OK || (v != 1 && v != 2))
            m->errors++;
    }
    return NULL;
}

START_TEST(alias_moves_are_atomic_for_readers)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "a"), b = rt_put(s, "b");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    TU_OK(mlops_model_alias_set(s, "m", "champion", 1));
    struct mover m = { s, 0, 0 };
    pthread_t th;
    pthread_create(&th, NULL, reader_thread, &m);
    for (int i = 0; i < 200; i++) TU_OK(mlops_model_alias_set(s, "m", "champion", 1 + (i % 2 == 0)));
    m.stop = 1;
    pthread_join(th, NULL);
    ck_assert_int_eq(m.errors, 0);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

/* ---- Lineage ----------------------------------------------------------- */

/* A finished run that read two datasets (one twice, under two names),
 * logged params and metrics, and wrote the model. */
static void make_run(mlops_store *s, mlops_digest *train, mlops_digest *eval,
                     mlops_digest *model, char run_id[64])
{
    int64_t exp;
    TU_OK(mlops_experiment_create(s, "exp", &exp));
    mlops_run *run;
    TU_OK(mlops_run_start(s, exp, "train", &run));
    snprintf(run_id, 64, "%s", mlops_run_id(run));
    *train = rt_put(s, "train.csv contents");
    *eval = rt_put(s, "eval.csv contents");
    *model = rt_put(s, "model weights");
    TU_OK(mlops_run_log_input(run, train, "train.csv", "dataset"));
    TU_OK(mlops_run_log_input(run, eval, "eval.csv", "dataset"));
    TU_OK(mlops_run_log_input(run, train, "train-copy.csv", "dataset"));
    TU_OK(mlops_run_log_output(run, model, "model", "model"));
    TU_OK(mlops_run_log_param(run, "lr", "0.01"));
    TU_OK(mlops_run_log_param(run, "depth", "6"));
    TU_OK(mlops_run_log_metric(run, "auc", 0.80, 1, 1000));
    TU_OK(mlops_run_log_metric(run, "auc", 0.91, 2, 2000));
    TU_OK(mlops_run_log_metric(run, "auc", 0.88, 3, 3000));
    TU_OK(mlops_run_end(run, MLOPS_RUN_FINISHED));
    mlops_run_free(run);
}

START_TEST(lineage_of_a_version)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    mlops_digest train, eval, weights;
    char run_id[64];
    make_run(s, &train, &eval, &weights, run_id);
    TU_OK(mlops_model_create(s, "m"));
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &weights, run_id, &v));
    TU_OK(mlops_model_version_create(s, "m", &weights, NULL, &v));

    mlops_version_lineage *l;
    TU_OK(mlops_model_version_lineage(s, "m", 1, &l));
    ck_assert_int_eq(mlops_version_lineage_version(l), 1);
    ck_assert_mem_eq(mlops_version_lineage_artifact(l)->bytes, weights.bytes, 32);
    const mlops_run_info *ri = mlops_version_lineage_run(l);
    ck_assert_ptr_nonnull(ri);
    ck_assert_str_eq(mlops_run_info_id(ri), run_id);
    ck_assert_int_eq(mlops_run_info_status(ri), MLOPS_RUN_FINISHED);
    size_t n;
    const mlops_kv *params = mlops_run_info_params(ri, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(params[0].key, "depth");
    ck_assert_str_eq(params[1].value, "0.01");
    const mlops_metric_summary *ms = mlops_run_info_metrics(ri, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(ms[0].key, "auc");
    ck_assert(ms[0].last == 0.88);
    ck_assert(ms[0].min == 0.80);
    ck_assert(ms[0].max == 0.91);
    ck_assert_int_eq(ms[0].count, 3);
    const mlops_lineage_edge *in = mlops_version_lineage_inputs(l, &n);
    ck_assert_uint_eq(n, 3); /* the output is not an input */
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(in[i].direction, MLOPS_LINEAGE_INPUT);
        ck_assert(!memcmp(in[i].digest.bytes, train.bytes, 32) ||
                  !memcmp(in[i].digest.bytes, eval.bytes, 32));
    }
    ck_assert_str_eq(in[0].name, "eval.csv");
    mlops_version_lineage_free(l);

    /* Without a run: no run, no inputs. */
    TU_OK(mlops_model_version_lineage(s, "m", 2, &l));
    ck_assert_ptr_null(mlops_version_lineage_run(l));
    ck_assert_ptr_null(mlops_version_lineage_inputs(l, &n));
    ck_assert_uint_eq(n, 0);
    mlops_version_lineage_free(l);

    /* Deleted versions keep their lineage. */
    TU_OK(mlops_model_version_delete(s, "m", 1, NULL));
    TU_OK(mlops_model_version_lineage(s, "m", 1, &l));
    ck_assert_ptr_nonnull(mlops_version_lineage_run(l));
    mlops_version_lineage_free(l);

    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_lineage(s, "m", 3, &l));
    ck_assert_ptr_null(l);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_version_lineage(s, "zz", 1, &l));
    TU_RC(MLOPS_EINVAL, mlops_model_version_lineage(s, "m", 0, &l));
    TU_RC(MLOPS_EINVAL, mlops_model_version_lineage(s, "m", 1, NULL));
    mlops_version_lineage_free(NULL);
    rt_close(s, dir);
}
END_TEST

/* ---- Concurrency ------------------------------------------------------- */

#define NPROC 4
#define PER_PROC 25

START_TEST(processes_get_consecutive_version_numbers)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "shared"));
    mlops_digest a = rt_put(s, "artifact");
    mlops_store_close(s);

    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pids[NPROC];
    for (int p = 0; p < NPROC; p++) {
        pids[p] = fork();
        ck_assert_int_ge(pids[p], 0);
        if (pids[p] == 0) {
            close(fds[0]);
            mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
            char actor[16];
            snprintf(actor, sizeof actor, "proc%d", p);
            o.actor = tu_actor(actor);
            mlops_store *cs;
            if (mlops_store_open(dir, &o, &cs)) _exit(2);
            for (int i = 0; i < PER_PROC; i++) {
                int64_t v;
                if (mlops_model_version_create(cs, "shared", &a, NULL, &v)) _exit(3);
                if (write(fds[1], &v, sizeof v) != (ssize_t)sizeof v) _exit(4);
            }
            mlops_store_close(cs);
            _exit(0);
        }
    }
    close(fds[1]);
    int seen[NPROC * PER_PROC + 1] = { 0 };
    int64_t v;
    int count = 0;
    while (read(fds[0], &v, sizeof v) == (ssize_t)sizeof v) {
        ck_assert_int_ge(v, 1);
        ck_assert_int_le(v, NPROC * PER_PROC);
        ck_assert_int_eq(seen[v], 0);
        seen[v] = 1;
        count++;
    }
    close(fds[0]);
    for (int p = 0; p < NPROC; p++) {
        int status;
        ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: %d", p, status);
    }
    ck_assert_int_eq(count, NPROC * PER_PROC);

    s = NULL;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    TU_OK(mlops_store_open(dir, &o, &s));
    mlops_model *m;
    TU_OK(mlops_model_get(s, "shared", &m));
    ck_assert_int_eq(mlops_model_max_version(m), NPROC * PER_PROC);
    mlops_model_free(m);
    ck_assert_int_eq(rt_audit_count(s), 1 + NPROC * PER_PROC);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

struct creator {
    mlops_store *s;
    mlops_digest d;
    int errors;
};

static void *creator_thread(void *arg)
{
    struct creator *c = arg;
    for (int i = 0; i < PER_PROC; i++) {
        int64_t v;
        if (mlops_model_version_create(c->s, "shared", &c->d, NULL, &v)) c->errors++;
    }
    return NULL;
}

START_TEST(threads_share_a_handle)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "shared"));
    struct creator c[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        c[i] = (struct creator){ s, rt_put(s, "x"), 0 };
        pthread_create(&th[i], NULL, creator_thread, &c[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(c[i].errors, 0);
    }
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(DISTINCT number) FROM reg_versions"),
                     4 * PER_PROC);
    ck_assert_int_eq(rt_db_int(dir, "SELECT max(number) FROM reg_versions"), 4 * PER_PROC);
    TU_OK(mlops_audit_verify(s));
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
    tcase_add_test(tc, model_search_ex_by_lifecycle);
    tcase_add_test(tc, model_search_name_patterns);
    tcase_add_test(tc, name_glob_matches_sqlite_glob);
    tcase_add_test(tc, model_rename);
    tcase_add_test(tc, model_delete_without_versions);
    tcase_add_test(tc, alias_names_are_checked);
    tcase_add_test(tc, resolve_refs_are_parsed);
    tcase_add_test(tc, version_create_and_get);
    tcase_add_test(tc, version_create_bad_input_writes_nothing);
    tcase_add_test(tc, version_from_a_run);
    tcase_add_test(tc, version_update_and_tags);
    tcase_add_test(tc, version_delete_keeps_the_row);
    tcase_add_test(tc, version_artifacts_are_gc_roots_until_deleted);
    tcase_add_test(tc, model_delete_with_versions);
    tcase_add_test(tc, alias_set_move_delete_and_resolve);
    tcase_add_test(tc, alias_moves_are_atomic_for_readers);
    tcase_add_test(tc, lineage_of_a_version);
    tcase_add_test(tc, processes_get_consecutive_version_numbers);
    tcase_add_test(tc, threads_share_a_handle);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
