/* The PostgreSQL backend's store-level parts: the store is one schema; its
 * format version and mark are meta rows (schema.c); the schema is created
 * and migrated by one opener at a time, under the store's write lock. */
#include "db/postgres/store_schema.h"
#include "db/postgres/pg.h"
#include "db/postgres/schema.h"
#include "util/err.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mlops__pg_prepare_store(mlops__conn *c, const char *where, uint32_t busy_ms)
{
    (void)c;
    (void)where;
    (void)busy_ms;
    return MLOPS_OK;
}

/* One integer from a query with at most one text parameter. */
static int query_int(mlops__conn *c, const char *sql, const char *param, int64_t *out,
                     int *found, const char *what)
{
    mlops__stmt *st = NULL;
    int rc = mlops__conn_stmt(c, sql, &st);
    if (!rc && param) rc = mlops__bind_text(c, st, 1, param);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    if (step == MLOPS__ROW) {
        const char *t = mlops__col_text(st, 0);
        *out = t ? strtoll(t, NULL, 10) : 0;
    } else if (step != MLOPS__DONE) {
        rc = mlops__conn_error(c, step, what);
    }
    mlops__reset(st);
    return rc;
}

int mlops__pg_read_format(mlops__conn *c, const char *where, int *version)
{
    const char *schema = c->target->schema;
    char what[512];
    snprintf(what, sizeof what, "cannot read the schema of store '%s'", where);
    int64_t tables = 0, mark = 0, v = 0;
    int found = 0;
    int rc = query_int(c,
                       "SELECT CAST(count(*) AS TEXT) FROM pg_catalog.pg_tables "
                       "WHERE schemaname = ?1",
                       schema, &tables, &found, what);
    if (rc || !tables) {
        *version = 0;
        return rc;
    }
    /* Without USAGE on the schema the search path skips it and the
     * store's tables look missing: say what is refused instead. */
    int64_t usable = 0;
    rc = query_int(c,
                   "SELECT CASE WHEN has_schema_privilege(?1, 'USAGE') THEN '1' ELSE '0' END",
                   schema, &usable, &found, what);
    if (rc) return rc;
    if (!usable)
        return mlops__err(MLOPS_EPERM,
                          "%s: role '%s' may not read the store (no USAGE on schema %s; "
                          "doc/shared-stores.md, \"Roles\")",
                          what, mlops__pg_role((const mlops__pg_conn *)c), schema);
    int has_meta = 0;
    rc = query_int(c,
                   "SELECT CAST(count(*) AS TEXT) FROM pg_catalog.pg_tables "
                   "WHERE schemaname = ?1 AND tablename = 'meta'",
                   schema, &v, &found, what);
    has_meta = !rc && v > 0;
    if (!rc && has_meta)
        rc = query_int(c, "SELECT value FROM meta WHERE key = 'application_id'", NULL, &mark,
                       &found, what);
    if (rc) return rc;
    if (!has_meta || !found || mark != MLOPS__APPLICATION_ID)
        return mlops__err(MLOPS_EFORMAT,
                          "store '%s': PostgreSQL schema %s holds tables that libmlops did not "
                          "write",
                          where, schema);
    rc = query_int(c, "SELECT value FROM meta WHERE key = 'format_version'", NULL, &v, &found,
                   what);
    if (rc) return rc;
    if (!found || v < 1 || v > 1000000)
        return mlops__err(MLOPS_EFORMAT, "store '%s': schema %s records no valid format version",
                          where, schema);
    *version = (int)v;
    return MLOPS_OK;
}

/* The store's write lock serialises creators as it serialises writers:
 * eight processes opening a fresh database at once create the schema
 * once, and the others find it done. CREATE SCHEMA only when missing: a
 * role without CREATE on the database can still open a made store. */
int mlops__pg_begin_migration(mlops__conn *c)
{
    int rc = mlops__conn_begin(c, 1);
    if (rc) return rc;
    int64_t n = 0;
    int found = 0;
    rc = query_int(c,
                   "SELECT CAST(count(*) AS TEXT) FROM pg_catalog.pg_namespace WHERE nspname = ?1",
                   c->target->schema, &n, &found, "looking for the store's schema");
    if (!rc && !n) {
        char sql[128]; /* the name is checked: [a-z_][a-z0-9_]{0,62}, no quoting needed */
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s", c->target->schema);
        rc = mlops__conn_exec(c, sql);
    }
    if (rc) mlops__conn_rollback(c);
    return rc;
}

int mlops__pg_write_format(mlops__conn *c, int version)
{
    mlops__stmt *st = NULL;
    int rc = mlops__conn_stmt(c, "UPDATE meta SET value = ?1 WHERE key = 'format_version'", &st);
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    if (!rc) rc = mlops__bind_text(c, st, 1, v);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording the format version");
    return rc;
}

/* Version 2's schema; the caller runs the steps of the versions after it
 * (their DDL picked for PostgreSQL) in the same migration transaction. */
int mlops__pg_create_base(mlops__conn *c, int *version)
{
    *version = MLOPS__PG_SCHEMA_VERSION;
    return mlops__conn_exec(c, mlops__pg_schema_v2);
}

int mlops__pg_check_target(const mlops__db_target *t, const char *fn)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(t->uri, &err);
    if (!opts) {
        /* libpq's message may quote the whole string, password and all */
        char *m = err ? mlops__pg_redact_conninfo_error(err) : NULL;
        int rc = mlops__err(MLOPS_EINVAL, "%s: the PostgreSQL connection string is not valid: %s",
                            fn, m ? m : "out of memory");
        free(m);
        PQfreemem(err);
        return rc;
    }
    /* password, and sslpassword: the passphrase of the client's key */
    const char *secret = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if ((!strcmp(o->keyword, "password") || !strcmp(o->keyword, "sslpassword")) && o->val &&
            o->val[0])
            secret = !strcmp(o->keyword, "password") ? "a password" : "an sslpassword";
    PQconninfoFree(opts);
    if (secret)
        return mlops__err(MLOPS_EINVAL,
                          "%s: the PostgreSQL connection string holds %s; it would be "
                          "written into the store's configuration. Leave it out: libpq reads "
                          "a password from PGPASSWORD, ~/.pgpass or PGSERVICEFILE, a key's "
                          "sslpassword from PGSERVICEFILE",
                          fn, secret);
    return MLOPS_OK;
}
