/* The second half of mlops_audit_verify: the registry's current state must
 * be what its events say. Each version row names the event that created it
 * (and deleted it), each alias row the event that last set it; these must
 * exist, agree, and account for every such event. Signing policies and
 * model names have no such link: they are rebuilt from the last
 * alias.policy.* and model.create/rename/delete event of each and
 * compared. An attacker who edits a version's artifact, points an alias
 * elsewhere, removes or re-keys a policy or swaps two models' names with
 * the sqlite3 shell, without forging the chain, is caught here. */
#include "registry/alias_move.h"
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/hash.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>

static int state_bad(const char *fn, const char *what)
{
    return mlops__err(MLOPS_ECORRUPT, "%s: %s", fn, what);
}

static int text_eq(mlops__stmt *st, int i, const char *want)
{
    const char *t = mlops__col_text(st, i);
    return t && !strcmp(t, want);
}

/* The new_value a version.create event records for a version. */
static void version_create_value(mlops__stmt *st, int artifact_col, int run_col, char *out,
                                 size_t n)
{
    mlops_digest d = { { 0 } };
    if (mlops__col_bytes(st, artifact_col) == 32)
        memcpy(d.bytes, mlops__col_blob(st, artifact_col), 32);
    char text[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&d, text);
    const char *run = mlops__col_text(st, run_col);
    if (run) snprintf(out, n, "%s run:%s", text, run);
    else snprintf(out, n, "%s", text);
}

static int check_versions(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT v.model_id, v.number, v.artifact, v.run_id, "
        "  CASE WHEN v.deleted_ms IS NOT NULL THEN 1 ELSE 0 END, "
        "  v.create_seq, v.delete_seq, "
        "  ce.action, ce.model_id, ce.version, ce.new_value, "
        "  de.action, de.model_id, de.version "
        "FROM reg_versions v "
        "LEFT JOIN audit_events ce ON ce.seq = v.create_seq "
        "LEFT JOIN audit_events de ON de.seq = v.delete_seq",
        &st);
    if (rc) return rc;
    char want[MLOPS_DIGEST_STRLEN + 300], msg[700];
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t model_id = mlops__col_int64(st, 0), number = mlops__col_int64(st, 1);
        int deleted = mlops__col_int(st, 4);
        version_create_value(st, 2, 3, want, sizeof want);
        if (!text_eq(st, 7, "version.create") || mlops__col_int64(st, 8) != model_id ||
            mlops__col_int64(st, 9) != number || !text_eq(st, 10, want)) {
            snprintf(msg, sizeof msg,
                     "version %lld of model id %lld (artifact and run: %s) does not match "
                     "the audit event that created it (seq %lld)",
                     (long long)number, (long long)model_id, want,
                     (long long)mlops__col_int64(st, 5));
            rc = state_bad(fn, msg);
            break;
        }
        int has_delete = !mlops__col_null(st, 6);
        if (deleted != has_delete ||
            (has_delete && (!text_eq(st, 11, "version.delete") ||
                            mlops__col_int64(st, 12) != model_id ||
                            mlops__col_int64(st, 13) != number))) {
            snprintf(msg, sizeof msg,
                     "version %lld of model id %lld is %s, which the audit log does not "
                     "record",
                     (long long)number, (long long)model_id, deleted ? "deleted" : "live");
            rc = state_bad(fn, msg);
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading versions");
    mlops__reset(st);
    return rc;
}

static int check_aliases(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT a.model_id, a.alias, v.number, a.event_seq, e.action, e.model_id, e.key, "
        "  e.new_value, "
        "  (SELECT max(f.seq) FROM audit_events f WHERE f.model_id = a.model_id "
        "     AND f.key = a.alias "
        "     AND f.action IN ('alias.set', 'alias.move', 'alias.delete')) "
        "FROM reg_aliases a "
        "LEFT JOIN reg_versions v ON v.id = a.version_id "
        "LEFT JOIN audit_events e ON e.seq = a.event_seq",
        &st);
    if (rc) return rc;
    char num[32], msg[700];
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t model_id = mlops__col_int64(st, 0);
        const char *alias = mlops__col_text(st, 1);
        snprintf(num, sizeof num, "%lld", (long long)mlops__col_int64(st, 2));
        int64_t seq = mlops__col_int64(st, 3);
        if (!alias || mlops__col_null(st, 2) ||
            !(text_eq(st, 4, "alias.set") || text_eq(st, 4, "alias.move")) ||
            mlops__col_int64(st, 5) != model_id || !text_eq(st, 6, alias) ||
            !text_eq(st, 7, num) || mlops__col_int64(st, 8) != seq) {
            snprintf(msg, sizeof msg,
                     "alias '%s' of model id %lld points at version %s, which is not where "
                     "the audit log last put it",
                     alias ? alias : "?", (long long)model_id, num);
            rc = state_bad(fn, msg);
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading aliases");
    mlops__reset(st);
    return rc;
}

/* Every event that leaves state behind must have its row: counts close
 * the gap the row-by-row checks leave (a row removed outright). The aliases
 * the log leaves set are the (model, alias) groups whose last event sets
 * or moves it: one grouping pass. (A "no later event" test per event was
 * quadratic on PostgreSQL: its hash anti join put a busy alias's events
 * in one bucket, 3 s for 10,000 moves. walk_chain has already checked
 * that every alias event has a key.) */
static int check_counts(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT "
        " (SELECT count(*) FROM audit_events WHERE action = 'version.create'),"
        " (SELECT count(*) FROM reg_versions),"
        " (SELECT count(*) FROM audit_events WHERE action = 'version.delete'),"
        " (SELECT count(*) FROM reg_versions WHERE delete_seq IS NOT NULL),"
        " (SELECT count(*) FROM (SELECT max(seq) AS last FROM audit_events"
        "    WHERE action IN ('alias.set', 'alias.move', 'alias.delete')"
        "    GROUP BY model_id, key) l"
        "  JOIN audit_events e ON e.seq = l.last"
        "  WHERE e.action IN ('alias.set', 'alias.move')),"
        " (SELECT count(*) FROM reg_aliases)",
        &st);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        int64_t n[6];
        for (int i = 0; i < 6; i++) n[i] = mlops__col_int64(st, i);
        char msg[300];
        if (n[0] != n[1]) {
            snprintf(msg, sizeof msg,
                     "the audit log records %lld version creations but %lld versions exist",
                     (long long)n[0], (long long)n[1]);
            rc = state_bad(fn, msg);
        } else if (n[2] != n[3]) {
            snprintf(msg, sizeof msg,
                     "the audit log records %lld version deletions but %lld versions are "
                     "deleted",
                     (long long)n[2], (long long)n[3]);
            rc = state_bad(fn, msg);
        } else if (n[4] != n[5]) {
            snprintf(msg, sizeof msg,
                     "the audit log leaves %lld aliases set but %lld are set",
                     (long long)n[4], (long long)n[5]);
            rc = state_bad(fn, msg);
        }
    } else {
        rc = mlops__conn_error(c, step, "counting registry rows");
    }
    mlops__reset(st);
    return rc;
}

/* Each model's name and deletion against its last model.create, .rename
 * or .delete event (the name it gives: new_value, or old_value for a
 * delete), and one model.create per row. */
static int check_models(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT m.id, m.name, CASE WHEN m.deleted_ms IS NOT NULL THEN 1 ELSE 0 END, "
        "  e.seq, e.action, "
        "  coalesce(e.new_value, e.old_value) "
        "FROM reg_models m "
        "LEFT JOIN audit_events e ON e.seq = (SELECT max(f.seq) FROM audit_events f "
        "  WHERE f.model_id = m.id "
        "    AND f.action IN ('model.create', 'model.rename', 'model.delete') "
        "    AND f.action IN " MLOPS__AUDIT_STATE_ACTIONS ")",
        &st);
    if (rc) return rc;
    char msg[700];
    int64_t created = 0, rows = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t id = mlops__col_int64(st, 0);
        const char *name = mlops__col_text(st, 1);
        int deleted = mlops__col_int(st, 2);
        const char *logged = mlops__col_text(st, 5);
        if (mlops__col_null(st, 3) || !name || !logged ||
            strcmp(name, logged) != 0 || deleted != text_eq(st, 4, "model.delete")) {
            snprintf(msg, sizeof msg,
                     "model id %lld is called '%s'%s, but the audit log last %s",
                     (long long)id, name ? name : "?", deleted ? " (deleted)" : "",
                     mlops__col_null(st, 3) ? "says nothing of it"
                     : text_eq(st, 4, "model.delete")          ? "deleted it"
                                                               : "named it otherwise");
            if (logged && !mlops__col_null(st, 3)) {
                size_t len = strlen(msg);
                snprintf(msg + len, sizeof msg - len, " ('%s', event %lld)", logged,
                         (long long)mlops__col_int64(st, 3));
            }
            rc = state_bad(fn, msg);
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading models");
    mlops__reset(st);
    if (rc) return rc;
    /* Every row agrees with its events: a creation left over is a row
     * removed. */
    rc = mlops__conn_stmt(c,
                          "SELECT (SELECT count(*) FROM audit_events WHERE action = "
                          "'model.create' AND action IN " MLOPS__AUDIT_STATE_ACTIONS "), "
                          "(SELECT count(*) FROM reg_models)",
                          &st);
    if (rc) return rc;
    step = mlops__step(st);
    if (step != MLOPS__ROW) {
        rc = mlops__conn_error(c, step, "counting models");
    } else if ((created = mlops__col_int64(st, 0)) != (rows = mlops__col_int64(st, 1))) {
        snprintf(msg, sizeof msg,
                 "the audit log records %lld model creations but %lld models exist",
                 (long long)created, (long long)rows);
        rc = state_bad(fn, msg);
    }
    mlops__reset(st);
    return rc;
}

/* The last alias.policy.* event of (model_id, alias) must be a set whose
 * fingerprint list is `have`. */
static int check_policy_event(mlops__conn *c, const char *fn, int64_t model_id,
                              const char *alias, const char *have)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT action, new_value FROM audit_events "
                              "WHERE model_id = ?1 AND key = ?2 "
                              "  AND action IN ('alias.policy.set', 'alias.policy.delete') "
                              "ORDER BY seq DESC LIMIT 1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        rc = mlops__conn_error(c, step, "reading signing policy events");
    else if (step == MLOPS__DONE || !text_eq(st, 0, "alias.policy.set") || !text_eq(st, 1, have)) {
        char msg[700];
        snprintf(msg, sizeof msg,
                 "the signing policy of alias '%s' of model id %lld trusts keys the audit log "
                 "does not give it (%.300s)",
                 alias, (long long)model_id, have);
        rc = state_bad(fn, msg);
    }
    mlops__reset(st);
    return rc;
}

/* Rebuilds each stored policy's fingerprint list from its public keys
 * (the events hold fingerprints only, so a stored fingerprint is not taken
 * on trust) and compares it with the log; then counts policies, which
 * catches one removed outright. */
static int check_policies(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT model_id, alias, fingerprint, public_key "
                              "FROM reg_policy_keys ORDER BY model_id, alias, fingerprint",
                              &st);
    if (rc) return rc;
    /* Rows of the current (model_id, alias): its text list, grown as read. */
    char *list = NULL, *alias = NULL;
    size_t len = 0, cap = 0;
    int64_t model_id = 0, npolicies = 0;
    int step;
    for (;;) {
        step = mlops__step(st);
        int row = step == MLOPS__ROW;
        const char *a = row ? mlops__col_text(st, 1) : NULL;
        int64_t m = row ? mlops__col_int64(st, 0) : 0;
        if (alias && (!row || m != model_id || !a || strcmp(a, alias) != 0)) {
            npolicies++;
            rc = check_policy_event(c, fn, model_id, alias, list);
            free(alias);
            alias = NULL;
            len = 0;
            if (rc) break;
        }
        if (!row) break;
        mlops_digest fp;
        const void *pub = mlops__col_blob(st, 3);
        if (!a || mlops__col_bytes(st, 3) != 32 || mlops__col_bytes(st, 2) != 32 ||
            (rc = mlops__sha256_oneshot(pub, 32, &fp)) != MLOPS_OK ||
            memcmp(fp.bytes, mlops__col_blob(st, 2), 32) != 0) {
            char msg[500];
            if (!rc) {
                snprintf(msg, sizeof msg,
                         "a trusted key of the signing policy of alias '%s' of model id %lld is "
                         "not the key its fingerprint names",
                         a ? a : "?", (long long)m);
                rc = state_bad(fn, msg);
            }
            break;
        }
        if (!alias) {
            alias = strdup(a);
            model_id = m;
            if (!alias) {
                rc = mlops__err_nomem("checking signing policies");
                break;
            }
        }
        if (len + MLOPS_DIGEST_STRLEN + 1 > cap) {
            size_t ncap = cap ? 2 * cap : 4 * (MLOPS_DIGEST_STRLEN + 1);
            char *p = realloc(list, ncap);
            if (!p) {
                rc = mlops__err_nomem("checking signing policies");
                break;
            }
            list = p;
            cap = ncap;
        }
        if (len) list[len++] = ',';
        mlops__reg_digest_text(&fp, list + len);
        len += strlen(list + len);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading signing policies");
    mlops__reset(st);
    free(alias);
    free(list);
    if (rc) return rc;

    rc = mlops__conn_stmt(
        c,
        "SELECT count(*) FROM audit_events e WHERE e.action = 'alias.policy.set'"
        "  AND e.action IN " MLOPS__AUDIT_STATE_ACTIONS
        "  AND NOT EXISTS (SELECT 1 FROM audit_events f WHERE f.model_id = e.model_id"
        "    AND f.key = e.key AND f.seq > e.seq"
        "    AND f.action IN ('alias.policy.set', 'alias.policy.delete'))",
        &st);
    if (rc) return rc;
    step = mlops__step(st);
    if (step != MLOPS__ROW) {
        rc = mlops__conn_error(c, step, "counting signing policies");
    } else if (mlops__col_int64(st, 0) != npolicies) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "the audit log leaves %lld signing policies set but %lld are stored",
                 (long long)mlops__col_int64(st, 0), (long long)npolicies);
        rc = state_bad(fn, msg);
    }
    mlops__reset(st);
    return rc;
}

int mlops__audit_check_state(mlops__conn *c, const char *fn)
{
    int rc = check_versions(c, fn);
    if (!rc) rc = check_aliases(c, fn);
    if (!rc) rc = check_counts(c, fn);
    if (!rc) rc = check_models(c, fn);
    if (!rc) rc = check_policies(c, fn);
    if (!rc) rc = mlops__audit_check_gates(c, fn);
    return rc;
}
