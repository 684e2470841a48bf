/* Signed checkpoints of the audit log (issue 13, finding 7): what a
 * checkpoint attests, and the attacks it catches, done with the sqlite3
 * shell and a recomputed chain as an attacker with write access would. */
#include "audit_helpers.h"

/* Events 1..6 about model m, then a checkpoint (event 7) of head 6 by the
 * key pair (priv, pub). */
static mlops_store *checkpointed(char **dir, char **priv, char **pub)
{
    rt_keypair("ED25519", priv, pub);
    mlops_store *s = rt_open(dir);
    TU_OK(mlops_model_create(s, "m"));
    mlops_digest a = rt_put(s, "a");
    int64_t v;
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_version_create(s, "m", &a, NULL, &v));
    TU_OK(mlops_model_alias_set(s, "m", "prod", 1));
    TU_OK(mlops_model_tag_set(s, "m", "team", "vision", NULL));
    TU_OK(mlops_model_tag_set(s, "m", "team", "nlp", NULL));
    int64_t covered = 0;
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.actor = tu_actor("release-bot");
    ch.reason = "nightly";
    TU_OK(mlops_audit_checkpoint(s, *priv, &ch, &covered));
    ck_assert_int_eq(covered, 6);
    ck_assert_int_eq(rt_audit_count(s), 7);
    return s;
}

static int verify_with(mlops_store *s, const char *pub, int64_t min_seq, mlops_audit_report *r)
{
    mlops_audit_verify_opts o;
    TU_OK(mlops_audit_verify_opts_init(&o, MLOPS_AUDIT_VERIFY_OPTS_VERSION));
    const char *keys[] = { pub };
    o.trusted_keys = pub ? keys : NULL;
    o.n_trusted_keys = pub ? 1 : 0;
    o.min_seq = min_seq;
    TU_OK(mlops_audit_report_init(r, MLOPS_AUDIT_REPORT_VERSION));
    return mlops_audit_verify_ex(s, &o, r);
}

START_TEST(checkpoint_attests_the_log_up_to_its_head)
{
    char *dir, *priv, *pub;
    mlops_store *s = checkpointed(&dir, &priv, &pub);

    /* The event: about no model, the key's fingerprint, the head signed. */
    mlops_audit_events *l;
    TU_OK(mlops_audit_list(s, 6, 0, &l));
    mlops_audit_event ev = MLOPS_AUDIT_EVENT_INIT, prev = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &ev));
    ck_assert_str_eq(ev.action, "audit.checkpoint");
    ck_assert_str_eq(ev.actor, tu_actor("release-bot"));
    ck_assert_str_eq(ev.model, "");
    mlops_digest fp;
    TU_OK(mlops_key_fingerprint(pub, &fp));
    char fptext[MLOPS_DIGEST_STRLEN], head[100], hashtext[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&fp, fptext));
    ck_assert_str_eq(ev.key, fptext);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_list(s, 5, 1, &l));
    TU_OK(mlops_audit_events_get(l, 0, &prev));
    TU_OK(mlops_digest_format(&prev.hash, hashtext));
    snprintf(head, sizeof head, "6:%s", hashtext);
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_list(s, 6, 0, &l));
    TU_OK(mlops_audit_events_get(l, 0, &ev));
    ck_assert_str_eq(ev.new_value, head);
    mlops_audit_events_free(l);

    mlops_audit_report r;
    TU_OK(verify_with(s, pub, 6, &r));
    ck_assert_int_eq(r.events, 7);
    ck_assert_int_eq(r.first_bad, 0);
    ck_assert_int_eq(r.checkpoints, 1);
    ck_assert_int_eq(r.attested_seq, 6);
    ck_assert_int_eq(r.unattested, 1); /* the checkpoint event itself */
    /* Later events are unattested until the next checkpoint. */
    TU_OK(mlops_model_alias_set(s, "m", "prod", 2));
    TU_OK(verify_with(s, pub, 0, &r));
    ck_assert_int_eq(r.attested_seq, 6);
    ck_assert_int_eq(r.unattested, 2);
    TU_RC(MLOPS_ESIGNATURE, verify_with(s, pub, 8, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "covers event 8"));
    int64_t covered;
    TU_OK(mlops_audit_checkpoint(s, priv, NULL, &covered));
    ck_assert_int_eq(covered, 8);
    TU_OK(verify_with(s, pub, 8, &r));
    ck_assert_int_eq(r.checkpoints, 2);
    ck_assert_int_eq(r.attested_seq, 8);

    /* Without trusted keys, checkpoints are checked but attest nothing. */
    TU_OK(verify_with(s, NULL, 0, &r));
    ck_assert_int_eq(r.checkpoints, 2);
    ck_assert_int_eq(r.attested_seq, 0);
    ck_assert_int_eq(r.unattested, 9);
    TU_OK(mlops_audit_verify(s));
    TU_OK(mlops_audit_verify_ex(s, NULL, NULL));
    /* A checkpoint by a key the verifier does not trust fails. */
    char *opriv, *opub;
    rt_keypair("ED25519", &opriv, &opub);
    TU_RC(MLOPS_ECORRUPT, verify_with(s, opub, 0, &r));
    ck_assert_int_eq(r.first_bad, 7);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not one of the trusted keys"));
    free(opriv);
    free(opub);
    free(priv);
    free(pub);
    rt_close(s, dir);
}
END_TEST

/* The attack of the issue: history appended with the sqlite3 shell and a
 * recomputed hash (an alias.move by "release-bot") verifies as a chain,
 * but is reported unattested and fails --min-seq. */
START_TEST(forged_events_after_a_checkpoint_are_unattested)
{
    char *dir, *priv, *pub;
    mlops_store *s = checkpointed(&dir, &priv, &pub);
    mlops_store_close(s);
    rt_shell(dir, "INSERT INTO audit_events(seq, time_ms, actor, action, model_id, model, version,"
                  " key, old_value, new_value, reason, hash, format)"
                  " SELECT 8, time_ms, 'release-bot', 'alias.move', 1, 'm', NULL, 'prod', '1',"
                  " '2', NULL, zeroblob(32), 2 FROM audit_events WHERE seq = 7;"
                  "UPDATE reg_aliases SET version_id = (SELECT id FROM reg_versions"
                  " WHERE number = 2), event_seq = 8;");
    rt_rehash(dir, 0);
    s = rt_reopen(dir);
    TU_OK(mlops_audit_verify(s)); /* the chain alone cannot tell */
    mlops_audit_report r;
    TU_OK(verify_with(s, pub, 0, &r));
    ck_assert_int_eq(r.attested_seq, 6);
    ck_assert_int_eq(r.unattested, 2);
    TU_RC(MLOPS_ESIGNATURE, verify_with(s, pub, 8, &r));
    free(priv);
    free(pub);
    rt_close(s, dir);
}
END_TEST

/* Rewriting history before a checkpoint: recomputing the chain leaves the
 * checkpoint disagreeing with it; making the checkpoint name the new head
 * breaks its signature; a re-signed checkpoint by another key is not
 * trusted; removing the checkpoints leaves nothing attested. */
START_TEST(rewritten_history_before_a_checkpoint_is_caught)
{
    static const struct {
        const char *sql, *words;
        int64_t bad;
    } cases[] = {
        { "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;", "disagrees with the chain",
          7 },
        { "UPDATE audit_events SET payload = substr(payload, 1, 60) || x'00' ||"
          " substr(payload, 62) WHERE seq = 7;",
          "signature does not verify", 7 },
        { "UPDATE audit_events SET payload = substr(payload, 1, 37) || x'00' WHERE seq = 7;",
          "payload is not", 7 },
        { "UPDATE audit_events SET new_value = '5' || substr(new_value, 2) WHERE seq = 7;",
          "head just before it", 7 },
        { "UPDATE audit_events SET key = 'sha256:"
          "0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = 7;",
          "fingerprint of its key", 7 },
        { "UPDATE audit_events SET format = 1, payload = NULL WHERE seq >= 7;",
          "cannot be in format 1", 7 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir, *priv, *pub;
        mlops_store *s = checkpointed(&dir, &priv, &pub);
        mlops_store_close(s);
        rt_shell(dir, cases[i].sql);
        rt_rehash(dir, 0);
        s = rt_reopen(dir);
        mlops_audit_report r;
        TU_RC(MLOPS_ECORRUPT, verify_with(s, pub, 0, &r));
        ck_assert_msg(strstr(mlops_last_error(), cases[i].words), "case %zu: '%s' lacks '%s'", i,
                      mlops_last_error(), cases[i].words);
        ck_assert_int_eq(r.first_bad, cases[i].bad);
        /* Without a key too: the checkpoint does not verify in itself. */
        TU_RC(MLOPS_ECORRUPT, mlops_audit_verify(s));
        free(priv);
        free(pub);
        rt_close(s, dir);
    }

    /* The attacker rewrites, then checkpoints with a key of their own. */
    char *dir, *priv, *pub, *apriv, *apub;
    mlops_store *s = checkpointed(&dir, &priv, &pub);
    rt_keypair("ED25519", &apriv, &apub);
    mlops_store_close(s);
    rt_shell(dir, "DELETE FROM audit_events WHERE seq = 7;"
                  "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;");
    rt_rehash(dir, 0);
    s = rt_reopen(dir);
    TU_OK(mlops_audit_checkpoint(s, apriv, NULL, NULL));
    mlops_audit_report r;
    TU_RC(MLOPS_ECORRUPT, verify_with(s, pub, 0, &r));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not one of the trusted keys"));
    /* Removing every checkpoint leaves nothing attested. */
    mlops_store_close(s);
    rt_shell(dir, "DELETE FROM audit_events WHERE seq = 7;");
    s = rt_reopen(dir);
    TU_OK(verify_with(s, pub, 0, &r));
    ck_assert_int_eq(r.attested_seq, 0);
    ck_assert_int_eq(r.unattested, 6);
    TU_RC(MLOPS_ESIGNATURE, verify_with(s, pub, 1, &r));
    free(apriv);
    free(apub);
    free(priv);
    free(pub);
    rt_close(s, dir);
}
END_TEST

START_TEST(checkpoint_bad_input)
{
    char *dir, *priv, *pub, *ecpriv, *ecpub;
    rt_keypair("ED25519", &priv, &pub);
    rt_keypair("EC", &ecpriv, &ecpub);
    mlops_store *s = rt_open(&dir);
    int64_t covered = -1;
    TU_RC(MLOPS_ENOTFOUND, mlops_audit_checkpoint(s, priv, NULL, &covered));
    ck_assert_int_eq(covered, 0);
    TU_OK(mlops_model_create(s, "m"));
    TU_RC(MLOPS_EINVAL, mlops_audit_checkpoint(NULL, priv, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_audit_checkpoint(s, NULL, NULL, NULL));
    TU_RC(MLOPS_EFORMAT, mlops_audit_checkpoint(s, pub, NULL, NULL));
    TU_RC(MLOPS_EFORMAT, mlops_audit_checkpoint(s, "not a key", NULL, NULL));
    TU_RC(MLOPS_EUNSUPPORTED, mlops_audit_checkpoint(s, ecpriv, NULL, NULL));
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.actor = "";
    TU_RC(MLOPS_EINVAL, mlops_audit_checkpoint(s, priv, &ch, NULL));
    ck_assert_int_eq(rt_audit_count(s), 1);

    mlops_audit_verify_opts o = MLOPS_AUDIT_VERIFY_OPTS_INIT;
    mlops_audit_report r = MLOPS_AUDIT_REPORT_INIT;
    o.min_seq = 1; /* without trusted keys */
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(s, &o, &r));
    o.min_seq = -1;
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(s, &o, &r));
    o.min_seq = 0;
    o.n_trusted_keys = 1; /* NULL array */
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(s, &o, &r));
    const char *keys[] = { ecpub };
    o.trusted_keys = keys;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_audit_verify_ex(s, &o, &r));
    keys[0] = priv;
    TU_RC(MLOPS_EFORMAT, mlops_audit_verify_ex(s, &o, &r));
    o = (mlops_audit_verify_opts)MLOPS_AUDIT_VERIFY_OPTS_INIT;
    mlops_digest zero = { { 0 } };
    o.head_hash = &zero; /* head_seq 0 */
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(s, &o, &r));
    o.version = 9;
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(s, &o, &r));
    r.version = 0;
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(s, NULL, &r));
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_ex(NULL, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_opts_init(NULL, 1));
    TU_RC(MLOPS_EINVAL, mlops_audit_verify_opts_init(&o, 2));
    TU_RC(MLOPS_EINVAL, mlops_audit_report_init(&r, 0));

    /* Read-only handles cannot sign. */
    mlops_store_close(s);
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.read_only = 1;
    TU_OK(mlops_store_open(dir, &so, &s));
    TU_RC(MLOPS_EREADONLY, mlops_audit_checkpoint(s, priv, NULL, NULL));
    free(priv);
    free(pub);
    free(ecpriv);
    free(ecpub);
    rt_close(s, dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, checkpoint_attests_the_log_up_to_its_head);
    tcase_add_test(tc, forged_events_after_a_checkpoint_are_unattested);
    tcase_add_test(tc, rewritten_history_before_a_checkpoint_is_caught);
    tcase_add_test(tc, checkpoint_bad_input);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
