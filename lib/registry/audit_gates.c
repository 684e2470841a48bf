/* mlops_audit_verify's check of format 4 state against the log: each
 * gate row is the one its alias's last alias.gate.* event set, no gate
 * the log leaves set is missing, and each alias's split is the one its
 * last alias event carries. A gate row deleted or edited in the database
 * (to slip a version past it) is caught here. */
#include "registry/alias_move.h"
#include "registry/gate_store.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(const char *fn, const char *what, const char *alias, int64_t model_id)
{
    return mlops__err(MLOPS_ECORRUPT, "%s: the %s of alias '%s' of model id %lld is not what the "
                                      "audit log last recorded",
                      fn, what, alias ? alias : "?", (long long)model_id);
}

static int check_gate_rows(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c,
        "SELECT g.model_id, g.alias, g.conditions, g.dataset, g.event_seq, e.action, "
        "  e.model_id, e.key, e.new_value, "
        "  (SELECT max(f.seq) FROM audit_events f WHERE f.model_id = g.model_id "
        "     AND f.key = g.alias AND f.action IN ('alias.gate.set', 'alias.gate.delete')) "
        "FROM reg_gates g LEFT JOIN audit_events e ON e.seq = g.event_seq",
        &st);
    if (rc) return rc;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        int64_t model_id = mlops__col_int64(st, 0);
        const char *alias = mlops__col_text(st, 1), *conds = mlops__col_text(st, 2);
        mlops_digest d;
        int has_d = mlops__col_bytes(st, 3) == 32;
        if (has_d) memcpy(d.bytes, mlops__col_blob(st, 3), 32);
        char *want = NULL;
        if (conds) {
            const char *one[1] = { conds }; /* the lines as stored: joined the same way */
            want = mlops__gate_event_text(one, 1, has_d ? &d : NULL);
            if (!want) {
                rc = mlops__err_nomem("verifying gates");
                break;
            }
        }
        const char *action = mlops__col_text(st, 5), *key = mlops__col_text(st, 7),
                   *value = mlops__col_text(st, 8);
        int ok = alias && want && action && !strcmp(action, "alias.gate.set") &&
                 mlops__col_int64(st, 6) == model_id && key && !strcmp(key, alias) && value &&
                 !strcmp(value, want) && mlops__col_int64(st, 9) == mlops__col_int64(st, 4);
        free(want);
        if (!ok) {
            rc = bad(fn, "gate", alias, model_id);
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading gates");
    mlops__reset(st);
    return rc;
}

static int check_gate_count(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT "
                              " (SELECT count(*) FROM (SELECT max(seq) AS last FROM audit_events"
                              "    WHERE action IN ('alias.gate.set', 'alias.gate.delete')"
                              "    GROUP BY model_id, key) l"
                              "  JOIN audit_events e ON e.seq = l.last"
                              "  WHERE e.action = 'alias.gate.set'),"
                              " (SELECT count(*) FROM reg_gates)",
                              &st);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW && mlops__col_int64(st, 0) != mlops__col_int64(st, 1))
        rc = mlops__err(MLOPS_ECORRUPT, "%s: the audit log leaves %lld gates set but %lld are set",
                        fn, (long long)mlops__col_int64(st, 0),
                        (long long)mlops__col_int64(st, 1));
    else if (step != MLOPS__ROW)
        rc = mlops__conn_error(c, step, "counting gates");
    mlops__reset(st);
    return rc;
}

/* reg_aliases.split against the payload of the event that set the row
 * (check_aliases in audit_state.c has matched the row's version and
 * event already). */
static int check_splits(mlops__conn *c, const char *fn)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT a.model_id, a.alias, a.split, e.payload FROM reg_aliases a "
                              "LEFT JOIN audit_events e ON e.seq = a.event_seq",
                              &st);
    if (rc) return rc;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        mlops__split sp;
        int has = !mlops__col_null(st, 3) &&
                  mlops__alias_payload_split(mlops__col_blob(st, 3),
                                             (size_t)mlops__col_bytes(st, 3), &sp);
        const char *text = mlops__col_text(st, 2);
        int ok = !has && !text;
        if (has && text) {
            char want[MLOPS__SPLIT_TEXT_MAX];
            mlops__split_encode(&sp, want);
            ok = !strcmp(want, text);
        }
        if (!ok) {
            rc = bad(fn, "split", mlops__col_text(st, 1), mlops__col_int64(st, 0));
            break;
        }
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading aliases");
    mlops__reset(st);
    return rc;
}

int mlops__audit_check_gates(mlops__conn *c, const char *fn)
{
    int rc = check_gate_rows(c, fn);
    if (!rc) rc = check_gate_count(c, fn);
    if (!rc) rc = check_splits(c, fn);
    return rc;
}
