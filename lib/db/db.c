/* The data-access layer's common half: picks the backend, keeps each
 * connection's statement cache, and forwards every call to the driver. */
#include "db/driver.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

static const mlops__db_driver *driver_for(enum mlops__dialect d)
{
    switch (d) {
    case MLOPS__SQLITE: return &mlops__sqlite_driver;
#ifdef MLOPS_HAVE_POSTGRES
    case MLOPS__POSTGRES: return &mlops__postgres_driver;
#else
    case MLOPS__POSTGRES: break;
#endif
    }
    return NULL;
}

int mlops__conn_open(const mlops__db_target *t, mlops__conn **out)
{
    const mlops__db_driver *drv = driver_for(t->dialect);
    if (!drv)
        return mlops__err(MLOPS_EUNSUPPORTED,
                          "this build of libmlops has no PostgreSQL support (built without libpq)");
    if (drv->version != MLOPS__DB_DRIVER_VERSION)
        return mlops__err(MLOPS_EUNSUPPORTED, "the %s backend has interface version %u, not %u",
                          drv->name, drv->version, MLOPS__DB_DRIVER_VERSION);
    mlops__conn *c = NULL;
    int rc = drv->open(t, &c);
    if (rc) return rc;
    c->drv = drv;
    c->target = t;
    c->nslots = 0;
    *out = c;
    return MLOPS_OK;
}

void mlops__conn_close(mlops__conn *c)
{
    if (!c) return;
    for (int i = 0; i < c->nslots; i++) c->drv->finalize(c->slots[i].stmt);
    c->nslots = 0;
    c->drv->close(c);
}

enum mlops__dialect mlops__conn_dialect(const mlops__conn *c)
{
    return c->drv->dialect;
}

int mlops__conn_stmt(mlops__conn *c, const char *sql, mlops__stmt **out)
{
    *out = NULL;
    for (int i = 0; i < c->nslots; i++) {
        if (c->slots[i].sql == sql) {
            mlops__stmt *st = c->slots[i].stmt;
            c->drv->reset(st);
            c->drv->clear_bindings(st);
            *out = st;
            return MLOPS_OK;
        }
    }
    mlops__stmt *st = NULL;
    int rc = c->drv->prepare(c, sql, c->nslots < MLOPS__STMT_CACHE_SIZE, &st);
    if (rc) return rc;
    st->conn = c;
    if (c->nslots == MLOPS__STMT_CACHE_SIZE) {
        /* Full: evict the oldest. Hot statements are prepared first. */
        c->drv->finalize(c->slots[0].stmt);
        memmove(c->slots, c->slots + 1, sizeof c->slots[0] * (MLOPS__STMT_CACHE_SIZE - 1));
        c->nslots--;
    }
    c->slots[c->nslots].sql = sql;
    c->slots[c->nslots].stmt = st;
    c->nslots++;
    *out = st;
    return MLOPS_OK;
}

int mlops__conn_prepare(mlops__conn *c, const char *sql, mlops__stmt **out)
{
    *out = NULL;
    mlops__stmt *st = NULL;
    int rc = c->drv->prepare(c, sql, 0, &st);
    if (rc) return rc;
    st->conn = c;
    *out = st;
    return MLOPS_OK;
}

void mlops__stmt_finalize(mlops__stmt *st)
{
    if (st) st->conn->drv->finalize(st);
}

void mlops__conn_reset_all(mlops__conn *c)
{
    for (int i = 0; i < c->nslots; i++)
        if (c->drv->is_busy(c->slots[i].stmt)) c->drv->reset(c->slots[i].stmt);
}

int mlops__conn_exec(mlops__conn *c, const char *sql)
{
    return c->drv->exec(c, sql);
}

int mlops__conn_error(mlops__conn *c, int rc, const char *what)
{
    return c->drv->error(c, rc, what);
}

int mlops__conn_begin(mlops__conn *c, int write)
{
    return c->drv->begin(c, write);
}

int mlops__conn_commit_with(mlops__conn *c, const char *sql)
{
    int rc;
    if (c->drv->commit_with) {
        rc = c->drv->commit_with(c, sql);
        if (rc) c->drv->rollback(c);
        return rc;
    }
    rc = sql ? c->drv->exec(c, sql) : MLOPS_OK;
    if (rc) {
        c->drv->rollback(c);
        return rc;
    }
    return mlops__conn_commit(c);
}

enum mlops__retry mlops__conn_retryable(mlops__conn *c, int rc)
{
    if (rc != MLOPS_EBUSY && rc != MLOPS_EIO) return MLOPS__RETRY_NO;
    return c->drv->retry_class ? c->drv->retry_class(c) : MLOPS__RETRY_NO;
}

enum mlops__retry mlops__db_open_retryable(const mlops__db_target *t, int rc)
{
    const mlops__db_driver *drv = driver_for(t->dialect);
    if (rc != MLOPS_EIO || !drv || !drv->open_retry_class) return MLOPS__RETRY_NO;
    return drv->open_retry_class(t);
}

int mlops__conn_alive(mlops__conn *c)
{
    return c->drv->alive ? c->drv->alive(c) : 1;
}

void mlops__db_describe(const mlops__db_target *t, char *buf, size_t n)
{
    const mlops__db_driver *drv = driver_for(t->dialect);
    if (drv && drv->describe) drv->describe(t, buf, n);
    else snprintf(buf, n, "%s database %s", drv ? drv->name : "the", t->path ? t->path : "?");
}

int mlops__conn_commit(mlops__conn *c)
{
    int rc = c->drv->commit(c);
    if (rc) c->drv->rollback(c);
    return rc;
}

void mlops__conn_rollback(mlops__conn *c)
{
    c->drv->rollback(c);
}

int mlops__conn_in_write(mlops__conn *c)
{
    return c->drv->in_write(c);
}

int mlops__conn_set_commit_sync(mlops__conn *c, int full)
{
    return c->drv->set_commit_sync ? c->drv->set_commit_sync(c, full) : MLOPS_OK;
}

int64_t mlops__conn_changes(mlops__conn *c)
{
    return c->drv->changes(c);
}

int mlops__conn_like_max(mlops__conn *c)
{
    return c->drv->like_max(c);
}

int mlops__conn_max_params(mlops__conn *c)
{
    return c->drv->max_params(c);
}

int mlops__db_prepare_store(mlops__conn *c, const char *where, uint32_t busy_ms)
{
    return c->drv->prepare_store(c, where, busy_ms);
}

int mlops__db_read_format(mlops__conn *c, const char *where, int *version)
{
    return c->drv->read_format(c, where, version);
}

int mlops__db_begin_migration(mlops__conn *c)
{
    return c->drv->begin_migration(c);
}

int mlops__db_write_format(mlops__conn *c, int version)
{
    return c->drv->write_format(c, version);
}

int mlops__db_create_base(mlops__conn *c, int *version)
{
    *version = 0;
    if (!c->drv->create_base) return MLOPS_OK;
    return c->drv->create_base(c, version);
}

int mlops__db_check_target(const mlops__db_target *t, const char *fn)
{
    const mlops__db_driver *drv = driver_for(t->dialect);
    if (!drv)
        return mlops__err(MLOPS_EUNSUPPORTED,
                          "%s: this build of libmlops has no PostgreSQL support (built without "
                          "libpq)",
                          fn);
    return drv->check_target ? drv->check_target(t, fn) : MLOPS_OK;
}

static int bound(mlops__conn *c, int rc, const char *what)
{
    return rc ? c->drv->error(c, rc, what) : MLOPS_OK;
}

int mlops__bind_text(mlops__conn *c, mlops__stmt *st, int idx, const char *text)
{
    int rc = text ? c->drv->bind_text(st, idx, text) : c->drv->bind_null(st, idx);
    return bound(c, rc, "binding a text value");
}

int mlops__bind_int64(mlops__conn *c, mlops__stmt *st, int idx, int64_t v)
{
    return bound(c, c->drv->bind_int64(st, idx, v), "binding an integer");
}

int mlops__bind_blob(mlops__conn *c, mlops__stmt *st, int idx, const void *p, int n)
{
    return bound(c, c->drv->bind_blob(st, idx, p, n), "binding a blob");
}

int mlops__bind_double(mlops__conn *c, mlops__stmt *st, int idx, double v)
{
    return bound(c, c->drv->bind_double(st, idx, v), "binding a number");
}

int mlops__bind_null(mlops__conn *c, mlops__stmt *st, int idx)
{
    return bound(c, c->drv->bind_null(st, idx), "binding NULL");
}

int mlops__step(mlops__stmt *st)
{
    return st->conn->drv->step(st);
}

int mlops__stmts_run_ahead(mlops__conn *c, mlops__stmt **sts, int n)
{
    if (!c->drv->run_ahead || n < 2) return MLOPS_OK;
    int rc = c->drv->run_ahead(sts, n);
    return rc ? mlops__conn_error(c, rc, "running statements") : MLOPS_OK;
}

void mlops__reset(mlops__stmt *st)
{
    if (st) st->conn->drv->reset(st);
}

int mlops__col_null(mlops__stmt *st, int i)
{
    return st->conn->drv->col_null(st, i);
}

int64_t mlops__col_int64(mlops__stmt *st, int i)
{
    return st->conn->drv->col_int64(st, i);
}

int mlops__col_int(mlops__stmt *st, int i)
{
    return (int)st->conn->drv->col_int64(st, i);
}

double mlops__col_double(mlops__stmt *st, int i)
{
    return st->conn->drv->col_double(st, i);
}

const char *mlops__col_text(mlops__stmt *st, int i)
{
    return st->conn->drv->col_text(st, i);
}

const void *mlops__col_blob(mlops__stmt *st, int i)
{
    return st->conn->drv->col_blob(st, i);
}

int mlops__col_bytes(mlops__stmt *st, int i)
{
    return st->conn->drv->col_bytes(st, i);
}

enum mlops__col_kind mlops__col_type(mlops__stmt *st, int i)
{
    return st->conn->drv->col_type(st, i);
}

int mlops__conn_code(mlops__conn *c, int rc)
{
    return c->drv->code_of(c, rc);
}

int mlops__conn_row_error(mlops__conn *c, int step, const char *what)
{
    if (step == MLOPS__DONE || step == MLOPS__ROW)
        return mlops__err(MLOPS_ECORRUPT, "%s: a row the database should hold is missing", what);
    return c->drv->error(c, step, what);
}

int mlops__conn_step_id(mlops__conn *c, mlops__stmt *st, const char *what, int64_t *id)
{
    int rc = c->drv->step(st);
    int code = MLOPS_OK;
    if (rc == MLOPS__ROW) *id = c->drv->col_int64(st, 0);
    else code = mlops__conn_row_error(c, rc, what);
    c->drv->reset(st);
    return code;
}

int mlops__conn_step_done(mlops__conn *c, mlops__stmt *st, const char *what)
{
    int rc = c->drv->step(st);
    int code = rc == MLOPS__DONE || rc == MLOPS__ROW ? MLOPS_OK : c->drv->error(c, rc, what);
    c->drv->reset(st);
    return code;
}
