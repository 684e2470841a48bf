/* The second half of mlops_audit_verify: the registry's current state must
 * be what its events say. Each version row names the event that created it
 * (and deleted it), each alias row the event that last set it; these must
 * exist, agree, and account for every such event. An attacker who edits a
 * version's artifact or points an alias elsewhere with the sqlite3 shell,
 * without forging the chain, is caught here. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

static int state_bad(const char *what)
{
    return mlops__err(MLOPS_ECORRUPT, "mlops_audit_verify: %s", what);
}

static int text_eq(sqlite3_stmt *st, int i, const char *want)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t && !strcmp(t, want);
}

/* The new_value a version.create event records for a version. */
static void version_create_value(sqlite3_stmt *st, int artifact_col, int run_col, char *out,
                                 size_t n)
{
    mlops_digest d = { { 0 } };
    if (sqlite3_column_bytes(st, artifact_col) == 32)
        memcpy(d.bytes, sqlite3_column_blob(st, artifact_col), 32);
    char text[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&d, text);
    const char *run = (const char *)sqlite3_column_text(st, run_col);
    if (run) snprintf(out, n, "%s run:%s", text, run);
    else snprintf(out, n, "%s", text);
}

static int check_versions(mlops__conn *c)
{
    sqlite3_stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT v.model_id, v.number, v.artifact, v.run_id, v.deleted_ms IS NOT NULL, "
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
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t model_id = sqlite3_column_int64(st, 0), number = sqlite3_column_int64(st, 1);
        int deleted = sqlite3_column_int(st, 4);
        version_create_value(st, 2, 3, want, sizeof want);
        if (!text_eq(st, 7, "version.create") || sqlite3_column_int64(st, 8) != model_id ||
            sqlite3_column_int64(st, 9) != number || !text_eq(st, 10, want)) {
            snprintf(msg, sizeof msg,
                     "version %lld of model id %lld (artifact and run: %s) does not match "
                     "the audit event that created it (seq %lld)",
                     (long long)number, (long long)model_id, want,
                     (long long)sqlite3_column_int64(st, 5));
            rc = state_bad(msg);
            break;
        }
        int has_delete = sqlite3_column_type(st, 6) != SQLITE_NULL;
        if (deleted != has_delete ||
            (has_delete && (!text_eq(st, 11, "version.delete") ||
                            sqlite3_column_int64(st, 12) != model_id ||
                            sqlite3_column_int64(st, 13) != number))) {
            snprintf(msg, sizeof msg,
                     "version %lld of model id %lld is %s, which the audit log does not "
                     "record",
                     (long long)number, (long long)model_id, deleted ? "deleted" : "live");
            rc = state_bad(msg);
            break;
        }
    }
    if (!rc && step != SQLITE_DONE) rc = mlops__conn_error(c, step, "reading versions");
    sqlite3_reset(st);
    return rc;
}

static int check_aliases(mlops__conn *c)
{
    sqlite3_stmt *st;
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
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t model_id = sqlite3_column_int64(st, 0);
        const char *alias = (const char *)sqlite3_column_text(st, 1);
        snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, 2));
        int64_t seq = sqlite3_column_int64(st, 3);
        if (!alias || sqlite3_column_type(st, 2) == SQLITE_NULL ||
            !(text_eq(st, 4, "alias.set") || text_eq(st, 4, "alias.move")) ||
            sqlite3_column_int64(st, 5) != model_id || !text_eq(st, 6, alias) ||
            !text_eq(st, 7, num) || sqlite3_column_int64(st, 8) != seq) {
            snprintf(msg, sizeof msg,
                     "alias '%s' of model id %lld points at version %s, which is not where "
                     "the audit log last put it",
                     alias ? alias : "?", (long long)model_id, num);
            rc = state_bad(msg);
            break;
        }
    }
    if (!rc && step != SQLITE_DONE) rc = mlops__conn_error(c, step, "reading aliases");
    sqlite3_reset(st);
    return rc;
}

/* Every event that leaves state behind must have its row: counts close
 * the gap the row-by-row checks leave (a row removed outright). */
static int check_counts(mlops__conn *c)
{
    sqlite3_stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT "
        " (SELECT count(*) FROM audit_events WHERE action = 'version.create'),"
        " (SELECT count(*) FROM reg_versions),"
        " (SELECT count(*) FROM audit_events WHERE action = 'version.delete'),"
        " (SELECT count(*) FROM reg_versions WHERE delete_seq IS NOT NULL),"
        " (SELECT count(*) FROM audit_events e WHERE e.action IN ('alias.set', 'alias.move')"
        "    AND NOT EXISTS (SELECT 1 FROM audit_events f WHERE f.model_id = e.model_id"
        "      AND f.key = e.key AND f.seq > e.seq"
        "      AND f.action IN ('alias.set', 'alias.move', 'alias.delete'))),"
        " (SELECT count(*) FROM reg_aliases)",
        &st);
    if (rc) return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        int64_t n[6];
        for (int i = 0; i < 6; i++) n[i] = sqlite3_column_int64(st, i);
        char msg[300];
        if (n[0] != n[1]) {
            snprintf(msg, sizeof msg,
                     "the audit log records %lld version creations but %lld versions exist",
                     (long long)n[0], (long long)n[1]);
            rc = state_bad(msg);
        } else if (n[2] != n[3]) {
            snprintf(msg, sizeof msg,
                     "the audit log records %lld version deletions but %lld versions are "
                     "deleted",
                     (long long)n[2], (long long)n[3]);
            rc = state_bad(msg);
        } else if (n[4] != n[5]) {
            snprintf(msg, sizeof msg,
                     "the audit log leaves %lld aliases set but %lld are set",
                     (long long)n[4], (long long)n[5]);
            rc = state_bad(msg);
        }
    } else {
        rc = mlops__conn_error(c, step, "counting registry rows");
    }
    sqlite3_reset(st);
    return rc;
}

int mlops__audit_check_state(mlops__conn *c)
{
    int rc = check_versions(c);
    if (!rc) rc = check_aliases(c);
    if (!rc) rc = check_counts(c);
    return rc;
}
