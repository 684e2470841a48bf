/* Weighted aliases and routing through the public API (registry.h,
 * "Weighted aliases and routing"): setting, reading and listing splits, the
 * 1.0 functions seeing the primary, ramp steps, full promotion, rollbacks,
 * point-in-time splits, routing with the store and from snapshots (share
 * of a 90/10 split, stickiness, monotone ramps), and bad input with its
 * codes. Runs on SQLite and, as registry_route_pg, on PostgreSQL. The rule
 * itself, against mmh3, is suite route's. */
#include "testutil.h"
#include "tu_db.h"

#include <mlops.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* For the loops over many keys: a passing ck_assert is recorded, which
 * would dominate the run time. */
#define REQUIRE(cond, ...)                      \
    do {                                        \
        if (!(cond)) ck_abort_msg(__VA_ARGS__); \
    } while (0)

static char *base, *dir;
static mlops_store *S;

static void setup(void)
{
    base = tu_tmpdir();
    dir = tu_store_dir(base, "store");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = tu_actor("ci");
    TU_OK(mlops_store_open(dir, &o, &S));
    mlops_digest art;
    TU_OK(mlops_blob_put(S, "weights", 7, &art));
    TU_OK(mlops_model_create(S, "churn"));
    for (int i = 0; i < 5; i++) {
        int64_t v;
        TU_OK(mlops_model_version_create(S, "churn", &art, NULL, &v));
    }
}

static void teardown(void)
{
    mlops_store_close(S);
    tu_rmrf(base);
    free(dir);
    free(base);
}

static int64_t audit_head(void)
{
    int64_t seq;
    mlops_digest h;
    TU_OK(mlops_audit_head(S, &seq, &h));
    return seq;
}

static void set(const char *alias, const char *split)
{
    TU_OK(mlops_model_alias_split_set(S, "churn", alias, split, NULL));
}

/* The canonical text of the alias's split now. */
static char *text_of(const char *alias)
{
    mlops_alias_split *sp = NULL;
    TU_OK(mlops_model_alias_split_get(S, "churn", alias, &sp));
    char *t = strdup(mlops_alias_split_text(sp));
    mlops_alias_split_free(sp);
    return t;
}

#define ASSERT_SPLIT(alias, want)                                   \
    do {                                                            \
        char *got_ = text_of(alias);                                \
        ck_assert_str_eq(got_, want);                               \
        free(got_);                                                 \
    } while (0)

static long nkeys(long n)
{
    return getenv("MLOPS_TEST_SMALL") ? n / 4 : n;
}

static size_t key_of(char *buf, long i)
{
    return (size_t)snprintf(buf, 32, "user-%ld", i);
}

/* The versions of keys 0..n-1 under the alias now, from one snapshot. */
static int64_t *route_all(const char *alias, long n)
{
    mlops_route_snapshot *snap = NULL;
    TU_OK(mlops_model_route_snapshot(S, "churn", alias, &snap));
    int64_t *v = malloc((size_t)n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    char key[32];
    for (long i = 0; i < n; i++) {
        size_t len = key_of(key, i);
        REQUIRE(mlops_route_snapshot_route(snap, key, len, &v[i]) == MLOPS_OK, "%s",
                mlops_last_error());
    }
    mlops_route_snapshot_free(snap);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec t = { 0, ms * 1000000L };
    nanosleep(&t, NULL);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- Setting and reading --------------------------------------------------- */

START_TEST(set_get_and_the_primary_for_1_0_callers)
{
    set("champion", "4:10,3:90");
    mlops_alias_split *sp = NULL;
    TU_OK(mlops_model_alias_split_get(S, "churn", "champion", &sp));
    ck_assert_str_eq(mlops_alias_split_alias(sp), "champion");
    ck_assert_str_eq(mlops_alias_split_text(sp), "3:90,4:10");
    ck_assert_uint_eq(mlops_alias_split_count(sp), 2);
    int64_t v = 0;
    int w = 0;
    TU_OK(mlops_alias_split_at(sp, 1, &v, &w));
    ck_assert_int_eq(v, 4);
    ck_assert_int_eq(w, 10);
    TU_RC(MLOPS_EINVAL, mlops_alias_split_at(sp, 2, &v, &w));
    ck_assert_int_eq(mlops_alias_split_primary(sp), 3);
    ck_assert_int_eq(mlops_alias_split_shadow(sp), 0);
    ck_assert_uint_eq(strlen(mlops_alias_split_salt(sp)), 32); /* 16 random bytes in hex */
    char *salt = strdup(mlops_alias_split_salt(sp));
    mlops_alias_split_free(sp);

    /* 1.0 sees the largest share; a tie goes to the lower number. */
    TU_OK(mlops_model_alias_get(S, "churn", "champion", &v));
    ck_assert_int_eq(v, 3);
    set("champion", "3:40,4:60");
    TU_OK(mlops_model_alias_get(S, "churn", "champion", &v));
    ck_assert_int_eq(v, 4);
    TU_OK(mlops_model_resolve(S, "churn@champion", &v, NULL));
    ck_assert_int_eq(v, 4);
    set("champion", "5:50,4:50");
    TU_OK(mlops_model_alias_get(S, "churn", "champion", &v));
    ck_assert_int_eq(v, 4);
    mlops_model *m = NULL;
    TU_OK(mlops_model_get(S, "churn", &m));
    ck_assert_uint_eq(mlops_model_alias_count(m), 1);
    const char *a;
    TU_OK(mlops_model_alias_at(m, 0, &a, &v));
    ck_assert_int_eq(v, 4);
    mlops_model_free(m);

    /* A shadow, a plain version, and the salt kept through all of it. */
    set("champion", "3:90,4:10+shadow:5");
    TU_OK(mlops_model_alias_split_get(S, "churn", "champion", &sp));
    ck_assert_str_eq(mlops_alias_split_text(sp), "3:90,4:10+shadow:5");
    ck_assert_int_eq(mlops_alias_split_shadow(sp), 5);
    ck_assert_str_eq(mlops_alias_split_salt(sp), salt);
    mlops_alias_split_free(sp);
    set("champion", "2");
    ASSERT_SPLIT("champion", "2");
    TU_OK(mlops_model_alias_get(S, "churn", "champion", &v));
    ck_assert_int_eq(v, 2);

    /* A 1.0 set is a split of one version; reserved aliases read as one. */
    TU_OK(mlops_model_alias_set(S, "churn", "staging", 5));
    ASSERT_SPLIT("staging", "5");
    ASSERT_SPLIT("latest", "5");
    ASSERT_SPLIT("v1", "1");

    /* Setting the split an alias has records nothing. */
    int64_t head = audit_head();
    set("champion", "2:100");
    ck_assert_int_eq(audit_head(), head);

    /* The list, in alias order. */
    set("canary", "1:50,2:50");
    mlops_alias_splits *l = NULL;
    TU_OK(mlops_model_alias_splits(S, "churn", &l));
    ck_assert_uint_eq(mlops_alias_splits_count(l), 3);
    ck_assert_str_eq(mlops_alias_split_alias(mlops_alias_splits_at(l, 0)), "canary");
    ck_assert_str_eq(mlops_alias_split_text(mlops_alias_splits_at(l, 0)), "1:50,2:50");
    ck_assert_str_eq(mlops_alias_split_text(mlops_alias_splits_at(l, 1)), "2");
    ck_assert_str_eq(mlops_alias_split_alias(mlops_alias_splits_at(l, 2)), "staging");
    ck_assert_ptr_null(mlops_alias_splits_at(l, 3));
    mlops_alias_splits_free(l);
    free(salt);
}
END_TEST

/* ---- Routing ---------------------------------------------------------------- */

START_TEST(share_of_90_10_within_tolerance)
{
    set("champion", "3:90,4:10");
    long n = nkeys(1000000);
    int64_t *v = route_all("champion", n);
    long on4 = 0;
    for (long i = 0; i < n; i++) {
        REQUIRE(v[i] == 3 || v[i] == 4, "key %ld went to %lld", i, (long long)v[i]);
        on4 += v[i] == 4;
    }
    double share = 100.0 * (double)on4 / (double)n;
    ck_assert_msg(share > 9.7 && share < 10.3, "share of version 4: %.4f%%", share);
    /* Routing with the store agrees with the snapshot. */
    char key[32];
    for (long i = 0; i < 50; i++) {
        int64_t one = 0;
        TU_OK(mlops_model_route(S, "churn", "champion", key, key_of(key, i * 997), &one));
        ck_assert_int_eq(one, v[i * 997]);
    }
    /* The empty key is a key too. */
    int64_t e1 = 0, e2 = 0;
    mlops_route_snapshot *snap = NULL;
    TU_OK(mlops_model_route_snapshot(S, "churn", "champion", &snap));
    TU_OK(mlops_model_route(S, "churn", "champion", NULL, 0, &e1));
    TU_OK(mlops_route_snapshot_route(snap, NULL, 0, &e2));
    ck_assert_int_eq(e1, e2);
    ck_assert_str_eq(mlops_alias_split_text(mlops_route_snapshot_split(snap)), "3:90,4:10");
    mlops_route_snapshot_free(snap);
    free(v);
}
END_TEST

START_TEST(sticky_while_the_split_does_not_change)
{
    set("champion", "3:90,4:10");
    long n = nkeys(100000);
    int64_t *before = route_all("champion", n);
    /* Unrelated changes: another alias, a new version, the same split again,
     * the alias removed and set again (its salt is kept). */
    set("canary", "1:50,2:50");
    mlops_digest art;
    TU_OK(mlops_blob_put(S, "other", 5, &art));
    int64_t nv;
    TU_OK(mlops_model_version_create(S, "churn", &art, NULL, &nv));
    set("champion", "4:10,3:90");
    TU_OK(mlops_model_alias_delete(S, "churn", "champion", NULL));
    set("champion", "3:90,4:10");
    int64_t *after = route_all("champion", n);
    for (long i = 0; i < n; i++)
        REQUIRE(before[i] == after[i], "key %ld moved from %lld to %lld", i,
                (long long)before[i], (long long)after[i]);
    /* Another alias with the same split has its own salt: not the same keys. */
    set("shadowed", "3:90,4:10");
    int64_t *other = route_all("shadowed", n);
    long same4 = 0, on4 = 0;
    for (long i = 0; i < n; i++) {
        on4 += before[i] == 4;
        same4 += before[i] == 4 && other[i] == 4;
    }
    ck_assert_msg(same4 < on4 / 2, "%ld of %ld canary keys shared", same4, on4);
    free(before);
    free(after);
    free(other);
}
END_TEST

START_TEST(ramp_is_monotone_and_rollback_restores)
{
    set("champion", "3");
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, 10, NULL));
    ASSERT_SPLIT("champion", "3:90,4:10");
    long n = nkeys(200000);
    int64_t *at10 = route_all("champion", n);
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, 50, NULL));
    ASSERT_SPLIT("champion", "3:50,4:50");
    int64_t *at50 = route_all("champion", n);
    long on4 = 0;
    for (long i = 0; i < n; i++) {
        REQUIRE(at10[i] != 4 || at50[i] == 4, "key %ld left the canary", i);
        on4 += at50[i] == 4;
    }
    double share = 100.0 * (double)on4 / (double)n;
    ck_assert_msg(share > 49.0 && share < 51.0, "share at 50: %.3f%%", share);

    /* Rollback: every key back where it was at 10%; again: undone. */
    TU_OK(mlops_model_alias_rollback(S, "churn", "champion", 0, NULL));
    ASSERT_SPLIT("champion", "3:90,4:10");
    int64_t *back = route_all("champion", n);
    for (long i = 0; i < n; i++) REQUIRE(back[i] == at10[i], "key %ld not restored", i);
    TU_OK(mlops_model_alias_rollback(S, "churn", "champion", 0, NULL));
    ASSERT_SPLIT("champion", "3:50,4:50");

    /* Full promotion; the canary out again, its share to the base. */
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, 100, NULL));
    ASSERT_SPLIT("champion", "4");
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 5, 20, NULL));
    ASSERT_SPLIT("champion", "4:80,5:20");
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 5, 0, NULL));
    ASSERT_SPLIT("champion", "4");

    /* Three versions: the share comes from the largest other; a shadow
     * ramped becomes routed. */
    set("champion", "3:80,4:10,5:10");
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 5, 30, NULL));
    ASSERT_SPLIT("champion", "3:60,4:10,5:30");
    set("champion", "3+shadow:4");
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, 5, NULL));
    ASSERT_SPLIT("champion", "3:95,4:5");
    /* Sixteen versions: a seventeenth only takes a base's whole share. */
    mlops_digest art;
    TU_OK(mlops_blob_put(S, "more", 4, &art));
    for (int i = 0; i < 12; i++) {
        int64_t nv;
        TU_OK(mlops_model_version_create(S, "churn", &art, NULL, &nv));
    }
    set("wide", "1:10,2:6,3:6,4:6,5:6,6:6,7:6,8:6,9:6,10:6,11:6,12:6,13:6,14:6,15:6,16:6");
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "wide", 17, 5, NULL));
    TU_OK(mlops_model_alias_ramp(S, "churn", "wide", 17, 10, NULL));
    ASSERT_SPLIT("wide", "2:6,3:6,4:6,5:6,6:6,7:6,8:6,9:6,10:6,11:6,12:6,13:6,14:6,15:6,16:6,17:10");
    /* Ramping to the share it has records nothing. */
    int64_t head = audit_head();
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, 5, NULL));
    ck_assert_int_eq(audit_head(), head);
    TU_OK(mlops_audit_verify(S));
    free(at10);
    free(at50);
    free(back);
}
END_TEST

START_TEST(point_in_time_returns_past_splits)
{
    const char *steps[] = { "3", "3:90,4:10", "3:50,4:50", "4" };
    int64_t t[4];
    for (int i = 0; i < 4; i++) {
        if (i == 0)
            set("champion", steps[0]);
        else
            TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, i == 1 ? 10 : i == 2 ? 50 : 100,
                                         NULL));
        sleep_ms(3);
        t[i] = now_ms();
        sleep_ms(3);
    }
    for (int i = 0; i < 4; i++) {
        mlops_alias_split *sp = NULL;
        TU_OK(mlops_audit_alias_split_at(S, "churn", "champion", t[i], &sp));
        ck_assert_str_eq(mlops_alias_split_text(sp), steps[i]);
        ck_assert_str_eq(mlops_alias_split_alias(sp), "champion");
        mlops_alias_split_free(sp);
        int64_t v = 0;
        TU_OK(mlops_audit_alias_at(S, "churn", "champion", t[i], &v)); /* 1.0: the primary */
        ck_assert_int_eq(v, i < 3 ? 3 : 4);
    }
    mlops_alias_split *sp = NULL;
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_split_at(S, "churn", "champion", t[0] - 20, &sp));
    ck_assert_ptr_null(sp);
    /* Rolled back to a time: the split of then, and the route of then. */
    TU_OK(mlops_model_alias_rollback(S, "churn", "champion", t[1], NULL));
    ASSERT_SPLIT("champion", "3:90,4:10");
    TU_OK(mlops_model_alias_delete(S, "churn", "champion", NULL));
    sleep_ms(3);
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_split_at(S, "churn", "champion", now_ms(), &sp));
    /* Reserved aliases from the versions' times. */
    TU_OK(mlops_audit_alias_split_at(S, "churn", "latest", now_ms(), &sp));
    ck_assert_str_eq(mlops_alias_split_text(sp), "5");
    mlops_alias_split_free(sp);
}
END_TEST

START_TEST(reserved_aliases_route_to_their_version)
{
    int64_t v = 0;
    TU_OK(mlops_model_route(S, "churn", "latest", "k", 1, &v));
    ck_assert_int_eq(v, 5);
    mlops_route_snapshot *snap = NULL;
    TU_OK(mlops_model_route_snapshot(S, "churn", "v2", &snap));
    TU_OK(mlops_route_snapshot_route(snap, "any", 3, &v));
    ck_assert_int_eq(v, 2);
    ck_assert_str_eq(mlops_alias_split_salt(mlops_route_snapshot_split(snap)), "");
    mlops_route_snapshot_free(snap);
}
END_TEST

/* "v0" names version 0, which no model has: it is not "latest". */
START_TEST(v0_names_no_version)
{
    const char *refs[] = { "v0", "V0", "v00" };
    for (size_t i = 0; i < 3; i++) {
        int64_t v = -1;
        TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_get(S, "churn", refs[i], &v));
        TU_RC(MLOPS_ENOTFOUND, mlops_model_route(S, "churn", refs[i], "k", 1, &v));
        TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(S, "churn", refs[i], now_ms() + 1000, &v));
        char ref[32];
        snprintf(ref, sizeof ref, "churn@%s", refs[i]);
        TU_RC(MLOPS_ENOTFOUND, mlops_model_resolve(S, ref, &v, NULL));
        mlops_route_snapshot *snap = NULL;
        TU_RC(MLOPS_ENOTFOUND, mlops_model_route_snapshot(S, "churn", refs[i], &snap));
        ck_assert_ptr_null(snap);
    }
    int64_t v = 0;
    TU_OK(mlops_model_alias_get(S, "churn", "v5", &v));
    ck_assert_int_eq(v, 5);
}
END_TEST

/* ---- Bad input ----------------------------------------------------------------- */

START_TEST(bad_input_has_its_codes_and_changes_nothing)
{
    set("champion", "3:90,4:10");
    int64_t head = audit_head();
    mlops_alias_split *sp = NULL;
    const char *bad[] = { "3:90,4:5", "3:90, 4:10", "3:50,3:50", "3:90,4", "", "3:101",
                          "0", "3:90,4:10+shadow:4", "x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TU_RC(MLOPS_EINVAL, mlops_model_alias_split_set(S, "churn", "champion", bad[i], NULL));
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_alias_split_set: split"));
    }
    TU_RC(MLOPS_EINVAL, mlops_model_alias_split_set(S, "churn", "champion", "3:90,4:5", NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "the weights sum to 95, not 100"));
    ck_assert_int_eq(audit_head(), head);
    TU_RC(MLOPS_EINVAL, mlops_model_alias_split_set(S, "churn", "champion", NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_split_set(S, "churn", "latest", "3", NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_split_set(NULL, "churn", "champion", "3", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_split_set(S, "churn", "champion", "3:90,9:10", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_split_set(S, "nope", "champion", "3", NULL));
    TU_OK(mlops_model_version_delete(S, "churn", 1, NULL));
    head = audit_head();
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_split_set(S, "churn", "champion", "3:90,1:10", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_split_set(S, "churn", "champion", "3+shadow:1", NULL));

    /* Ramps the split cannot take. */
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "champion", 4, 101, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "champion", 4, -1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "champion", 0, 10, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "champion", 5, 0, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_ramp(S, "churn", "champion", 9, 10, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_ramp(S, "churn", "unset", 4, 10, NULL));
    set("trio", "2:40,3:30,4:30");
    int64_t head2 = audit_head();
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "trio", 4, 90, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "has 40% to give, not 60"));
    set("solo", "3");
    head2 = audit_head();
    TU_RC(MLOPS_EINVAL, mlops_model_alias_ramp(S, "churn", "solo", 3, 50, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_rollback(S, "churn", "solo", 0, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_alias_rollback(S, "churn", "solo", -1, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_rollback(S, "churn", "solo", 1, NULL));
    ck_assert_int_eq(audit_head(), head2);
    ASSERT_SPLIT("champion", "3:90,4:10");

    /* Reading and routing what is not there. */
    int64_t v = 0;
    mlops_route_snapshot *snap = NULL;
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_split_get(S, "churn", "unset", &sp));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_route(S, "churn", "unset", "k", 1, &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_route_snapshot(S, "churn", "unset", &snap));
    ck_assert_ptr_null(snap);
    TU_RC(MLOPS_ENOTFOUND, mlops_model_route(S, "nope", "champion", "k", 1, &v));
    TU_OK(mlops_model_alias_delete(S, "churn", "champion", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_route(S, "churn", "champion", "k", 1, &v));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "has no alias 'champion'"));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_route_snapshot(S, "churn", "champion", &snap));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_alias_split_get(S, "churn", "champion", &sp));
    ck_assert_ptr_null(sp);

    /* NULLs and lengths no buffer has. */
    TU_RC(MLOPS_EINVAL, mlops_model_route(S, "churn", "trio", NULL, 1, &v));
    TU_RC(MLOPS_EINVAL, mlops_model_route(S, "churn", "trio", "k", SIZE_MAX, &v));
    TU_RC(MLOPS_EINVAL, mlops_model_route(S, "churn", "trio", "k", 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_route(S, "churn", "bad alias", "k", 1, &v));
    TU_OK(mlops_model_route_snapshot(S, "churn", "trio", &snap));
    TU_RC(MLOPS_EINVAL, mlops_route_snapshot_route(snap, NULL, 1, &v));
    TU_RC(MLOPS_EINVAL, mlops_route_snapshot_route(snap, "k", SIZE_MAX, &v));
    TU_RC(MLOPS_EINVAL, mlops_route_snapshot_route(snap, "k", 1, NULL));
    TU_RC(MLOPS_EINVAL, mlops_route_snapshot_route(NULL, "k", 1, &v));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_route_snapshot_route: "));
    mlops_route_snapshot_free(snap);
    ck_assert_ptr_null(mlops_route_snapshot_split(NULL));
    ck_assert_ptr_null(mlops_alias_split_text(NULL));
    ck_assert_uint_eq(mlops_alias_split_count(NULL), 0);
    ck_assert_uint_eq(mlops_alias_splits_count(NULL), 0);
    mlops_route_snapshot_free(NULL);
    mlops_alias_split_free(NULL);
    mlops_alias_splits_free(NULL);
}
END_TEST

/* Every change of a split goes through the alias's gate: a refusal moves
 * nothing, is recorded, and the log still verifies. */
START_TEST(gate_refuses_ramp_set_and_rollback)
{
    set("champion", "3");
    TU_OK(mlops_model_alias_ramp(S, "churn", "champion", 4, 10, NULL));
    const char *cond[] = { "metrics.auc >= 0.8" }; /* no version has it: refused */
    TU_OK(mlops_model_gate_set(S, "churn", "champion", cond, 1, NULL, NULL));
    int64_t head = audit_head();
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_ramp(S, "churn", "champion", 4, 50, NULL));
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_split_set(S, "churn", "champion", "3:80,5:20", NULL));
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_rollback(S, "churn", "champion", 0, NULL));
    ck_assert_int_eq(audit_head(), head + 3); /* three decisions recorded */
    ASSERT_SPLIT("champion", "3:90,4:10");
    TU_OK(mlops_audit_verify(S));
}
END_TEST

/* A split stored by hand that does not decode is the store's fault. */
START_TEST(corrupt_stored_split_is_reported)
{
    set("champion", "3:90,4:10");
    tu_sql_exec(dir, "UPDATE reg_aliases SET split = '3:90,4:11' WHERE alias = 'champion'");
    mlops_alias_split *sp = NULL;
    int64_t v = 0;
    TU_RC(MLOPS_ECORRUPT, mlops_model_alias_split_get(S, "churn", "champion", &sp));
    TU_RC(MLOPS_ECORRUPT, mlops_model_route(S, "churn", "champion", "k", 1, &v));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_route");
    TCase *tc = tcase_create("route");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, set_get_and_the_primary_for_1_0_callers);
    tcase_add_test(tc, share_of_90_10_within_tolerance);
    tcase_add_test(tc, sticky_while_the_split_does_not_change);
    tcase_add_test(tc, ramp_is_monotone_and_rollback_restores);
    tcase_add_test(tc, point_in_time_returns_past_splits);
    tcase_add_test(tc, reserved_aliases_route_to_their_version);
    tcase_add_test(tc, v0_names_no_version);
    tcase_add_test(tc, bad_input_has_its_codes_and_changes_nothing);
    tcase_add_test(tc, gate_refuses_ramp_set_and_rollback);
    tcase_add_test(tc, corrupt_stored_split_is_reported);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
