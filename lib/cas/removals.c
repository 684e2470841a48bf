/* Object removals seen by puts (removals.h). */
#include "cas/removals.h"
#include "store/store_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <string.h>

/* A removal whose row is older than this died (gc removes a batch of
 * files within seconds): its row stops making every commit check. */
#define DEAD_AFTER_MS (3600 * 1000LL)

static int read_state(mlops__conn *c, uint64_t *done, int *running)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT (SELECT done FROM cas_removals), "
                              "EXISTS(SELECT 1 FROM cas_removing)",
                              &st);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        *done = (uint64_t)mlops__col_int64(st, 0);
        if (running) *running = mlops__col_int64(st, 1) != 0;
    }
    mlops__reset(st);
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading object removals");
    return MLOPS_OK;
}

int mlops__removals_read(mlops__conn *c, mlops__removals_seen *out)
{
    memset(out, 0, sizeof *out);
    int rc = read_state(c, &out->done, NULL);
    out->known = rc == MLOPS_OK;
    return rc;
}

static int seen_tx(mlops__conn *c, void *arg)
{
    return mlops__removals_read(c, arg);
}

void mlops__removals_seen_now(mlops_store *s, mlops__removals_seen *out)
{
    memset(out, 0, sizeof *out);
    if (!s->objects->remote) return; /* looking up is cheaper than reading */
    /* Keep the caller's error state: a failed read only costs checks. */
    char saved[1024];
    strncpy(saved, mlops__err_message(), sizeof saved - 1);
    saved[sizeof saved - 1] = '\0';
    if (mlops__store_read(s, seen_tx, out) != MLOPS_OK) out->known = 0;
    mlops__err(MLOPS_OK, "%s", saved);
}

int mlops__removals_check_needed(mlops__conn *c, const mlops__removals_seen *seen, int *check)
{
    *check = 1;
    if (!seen || !seen->known) return MLOPS_OK;
    uint64_t done = 0;
    int running = 1;
    int rc = read_state(c, &done, &running);
    if (!rc) *check = running || done != seen->done;
    return rc;
}

int mlops__removal_begin(mlops__conn *c, int64_t *id)
{
    uint64_t v = 0;
    int rc = mlops__random_bytes((unsigned char *)&v, sizeof v);
    if (rc) return rc;
    *id = (int64_t)(v >> 1) | 1; /* never 0, which callers read as none */
    int64_t now = mlops__now_ms();
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, "DELETE FROM cas_removing WHERE started_ms < ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, now - DEAD_AFTER_MS);
    if (!rc) rc = mlops__conn_step_done(c, st, "dropping dead object removals");
    if (!rc) rc = mlops__conn_stmt(c, "INSERT INTO cas_removing(id, started_ms) VALUES (?1, ?2)", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, *id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, now);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording an object removal");
    return rc;
}

int mlops__removal_end(mlops__conn *c, int64_t id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "DELETE FROM cas_removing WHERE id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (!rc) rc = mlops__conn_step_done(c, st, "ending an object removal");
    if (!rc) rc = mlops__conn_stmt(c, "UPDATE cas_removals SET done = done + 1", &st);
    if (!rc) rc = mlops__conn_step_done(c, st, "counting an object removal");
    return rc;
}

/* On PostgreSQL, the roles of sql/postgres-roles.sql keep working before
 * the file is run again: whoever may read cas_object may read the
 * removals, and whoever may delete its rows (gc) may record removals. */
static const char v12_postgres_grants[] =
    "DO $$ DECLARE g text; p text; BEGIN"
    "  FOR g, p IN SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
    "                              ELSE a.grantee::regrole::text END, a.privilege_type"
    "      FROM pg_class c, aclexplode(c.relacl) a"
    "     WHERE c.oid = 'cas_object'::regclass AND a.grantee <> c.relowner"
    "       AND a.privilege_type IN ('SELECT', 'DELETE')"
    "  LOOP"
    "    IF p = 'SELECT' THEN"
    "      EXECUTE format('GRANT SELECT ON cas_removing, cas_removals TO %s', g);"
    "    ELSE"
    "      EXECUTE format('GRANT INSERT, DELETE ON cas_removing TO %s', g);"
    "      EXECUTE format('GRANT UPDATE (done) ON cas_removals TO %s', g);"
    "    END IF;"
    "  END LOOP;"
    "END $$;";

/* Safe to run again (as every step of a store whose version number was
 * set back). */
int mlops__cas_migrate_v12(mlops__conn *c)
{
    int rc = mlops__conn_exec(c,
                              "CREATE TABLE IF NOT EXISTS cas_removing("
                              "  id BIGINT PRIMARY KEY,"
                              "  started_ms BIGINT NOT NULL"
                              ");"
                              "CREATE TABLE IF NOT EXISTS cas_removals(done BIGINT NOT NULL);"
                              "INSERT INTO cas_removals(done) "
                              "SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM cas_removals);");
    if (!rc && mlops__conn_dialect(c) == MLOPS__POSTGRES)
        rc = mlops__conn_exec(c, v12_postgres_grants);
    return rc;
}
