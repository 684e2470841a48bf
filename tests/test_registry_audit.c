/* The registry's audit log: canonical encoding, the hash chain, tamper
 * detection (done as an attacker would, with the sqlite3 shell), the
 * published head, and history queries. */
#include "audit_helpers.h"

#include <time.h>

/* A model with a few changes: events 1..6. */
static void six_events(mlops_store *s)
{
    TU_OK(mlops_model_create_ex(s, "m", "first", NULL)); /* 1 create, 2 describe */
    TU_OK(mlops_model_tag_set(s, "m", "team", "vision", NULL));   /* 3 */
    TU_OK(mlops_model_tag_set(s, "m", "team", "nlp", NULL));      /* 4 */
    TU_OK(mlops_model_set_description(s, "m", "second", NULL));   /* 5 */
    TU_OK(mlops_model_tag_delete(s, "m", "team", NULL));          /* 6 */
    ck_assert_int_eq(rt_audit_count(s), 6);
}

static void expect_broken_at(mlops_store *s, int64_t seq)
{
    int64_t bad = -1;
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify_head(s, 0, NULL, &bad));
    ck_assert_int_eq(bad, seq);
    char want[64];
    snprintf(want, sizeof want, "at event %lld", (long long)seq);
    ck_assert_msg(strstr(mlops_last_error(), want), "message '%s' lacks '%s'",
                  mlops_last_error(), want);
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify(s));
}

START_TEST(encoding_is_canonical_and_pinned)
{
    mlops__audit_row r = { .seq = 1, .time_ms = 1700000000000LL, .actor = "a",
                           .action = "model.create", .model_id = 1, .model = "m",
                           .new_value = "m", .format = 1 };
    msgpack_sbuffer b;
    msgpack_sbuffer_init(&b);
    TU_OK(mlops__audit_encode(&b, &r));
    static const unsigned char want[] = {
        0x9c, 0x01, 0x01, 0xcf, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0xa1, 'a',
        0xac, 'm',  'o',  'd',  'e',  'l',  '.',  'c',  'r',  'e',  'a',  't',  'e',
        0x01, 0xa1, 'm',  0xc0, 0xc0, 0xc0, 0xa1, 'm',  0xc0,
    };
    ck_assert_uint_eq(b.size, sizeof want);
    ck_assert_mem_eq(b.data, want, sizeof want);

    /* Shortest forms at the boundaries: 127 fixint, 128 uint8, -33 int8,
     * a 32-byte string takes str8. */
    char s32[33];
    memset(s32, 'x', 32);
    s32[32] = 0;
    mlops__audit_row r2 = { .seq = 127, .time_ms = 128, .actor = s32, .action = "",
                            .model_id = -33, .model = "m", .version = 65536, .format = 1 };
    msgpack_sbuffer_clear(&b);
    TU_OK(mlops__audit_encode(&b, &r2));
    const unsigned char *p = (const unsigned char *)b.data;
    ck_assert_int_eq(p[2], 0x7f);
    ck_assert_int_eq(p[3], 0xcc);
    ck_assert_int_eq(p[4], 0x80);
    ck_assert_int_eq(p[5], 0xd9); /* str8 */
    ck_assert_int_eq(p[6], 32);
    ck_assert_int_eq(p[39], 0xa0); /* "" */
    ck_assert_int_eq(p[40], 0xd0); /* int8 */
    ck_assert_int_eq(p[41], 0xdf);
    ck_assert_int_eq(p[44], 0xce); /* uint32 65536 */

    /* Format 2: 13 items, 2 first, the payload (nil, or bin) last. */
    r.format = 2;
    msgpack_sbuffer_clear(&b);
    TU_OK(mlops__audit_encode(&b, &r));
    ck_assert_uint_eq(b.size, sizeof want + 1);
    ck_assert_int_eq((unsigned char)b.data[0], 0x9d);
    ck_assert_int_eq((unsigned char)b.data[1], 0x02);
    ck_assert_mem_eq(b.data + 2, want + 2, sizeof want - 2);
    ck_assert_int_eq((unsigned char)b.data[sizeof want], 0xc0);
    r.payload = "\x01\x02";
    r.payload_len = 2;
    msgpack_sbuffer_clear(&b);
    TU_OK(mlops__audit_encode(&b, &r));
    static const unsigned char tail[] = { 0xc4, 0x02, 0x01, 0x02 };
    ck_assert_uint_eq(b.size, sizeof want + 4);
    ck_assert_mem_eq(b.data + sizeof want, tail, sizeof tail);
    /* A payload has no place in format 1, and there is no format 3. */
    r.format = 1;
    TU_RC(MLOPS_EINVAL, mlops__audit_encode(&b, &r));
    r.format = 3;
    r.payload = NULL;
    TU_RC(MLOPS_EINVAL, mlops__audit_encode(&b, &r));
    msgpack_sbuffer_destroy(&b);
}
END_TEST

START_TEST(chain_hashes_follow_the_documented_formula)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, 0, 0, &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 6);
    mlops_digest prev = { { 0 } };
    for (size_t i = 0; i < 6; i++) {
        mlops_audit_event ev = MLOPS_AUDIT_EVENT_INIT;
        TU_OK(mlops_audit_events_get(l, i, &ev));
        ck_assert_int_eq(ev.seq, (int64_t)i + 1);
        /* Written by this library: format 2, no payload for these kinds. */
        mlops__audit_row r = { ev.seq, ev.time_ms, ev.actor, ev.action, 1, ev.model,
                               ev.model_version, ev.key, ev.old_value, ev.new_value,
                               ev.reason, MLOPS__AUDIT_FORMAT_V2, NULL, 0 };
        msgpack_sbuffer b;
        msgpack_sbuffer_init(&b);
        TU_OK(mlops__audit_encode(&b, &r));
        unsigned char *buf = malloc(32 + b.size);
        memcpy(buf, prev.bytes, 32);
        memcpy(buf + 32, b.data, b.size);
        mlops_digest h;
        TU_OK(mlops_digest_compute(buf, 32 + b.size, &h));
        ck_assert_mem_eq(h.bytes, ev.hash.bytes, 32);
        prev = h;
        free(buf);
        msgpack_sbuffer_destroy(&b);
    }
    int64_t seq;
    mlops_digest head;
    TU_OK(mlops_audit_head(s, &seq, &head));
    ck_assert_int_eq(seq, 6);
    ck_assert_mem_eq(head.bytes, prev.bytes, 32);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(events_record_actor_reason_and_values)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    mlops_change_opts ch;
    TU_OK(mlops_change_opts_init(&ch, MLOPS_CHANGE_OPTS_VERSION));
    ch.actor = "alice@example.com";
    ch.reason = "ticket ML-42: new owner\nsecond line";
    TU_OK(mlops_model_create(s, "churn"));
    if (tu_backend_postgres()) {
        /* The server vouches for the actor: no other name is taken. */
        TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "churn", "owner", "bob", &ch));
        ck_assert_ptr_nonnull(strstr(mlops_last_error(), "database role"));
        ch.actor = tu_actor("alice@example.com");
    }
    TU_OK(mlops_model_tag_set(s, "churn", "owner", "bob", &ch));
    TU_OK(mlops_model_tag_set(s, "churn", "owner", "bob", &ch)); /* same: no event */
    TU_OK(mlops_model_rename(s, "churn", "team/churn", NULL));
    TU_OK(mlops_model_tag_delete(s, "team/churn", "owner", NULL));
    ck_assert_int_eq(rt_audit_count(s), 4);

    mlops_audit_events *l;
    TU_OK(mlops_audit_model_events(s, "team/churn", &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 4);
    mlops_audit_event ev;
    TU_OK(mlops_audit_event_init(&ev, MLOPS_AUDIT_EVENT_VERSION));
    TU_OK(mlops_audit_events_get(l, 0, &ev));
    ck_assert_str_eq(ev.action, "model.create");
    ck_assert_str_eq(ev.actor, tu_actor("tester"));
    ck_assert_str_eq(ev.new_value, "churn");
    ck_assert_ptr_null(ev.old_value);
    ck_assert_ptr_null(ev.reason);
    TU_OK(mlops_audit_events_get(l, 1, &ev));
    ck_assert_str_eq(ev.action, "model.tag.set");
    ck_assert_str_eq(ev.actor, tu_actor("alice@example.com"));
    ck_assert_str_eq(ev.reason, "ticket ML-42: new owner\nsecond line");
    ck_assert_str_eq(ev.key, "owner");
    ck_assert_str_eq(ev.new_value, "bob");
    ck_assert_int_eq(ev.model_version, 0);
    TU_OK(mlops_audit_events_get(l, 2, &ev));
    ck_assert_str_eq(ev.action, "model.rename");
    ck_assert_str_eq(ev.old_value, "churn");
    ck_assert_str_eq(ev.new_value, "team/churn");
    ck_assert_str_eq(ev.model, "churn");
    TU_OK(mlops_audit_events_get(l, 3, &ev));
    ck_assert_str_eq(ev.action, "model.tag.delete");
    ck_assert_str_eq(ev.old_value, "bob");
    ck_assert_str_eq(ev.model, "team/churn");
    ck_assert_int_ge(ev.time_ms, 1600000000000LL);
    TU_RC(MLOPS_EINVAL, mlops_audit_events_get(l, 4, &ev));
    ev.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_audit_events_get(l, 0, &ev));
    ev.version = MLOPS_AUDIT_EVENT_VERSION;
    mlops_audit_events_free(l);

    /* The old name still finds the history; a name never used does not. */
    TU_OK(mlops_audit_model_events(s, "churn", &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 4);
    mlops_audit_events_free(l);
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_model_events(s, "never", &l));
    ck_assert_ptr_null(l);

    /* Paging through the whole log. */
    TU_OK(mlops_audit_list(s, 2, 1, &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 1);
    TU_OK(mlops_audit_events_get(l, 0, &ev));
    ck_assert_int_eq(ev.seq, 3);
    mlops_audit_events_free(l);

    /* A bad actor or reason is refused and writes nothing. */
    ch.actor = "";
    TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "team/churn", "k", "v", &ch));
    ch.actor = "ok";
    ch.reason = "\xff\xfe";
    TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "team/churn", "k", "v", &ch));
    ch.version = 7;
    TU_RC(MLOPS_EINVAL, mlops_model_tag_set(s, "team/churn", "k", "v", &ch));
    ck_assert_int_eq(rt_audit_count(s), 4);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

START_TEST(store_actor_is_the_default)
{
    char *dir = tu_tmpdir();
    mlops_store *s;
    TU_OK(mlops_store_open(dir, NULL, &s)); /* actor: the login name */
    TU_OK(mlops_model_create(s, "m"));
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, 0, 0, &l));
    mlops_audit_event ev = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &ev));
    ck_assert_ptr_nonnull(ev.actor);
    ck_assert_int_gt((int)strlen(ev.actor), 0);
    ck_assert_str_ne(ev.actor, "tester");
    /* On PostgreSQL the actor is the database role, and no other. */
    if (tu_backend_postgres()) ck_assert_str_eq(ev.actor, tu_actor("tester"));
    mlops_audit_events_free(l);
    mlops_store_close(s);
    if (tu_backend_postgres()) {
        mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
        o.actor = "tester";
        s = NULL;
        TU_RC(MLOPS_EINVAL, mlops_store_open(dir, &o, &s));
        ck_assert_ptr_null(s);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(tamper_edit_is_caught)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    TU_OK(mlops_audit_verify(s));
    rt_shell(dir, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;");
    expect_broken_at(s, 3);
    rt_close(s, dir);
}
END_TEST

START_TEST(tamper_edit_of_each_column_is_caught)
{
    static const char *const edits[] = {
        "UPDATE audit_events SET time_ms = time_ms + 1 WHERE seq = 4;",
        "UPDATE audit_events SET action = 'model.tag.delete' WHERE seq = 4;",
        "UPDATE audit_events SET model_id = 2 WHERE seq = 4;",
        "UPDATE audit_events SET model = 'n' WHERE seq = 4;",
        "UPDATE audit_events SET version = 1 WHERE seq = 4;",
        "UPDATE audit_events SET key = 'Team' WHERE seq = 4;",
        "UPDATE audit_events SET old_value = NULL WHERE seq = 4;",
        "UPDATE audit_events SET new_value = 'nlp ' WHERE seq = 4;",
        "UPDATE audit_events SET reason = '' WHERE seq = 4;",
        "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 4;",
        "UPDATE audit_events SET hash = x'00' WHERE seq = 4;",
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *dir;
        mlops_store *s = rt_open(&dir);
        six_events(s);
        rt_shell(dir, edits[i]);
        expect_broken_at(s, 4);
        rt_close(s, dir);
    }
}
END_TEST

START_TEST(tamper_delete_is_caught)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    rt_shell(dir, "DELETE FROM audit_events WHERE seq = 2;");
    expect_broken_at(s, 2);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "missing"));
    rt_close(s, dir);
}
END_TEST

START_TEST(tamper_swap_is_caught)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    /* Swap the whole content of rows 3 and 4, hashes included. */
    rt_shell(dir,
             "CREATE TEMP TABLE t AS SELECT * FROM audit_events WHERE seq IN (3, 4);"
             "UPDATE audit_events SET (time_ms, actor, action, model_id, model, version, key,"
             " old_value, new_value, reason, hash) = (SELECT time_ms, actor, action, model_id,"
             " model, version, key, old_value, new_value, reason, hash FROM t"
             " WHERE t.seq = 7 - audit_events.seq) WHERE seq IN (3, 4);");
    expect_broken_at(s, 3);
    rt_close(s, dir);
}
END_TEST

START_TEST(tamper_reorder_is_caught)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    /* Renumber: events 2 and 5 trade places. */
    rt_shell(dir,
             "UPDATE audit_events SET seq = -2 WHERE seq = 2;"
             "UPDATE audit_events SET seq = 2 WHERE seq = 5;"
             "UPDATE audit_events SET seq = 5 WHERE seq = -2;");
    expect_broken_at(s, 2);
    rt_close(s, dir);
}
END_TEST

START_TEST(truncation_needs_the_published_head)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    int64_t head_seq;
    mlops_digest head;
    TU_OK(mlops_audit_head(s, &head_seq, &head));
    int64_t bad = -1;
    TU_OK(mlops_audit_verify_head(s, head_seq, &head, &bad));
    ck_assert_int_eq(bad, 0);

    /* Cutting the tail leaves a consistent chain... */
    rt_shell(dir, "DELETE FROM audit_events WHERE seq >= 5;");
    TU_OK(mlops_audit_verify(s));
    /* ...but not the published head. */
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify_head(s, head_seq, &head, &bad));
    ck_assert_int_eq(bad, 5);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "published head"));
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_head(s, 0, &head, &bad));
    rt_close(s, dir);
}
END_TEST

/* An attacker who edits an event and recomputes every later hash gets a
 * chain that is consistent in itself; only a head published before the
 * edit exposes it. */
START_TEST(rewritten_chain_needs_the_published_head)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    six_events(s);
    int64_t head_seq;
    mlops_digest head;
    TU_OK(mlops_audit_head(s, &head_seq, &head));
    mlops_store_close(s);

    rt_shell(dir, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3");
    rt_rehash(dir, 0);

    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    TU_OK(mlops_store_open(dir, &o, &s));
    TU_OK(mlops_audit_verify(s));
    int64_t bad;
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify_head(s, head_seq, &head, &bad));
    ck_assert_int_eq(bad, head_seq);
    rt_close(s, dir);
}
END_TEST

START_TEST(empty_log)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    int64_t seq = -1;
    mlops_digest h;
    memset(&h, 0xff, sizeof h);
    TU_OK(mlops_audit_head(s, &seq, &h));
    ck_assert_int_eq(seq, 0);
    static const mlops_digest zero;
    ck_assert_mem_eq(h.bytes, zero.bytes, 32);
    TU_OK(mlops_audit_verify(s));
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, 0, 10, &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 0);
    mlops_audit_events_free(l);
    TU_RC(MLOPS_EINVAL, mlops_audit_verify(NULL));
    TU_RC(MLOPS_EINVAL, mlops_audit_head(s, NULL, &h));
    TU_RC(MLOPS_EINVAL, mlops_audit_list(s, 0, 0, NULL));
    TU_RC(MLOPS_EINVAL, mlops_audit_event_init(NULL, 1));
    TU_RC(MLOPS_EINVAL, mlops_audit_event_init(&(mlops_audit_event){ 0 }, 2));
    rt_close(s, dir);
}
END_TEST

/* ---- With versions and aliases ---------------------------------------- */

/* The time of event seq. */
static int64_t event_time(mlops_store *s, int64_t seq)
{
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, seq - 1, 1, &l));
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &e));
    ck_assert_int_eq(e.seq, seq);
    int64_t t = e.time_ms;
    mlops_audit_events_free(l);
    return t;
}

/* Lets the wall clock move on, so that the next event gets a later time
 * (the test checks that it did). */
static void next_ms(void)
{
    struct timespec ts = { 0, 3 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

START_TEST(point_in_time_alias_queries)
{
    char *dir;
    mlops_store *s = rt_open(&dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "a"), b = rt_put(s, "b");
    int64_t v;
    next_ms();
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v)); /* 2 */
    next_ms();
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v)); /* 3 */
    next_ms();
    TU_OK(mlops_model_alias_set(s, "m", "champion", 1)); /* 4 */
    next_ms();
    TU_OK(mlops_model_alias_set(s, "m", "champion", 2)); /* 5 */
    next_ms();
    TU_OK(mlops_model_alias_delete(s, "m", "champion", NULL)); /* 6 */
    next_ms();
    TU_OK(mlops_model_version_delete(s, "m", 2, NULL)); /* 7 */
    next_ms();
    TU_OK(mlops_model_alias_set(s, "m", "champion", 1)); /* 8 */
    int64_t t[9];
    for (int i = 1; i <= 8; i++) t[i] = event_time(s, i);
    for (int i = 2; i <= 8; i++) ck_assert_int_gt(t[i], t[i - 1]);

    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "m", "champion", t[4] - 1, &v));
    TU_OK(mlops_audit_alias_at(s, "m", "champion", t[4], &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_audit_alias_at(s, "m", "champion", t[5] - 1, &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_audit_alias_at(s, "m", "champion", t[5], &v));
    ck_assert_int_eq(v, 2);
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "m", "champion", t[6], &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "m", "champion", t[8] - 1, &v));
    TU_OK(mlops_audit_alias_at(s, "m", "champion", t[8], &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_audit_alias_at(s, "m", "champion", INT64_MAX, &v));
    ck_assert_int_eq(v, 1);

    /* Reserved aliases from the versions' own times. */
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "m", "latest", t[2] - 1, &v));
    TU_OK(mlops_audit_alias_at(s, "m", "latest", t[2], &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_audit_alias_at(s, "m", "latest", t[3], &v));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_audit_alias_at(s, "m", "latest", t[7], &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_audit_alias_at(s, "m", "v2", t[7] - 1, &v));
    ck_assert_int_eq(v, 2);
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "m", "v2", t[7], &v));
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "m", "v2", t[3] - 1, &v));

    /* After a rename and a deletion the history still answers by name. */
    TU_OK(mlops_model_rename(s, "m", "n", NULL));
    TU_OK(mlops_audit_alias_at(s, "m", "champion", t[5], &v));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_audit_alias_at(s, "n", "champion", t[5], &v));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_model_delete(s, "n", 1, NULL));
    TU_OK(mlops_audit_alias_at(s, "n", "champion", t[5], &v));
    ck_assert_int_eq(v, 2);

    TU_RC(MLOPS_ENOTFOUND, mlops_audit_alias_at(s, "zz", "champion", t[5], &v));
    TU_RC(MLOPS_EINVAL, mlops_audit_alias_at(s, "n", "a b", t[5], &v));
    TU_RC(MLOPS_EINVAL, mlops_audit_alias_at(s, "n", "champion", t[5], NULL));
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

/* A registry with a deleted version and an alias: events 1..7. */
static void registry_state(mlops_store *s)
{
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "a"), b = rt_put(s, "b");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    TU_OK(mlops_model_alias_set(s, "m", "champion", 1));
    TU_OK(mlops_model_alias_set(s, "m", "champion", 2));
    TU_OK(mlops_model_version_delete(s, "m", 3, NULL));
    ck_assert_int_eq(rt_audit_count(s), 7);
    TU_OK(mlops_audit_verify(s));
}

static void expect_state_broken(mlops_store *s, const char *words)
{
    int64_t bad = -1;
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify_head(s, 0, NULL, &bad));
    ck_assert_int_eq(bad, 0); /* the chain itself is intact */
    ck_assert_msg(strstr(mlops_last_error(), words), "message '%s' lacks '%s'",
                  mlops_last_error(), words);
}

START_TEST(tamper_with_registry_rows_is_caught)
{
    static const struct {
        const char *sql, *words;
    } cases[] = {
        { "UPDATE reg_versions SET artifact = (SELECT artifact FROM reg_versions WHERE number = 2)"
          " WHERE number = 1;", "version 1" },
        { "UPDATE reg_versions SET run_id = 'abc' WHERE number = 1;", "version 1" },
        { "UPDATE reg_aliases SET version_id = (SELECT id FROM reg_versions WHERE number = 1);",
          "alias 'champion'" },
        { "UPDATE reg_aliases SET event_seq = 5;", "alias 'champion'" },
        { "DELETE FROM reg_aliases;", "aliases set" },
        { "INSERT INTO reg_aliases SELECT model_id, 'prod', version_id, updated_ms, event_seq, split"
          " FROM reg_aliases;", "alias 'prod'" },
        { "UPDATE reg_versions SET deleted_ms = NULL, delete_seq = NULL WHERE number = 3;",
          "version deletions" },
        { "UPDATE reg_versions SET deleted_ms = NULL WHERE number = 3;", "version 3" },
        { "UPDATE reg_versions SET deleted_ms = 1, delete_seq = 7 WHERE number = 2;",
          "version 2" },
        { "DELETE FROM reg_versions WHERE number = 3;", "version creations" },
        { "UPDATE reg_versions SET number = 4 WHERE number = 3;", "version 4" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir;
        mlops_store *s = rt_open(&dir);
        registry_state(s);
        rt_shell(dir, cases[i].sql);
        expect_state_broken(s, cases[i].words);
        rt_close(s, dir);
    }
}
END_TEST


/* ---- Signing policies and model names (issue 13, finding 2) ----------- */

/* m with versions 1 (signed by the trusted key) and 2 (unsigned), a
 * policy on prod trusting that key, prod -> 1; a second model n. */
static void policy_state(mlops_store *s, char **pub_out)
{
    char *priv, *pub;
    rt_keypair("ED25519", &priv, &pub);
    TU_OK(mlops_model_create(s, "m"));
    TU_OK(mlops_model_create(s, "n"));
    mlops_digest a = rt_put(s, "a"), b = rt_put(s, "b");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &b, NULL, &v));
    TU_OK(mlops_model_version_sign(s, "m", 1, priv, NULL));
    const char *trusted[] = { pub };
    TU_OK(mlops_model_alias_policy_set(s, "m", "prod", trusted, 1, NULL));
    TU_OK(mlops_model_alias_set(s, "m", "prod", 1));
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(s, "m", "prod", 2));
    TU_OK(mlops_audit_verify(s));
    free(priv);
    *pub_out = pub;
}

/* The attack of the issue: one DELETE lifts the policy, an unsigned
 * version becomes prod through the API, and before this fix the chain
 * still verified, even against a head published before the edit. */
START_TEST(deleting_a_policy_is_caught)
{
    char *dir, *pub;
    mlops_store *s = rt_open(&dir);
    policy_state(s, &pub);
    int64_t head_seq;
    mlops_digest head;
    TU_OK(mlops_audit_head(s, &head_seq, &head));

    rt_shell(dir, "DELETE FROM reg_policy_keys;");
    TU_OK(mlops_model_alias_set(s, "m", "prod", 2));
    int64_t bad = -1;
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify_head(s, head_seq, &head, &bad));
    ck_assert_int_eq(bad, 0); /* the chain is intact: the state is not */
    ck_assert_msg(strstr(mlops_last_error(), "signing policies"), "%s", mlops_last_error());
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify(s));
    free(pub);
    rt_close(s, dir);
}
END_TEST

START_TEST(rekeyed_policies_are_caught)
{
    char *apriv, *apub;
    rt_keypair("ED25519", &apriv, &apub); /* the attacker's */
    mlops_digest afp;
    TU_OK(mlops_key_fingerprint(apub, &afp));
    char ahex[65], sql[1024];
    for (int i = 0; i < 32; i++) snprintf(ahex + 2 * i, 3, "%02x", afp.bytes[i]);
    /* The attacker's raw public key, as the sqlite3 shell would write it:
     * read back from a policy set on a scratch store. */
    char *sdir;
    mlops_store *scratch = rt_open(&sdir);
    TU_OK(mlops_model_create(scratch, "x"));
    const char *ak[] = { apub };
    TU_OK(mlops_model_alias_policy_set(scratch, "x", "prod", ak, 1, NULL));
    mlops_store_close(scratch);
    char araw[65] = "";
    {
        tu_db *db = tu_db_open(sdir);
        mlops__conn *c = tu_db_conn(db);
        mlops__stmt *st = NULL;
        TU_OK(mlops__conn_prepare(c, "SELECT public_key FROM reg_policy_keys", &st));
        ck_assert_int_eq(mlops__step(st), MLOPS__ROW);
        ck_assert_int_le(mlops__col_bytes(st, 0), 32);
        const unsigned char *k = mlops__col_blob(st, 0);
        for (int i = 0; i < mlops__col_bytes(st, 0); i++)
            snprintf(araw + 2 * i, 3, "%02X", k[i]);
        mlops__stmt_finalize(st);
        tu_db_close(db);
    }
    tu_rmrf(sdir);
    free(sdir);

    const struct {
        const char *sql, *words;
    } cases[] = {
        /* the attacker's key and its true fingerprint */
        { "UPDATE reg_policy_keys SET public_key = x'%1$s', fingerprint = x'%2$s';",
          "trusts keys the audit log does not give it" },
        /* the attacker's key under the trusted key's fingerprint */
        { "UPDATE reg_policy_keys SET public_key = x'%1$s';", "not the key its fingerprint names" },
        /* the attacker's key added beside the trusted one */
        { "INSERT INTO reg_policy_keys SELECT model_id, alias, x'%2$s', x'%1$s'"
          " FROM reg_policy_keys;", "trusts keys the audit log does not give it" },
        /* a policy the log never set */
        { "INSERT INTO reg_policy_keys SELECT model_id, 'staging', fingerprint, public_key"
          " FROM reg_policy_keys;", "alias 'staging'" },
        /* moved to another model */
        { "UPDATE reg_policy_keys SET model_id = (SELECT id FROM reg_models WHERE name = 'n');",
          "alias 'prod'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir, *pub;
        mlops_store *s = rt_open(&dir);
        policy_state(s, &pub);
        snprintf(sql, sizeof sql, cases[i].sql, araw, ahex);
        rt_shell(dir, sql);
        expect_state_broken(s, cases[i].words);
        free(pub);
        rt_close(s, dir);
    }
    free(apriv);
    free(apub);
}
END_TEST

START_TEST(model_names_are_checked_against_the_log)
{
    const struct {
        const char *sql, *words;
    } cases[] = {
        /* swap the names of m and n */
        { "UPDATE reg_models SET name = 'tmp' WHERE name = 'm';"
          "UPDATE reg_models SET name = 'm' WHERE name = 'n';"
          "UPDATE reg_models SET name = 'n' WHERE name = 'tmp';", "named it otherwise" },
        { "UPDATE reg_models SET name = 'other' WHERE name = 'n';", "'other'" },
        { "UPDATE reg_models SET deleted_ms = 1 WHERE name = 'n';", "(deleted)" },
        { "UPDATE reg_models SET deleted_ms = NULL WHERE name = 'gone';", "deleted it" },
        { "INSERT INTO reg_models(name, created_ms, updated_ms) VALUES ('new', 1, 1);",
          "says nothing of it" },
        { "DELETE FROM reg_models WHERE name = 'gone';", "model creations" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir, *pub;
        mlops_store *s = rt_open(&dir);
        policy_state(s, &pub);
        TU_OK(mlops_model_create(s, "gone"));
        TU_OK(mlops_model_delete(s, "gone", 0, NULL));
        TU_OK(mlops_model_rename(s, "n", "n2", NULL));
        TU_OK(mlops_model_rename(s, "n2", "n", NULL));
        TU_OK(mlops_audit_verify(s));
        rt_shell(dir, cases[i].sql);
        expect_state_broken(s, cases[i].words);
        free(pub);
        rt_close(s, dir);
    }
}
END_TEST

/* ---- Kinds and formats -------------------------------------------------- */

/* Verify accepts only kinds it understands, with their documented shape,
 * even when the attacker recomputes every hash. */
START_TEST(unknown_or_misshapen_kinds_are_refused)
{
    static const struct {
        const char *sql, *words;
    } cases[] = {
        { "UPDATE audit_events SET action = 'model.teleport' WHERE seq = 4;", "not one this" },
        { "UPDATE audit_events SET key = NULL WHERE seq = 4;", "needs a key" },
        { "UPDATE audit_events SET version = 3 WHERE seq = 4;", "has no version" },
        { "UPDATE audit_events SET new_value = NULL WHERE seq = 4;", "needs a new value" },
        { "UPDATE audit_events SET payload = x'00' WHERE seq = 4;", "has no payload" },
        { "UPDATE audit_events SET model_id = 0 WHERE seq = 4;", "model id" },
        { "UPDATE audit_events SET format = 1 WHERE seq = 4;", "format 1 is not one of 2" },
        { "UPDATE audit_events SET format = 3 WHERE seq = 4;", "format 3" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir;
        mlops_store *s = rt_open(&dir);
        six_events(s);
        mlops_store_close(s);
        rt_shell(dir, cases[i].sql);
        if (!strstr(cases[i].sql, "format = 3")) rt_rehash(dir, 0);
        s = rt_reopen(dir);
        expect_broken_at(s, 4);
        ck_assert_msg(strstr(mlops_last_error(), cases[i].words), "'%s' lacks '%s'",
                      mlops_last_error(), cases[i].words);
        rt_close(s, dir);
    }
}
END_TEST

/* A store written by 1.0 (schema 1, events in format 1) is migrated on
 * open: its events keep their bytes and hashes, so they still verify, also
 * against a head published before; new events are format 2. */
/* SQLite only: libmlops 1.0 stores were all SQLite files. */
START_TEST(format_1_store_is_migrated_and_still_verifies)
{
    char *dir;
    mlops_store *s = rt_open_local(&dir);
    registry_state(s);
    mlops_store_close(s);
    rt_make_v1_store(dir);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM pragma_table_info('audit_events')"
                                    " WHERE name IN ('format', 'payload')"),
                     0);
    /* The published head of the 1.0 store. */
    mlops_digest head;
    {
        tu_db *db = tu_db_open(dir);
        tu_db_blob(db, "SELECT hash FROM audit_events WHERE seq = 7", NULL, 0, head.bytes, 32);
        tu_db_close(db);
    }

    /* Read-only cannot migrate. */
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "needs migrating"));

    s = rt_reopen(dir);
    int v = 0;
    TU_OK(mlops_store_format_version(s, &v));
    ck_assert_int_eq(v, MLOPS__FORMAT_VERSION); /* every step since 1, in one open */
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM sqlite_master"
                                    " WHERE name IN ('reg_evaluations', 'tx_requests')"),
                     2);
    int64_t bad = -1;
    TU_OK(mlops_audit_verify_head(s, 7, &head, &bad));
    TU_OK(mlops_model_alias_set(s, "m", "champion", 1));
    TU_OK(mlops_audit_verify_head(s, 7, &head, &bad));
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events WHERE format = 1"), 7);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM sqlite_master"
                                    " WHERE name = 'audit_events_state'"),
                     1);
    ck_assert_int_eq(rt_db_int(dir, "SELECT format FROM audit_events WHERE seq = 8"), 2);
    /* An old event edited is still caught, in its own format. */
    rt_shell(dir, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2;");
    expect_broken_at(s, 2);
    rt_close(s, dir);
}
END_TEST

/* A format 3 store (1.1 before gates) gains the gate tables and the split
 * column on its first read-write open: its aliases stay plain (split
 * NULL), its chain verifies, and a gate can be set right after. */
/* SQLite only: the PostgreSQL suites create every store at version 2
 * and step it through 3 and 4 (lib/store/schema.c), which covers the
 * step there. */
START_TEST(format_3_store_is_migrated_to_4)
{
    char *dir;
    mlops_store *s = rt_open_local(&dir);
    registry_state(s);
    mlops_store_close(s);
    rt_make_v3_store(dir);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM sqlite_master"
                                    " WHERE name IN ('reg_gates', 'reg_alias_salts')"),
                     0);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(dir, &o, &s));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "format version 3"));
    s = rt_reopen(dir);
    int v = 0;
    TU_OK(mlops_store_format_version(s, &v));
    ck_assert_int_eq(v, MLOPS__FORMAT_VERSION);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM sqlite_master"
                                    " WHERE name IN ('reg_gates', 'reg_alias_salts')"),
                     2);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_aliases WHERE split IS NULL"),
                     rt_db_int(dir, "SELECT count(*) FROM reg_aliases"));
    TU_OK(mlops_audit_verify(s));
    int64_t n = 0;
    TU_OK(mlops_model_alias_get(s, "m", "champion", &n));
    ck_assert_int_eq(n, 2);
    rt_close(s, dir);
}
END_TEST

/* The migration is one transaction: when a step fails, the store stays at
 * version 1 with none of the steps done. */
/* SQLite only, as the migration of a 1.0 store above. */
START_TEST(failed_migration_changes_nothing)
{
    char *dir;
    mlops_store *s = rt_open_local(&dir);
    six_events(s);
    mlops_store_close(s);
    rt_make_v1_store(dir);
    /* The second step (adding payload) will find the column there. */
    rt_shell(dir, "ALTER TABLE audit_events ADD COLUMN payload TEXT;");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    ck_assert_int_ne(mlops_store_open(dir, &o, &s), MLOPS_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rt_db_int(dir, "PRAGMA user_version"), 1);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM pragma_table_info('audit_events')"
                                    " WHERE name = 'format'"),
                     0);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM sqlite_master"
                                    " WHERE name = 'audit_events_state'"),
                     0);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM sqlite_master"
                                    " WHERE name = 'reg_evaluations'"),
                     0);
    rt_shell(dir, "ALTER TABLE audit_events DROP COLUMN payload;");
    s = rt_reopen(dir);
    TU_OK(mlops_audit_verify(s));
    rt_close(s, dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_audit");
    TCase *tc = tcase_create("audit");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, encoding_is_canonical_and_pinned);
    tcase_add_test(tc, chain_hashes_follow_the_documented_formula);
    tcase_add_test(tc, events_record_actor_reason_and_values);
    tcase_add_test(tc, store_actor_is_the_default);
    tcase_add_test(tc, tamper_edit_is_caught);
    tcase_add_test(tc, tamper_edit_of_each_column_is_caught);
    tcase_add_test(tc, tamper_delete_is_caught);
    tcase_add_test(tc, tamper_swap_is_caught);
    tcase_add_test(tc, tamper_reorder_is_caught);
    tcase_add_test(tc, truncation_needs_the_published_head);
    tcase_add_test(tc, rewritten_chain_needs_the_published_head);
    tcase_add_test(tc, empty_log);
    tcase_add_test(tc, point_in_time_alias_queries);
    tcase_add_test(tc, tamper_with_registry_rows_is_caught);
    tcase_add_test(tc, deleting_a_policy_is_caught);
    tcase_add_test(tc, rekeyed_policies_are_caught);
    tcase_add_test(tc, model_names_are_checked_against_the_log);
    tcase_add_test(tc, unknown_or_misshapen_kinds_are_refused);
    tcase_add_test(tc, format_1_store_is_migrated_and_still_verifies);
    tcase_add_test(tc, format_3_store_is_migrated_to_4);
    tcase_add_test(tc, failed_migration_changes_nothing);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
