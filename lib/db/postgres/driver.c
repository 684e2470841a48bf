/* The PostgreSQL backend of the data-access layer (driver.h), through
 * libpq.
 *
 * Parameters and results travel in binary format, so float8 NaN, ±Inf
 * and -0.0 keep their bits and blobs need no escaping. A cached
 * statement becomes a named server-side prepared statement, prepared at
 * its first execution (then the parameter types are known from the
 * binds) and again when a later execution binds other types; a one-off
 * statement goes through PQexecParams. Each execution fetches all of its
 * rows at once, so statements on one connection can interleave as they
 * do on SQLite (a loop over one statement's rows runs others). Bound
 * statements may also be run ahead, several in one round trip (libpq's
 * pipeline mode: pg_run_ahead), their rows then read by their steps.
 *
 * Writers to one store serialise on a transaction-level advisory lock
 * whose key comes from the schema name, as SQLite's BEGIN IMMEDIATE
 * serialises writers to one file; stores in other schemas of the same
 * database do not wait for each other. Reads are one REPEATABLE READ
 * snapshot. busy_ms bounds every lock wait (lock_timeout). */
#include "db/postgres/pg.h"
#include "db/postgres/store_schema.h"
#include "util/err.h"
#include "util/hash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 65535

static mlops__pg_conn *pgc(mlops__conn *c)
{
    return (mlops__pg_conn *)c;
}

static mlops__pg_stmt *pgs(mlops__stmt *st)
{
    return (mlops__pg_stmt *)st;
}

/* libpq prints the server's notices (a WARNING for ROLLBACK outside a
 * transaction...) on stderr by default; a library must not. */
static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* ---- Opening ---------------------------------------------------------- */

/* A copy of m with each occurrence of secret replaced by "***" and the
 * trailing newline dropped (libpq's messages do not repeat a password;
 * this makes sure). */
static char *scrub(const char *m, const char *secret)
{
    size_t n = strlen(m), sn = secret ? strlen(secret) : 0;
    char *d = malloc(n * 3 + 1);
    if (!d) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (sn && strncmp(m + i, secret, sn) == 0) {
            memcpy(d + k, "***", 3);
            k += 3;
            i += sn;
        } else {
            d[k++] = m[i++];
        }
    }
    while (k > 0 && (d[k - 1] == '\n' || d[k - 1] == ' ')) k--;
    d[k] = '\0';
    return d;
}

static const char *nz(const char *s)
{
    return s && *s ? s : "(default)";
}

/* The write lock's key: the first 8 bytes of SHA-256(schema), big-endian. */
static int lock_key(const char *schema, int64_t *key)
{
    mlops_digest d;
    int rc = mlops__sha256_oneshot(schema, strlen(schema), &d);
    if (rc) return rc;
    *key = (int64_t)mlops__pg_get64(d.bytes);
    return MLOPS_OK;
}

static void pg_close(mlops__conn *conn)
{
    mlops__pg_conn *c = pgc(conn);
    if (!c) return;
    PQfinish(c->pg);
    free(c->stale);
    free(c->msg);
    free(c);
}

/* The session settings: the store's schema first on the search path,
 * UTC, UTF-8, lock waits bounded by busy_ms (0 = do not wait: 1 ms, as
 * lock_timeout 0 would mean forever), no JIT, and read-only when asked.
 * JIT pays off for queries of many seconds; ours take milliseconds, and
 * compiling a search over 100,000 runs took 420 ms of its 560. */
static int configure(mlops__pg_conn *c, const mlops__db_target *t, const char *schema)
{
    char *ident = PQescapeIdentifier(c->pg, schema, strlen(schema));
    if (!ident) return mlops__err_nomem("opening a PostgreSQL connection");
    size_t cap = strlen(ident) + 256;
    char *sql = malloc(cap);
    if (!sql) {
        PQfreemem(ident);
        return mlops__err_nomem("opening a PostgreSQL connection");
    }
    snprintf(sql, cap,
             "SET search_path TO %s; SET TIME ZONE 'UTC'; SET client_encoding TO 'UTF8';"
             " SET lock_timeout = %lu; SET jit = off;%s",
             ident, (unsigned long)(t->busy_ms ? t->busy_ms : 1),
             t->read_only ? " SET default_transaction_read_only = on;" : "");
    PQfreemem(ident);
    PGresult *res = PQexec(c->pg, sql);
    free(sql);
    int rc = MLOPS_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = mlops__pg_error(&c->base, mlops__pg_keep_error(c, res),
                             "configuring the PostgreSQL connection");
    PQclear(res);
    return rc;
}

static int pg_open(const mlops__db_target *t, mlops__conn **out)
{
    const char *uri = t->uri ? t->uri : "";
    const char *schema = t->schema && *t->schema ? t->schema : "public";
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(uri, &perr);
    if (!opts) {
        char *m = perr ? mlops__pg_redact_conninfo_error(perr) : NULL;
        int rc = m ? mlops__err(MLOPS_EINVAL,
                                "cannot parse the PostgreSQL connection string: %s "
                                "(quoted parts are left out: they may hold a password)",
                                m)
                   : mlops__err_nomem("parsing the PostgreSQL connection string");
        free(m);
        PQfreemem(perr);
        return rc;
    }
    /* Kept to scrub it from libpq's messages. */
    char *password = NULL;
    int has_password = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val) {
            has_password = 1;
            password = strdup(o->val);
        }
    }
    PQconninfoFree(opts);
    if (has_password && !password) return mlops__err_nomem("opening a PostgreSQL connection");

    mlops__pg_conn *c = calloc(1, sizeof *c);
    int rc = c ? lock_key(schema, &c->lock_key)
               : mlops__err_nomem("opening a PostgreSQL connection");
    if (rc) goto fail;
    c->pg = PQconnectdb(uri);
    if (!c->pg) {
        rc = mlops__err_nomem("opening a PostgreSQL connection");
        goto fail;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char *m = scrub(PQerrorMessage(c->pg), password);
        rc = mlops__err(MLOPS_EIO,
                        "cannot connect to the PostgreSQL server %s port %s, database %s: %s",
                        nz(PQhost(c->pg)), nz(PQport(c->pg)), nz(PQdb(c->pg)),
                        m ? m : "out of memory");
        free(m);
        goto fail;
    }
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    rc = configure(c, t, schema);
    if (rc) goto fail;
    free(password);
    *out = &c->base;
    return MLOPS_OK;
fail:
    free(password);
    pg_close(c ? &c->base : NULL);
    return rc;
}

/* ---- Statements ------------------------------------------------------- */

/* Server-side statements of finalized (or re-prepared) statements are
 * dropped in one round trip outside any transaction: a DEALLOCATE that
 * failed inside one would abort it. Nothing is sent when the connection
 * closes (the server drops them then). */
static void forget_prepared(mlops__pg_conn *c, const char *name)
{
    size_t add = strlen(name) + 16;
    char *s = realloc(c->stale, c->stale_len + add);
    if (!s) return; /* the server keeps it until the connection closes */
    c->stale = s;
    c->stale_len += (size_t)snprintf(s + c->stale_len, add, "DEALLOCATE %s;", name);
}

static void flush_stale(mlops__pg_conn *c)
{
    if (!c->stale_len || PQtransactionStatus(c->pg) != PQTRANS_IDLE) return;
    PQclear(PQexec(c->pg, c->stale));
    c->stale_len = 0;
    c->stale[0] = '\0';
}

static void free_conv(mlops__pg_stmt *st)
{
    for (int i = 0; i < st->nconv; i++) free(st->conv[i]);
    free(st->conv);
    st->conv = NULL;
    st->nconv = 0;
}

/* Frees a statement's memory (a partly built one too). */
static void free_stmt(mlops__pg_stmt *st)
{
    for (int i = 0; st->params && i < st->nparams; i++) free(st->params[i].data);
    free(st->params);
    free(st->prepared_types);
    free(st->types);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->sql);
    free(st);
}

static int pg_prepare(mlops__conn *conn, const char *sql, int persistent, mlops__stmt **out)
{
    mlops__pg_stmt *st = calloc(1, sizeof *st);
    if (!st) return mlops__err_nomem("preparing a statement");
    int rc = mlops__pg_rewrite(sql, &st->sql, &st->nparams);
    if (rc) {
        free(st);
        return rc;
    }
    size_t n = st->nparams ? (size_t)st->nparams : 1;
    st->params = calloc(n, sizeof *st->params);
    st->prepared_types = calloc(n, sizeof *st->prepared_types);
    st->types = calloc(n, sizeof *st->types);
    st->values = calloc(n, sizeof *st->values);
    st->lengths = calloc(n, sizeof *st->lengths);
    st->formats = calloc(n, sizeof *st->formats);
    if (!st->params || !st->prepared_types || !st->types || !st->values || !st->lengths ||
        !st->formats) {
        free_stmt(st);
        return mlops__err_nomem("preparing a statement");
    }
    for (size_t i = 0; i < n; i++) {
        st->params[i].null = 1;
        st->formats[i] = 1;
    }
    st->base.conn = conn;
    st->persistent = persistent;
    st->row = -1;
    *out = &st->base;
    return MLOPS_OK;
}

static void pg_reset(mlops__stmt *s)
{
    mlops__pg_stmt *st = pgs(s);
    PQclear(st->res);
    st->res = NULL;
    st->ahead_rc = 0;
    st->row = -1;
    st->done = 0;
    free_conv(st);
}

static void pg_finalize(mlops__stmt *s)
{
    mlops__pg_stmt *st = pgs(s);
    if (!st) return;
    pg_reset(s);
    if (st->name[0]) forget_prepared(pgc(s->conn), st->name);
    free_stmt(st);
}

static void pg_clear_bindings(mlops__stmt *s)
{
    mlops__pg_stmt *st = pgs(s);
    for (int i = 0; i < st->nparams; i++) {
        st->params[i].null = 1;
        st->params[i].type = 0;
        st->params[i].len = 0;
    }
}

static int pg_is_busy(mlops__stmt *s)
{
    return pgs(s)->res != NULL;
}

/* ---- Binds ------------------------------------------------------------ */

/* The parameter idx (1-based) ready for a value of n bytes, or NULL with
 * *rc set. The buffer is never NULL, even for 0 bytes: libpq reads a NULL
 * value as SQL NULL. */
static mlops__pg_param *param_for(mlops__stmt *s, int idx, size_t n, int *rc)
{
    mlops__pg_stmt *st = pgs(s);
    if (idx < 1 || idx > st->nparams) {
        *rc = MLOPS__PG_ERANGE;
        return NULL;
    }
    mlops__pg_param *p = &st->params[idx - 1];
    if (!p->data || p->cap < n + 1) {
        char *d = realloc(p->data, n + 1);
        if (!d) {
            *rc = MLOPS__PG_ENOMEM;
            return NULL;
        }
        p->data = d;
        p->cap = n + 1;
    }
    p->null = 0;
    p->len = (int)n;
    return p;
}

static int pg_bind_null(mlops__stmt *s, int idx)
{
    mlops__pg_stmt *st = pgs(s);
    if (idx < 1 || idx > st->nparams) return MLOPS__PG_ERANGE;
    st->params[idx - 1].null = 1;
    st->params[idx - 1].type = 0;
    return 0;
}

static int pg_bind_int64(mlops__stmt *s, int idx, int64_t v)
{
    int rc = 0;
    mlops__pg_param *p = param_for(s, idx, 8, &rc);
    if (!p) return rc;
    p->type = MLOPS__PG_INT8;
    mlops__pg_put64((unsigned char *)p->data, (uint64_t)v);
    return 0;
}

static int pg_bind_double(mlops__stmt *s, int idx, double v)
{
    int rc = 0;
    mlops__pg_param *p = param_for(s, idx, 8, &rc);
    if (!p) return rc;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    p->type = MLOPS__PG_FLOAT8;
    mlops__pg_put64((unsigned char *)p->data, bits);
    return 0;
}

static int pg_bind_text(mlops__stmt *s, int idx, const char *text)
{
    if (!text) return pg_bind_null(s, idx);
    size_t n = strlen(text);
    if (n > INT32_MAX - 1) return MLOPS__PG_ETOOBIG;
    int rc = 0;
    mlops__pg_param *p = param_for(s, idx, n, &rc);
    if (!p) return rc;
    p->type = MLOPS__PG_TEXT;
    memcpy(p->data, text, n + 1);
    return 0;
}

/* As sqlite3_bind_blob: a NULL pointer binds SQL NULL; a non-NULL one
 * with n = 0 an empty bytea. */
static int pg_bind_blob(mlops__stmt *s, int idx, const void *ptr, int n)
{
    if (n < 0) return MLOPS__PG_ETOOBIG;
    if (!ptr) return pg_bind_null(s, idx);
    int rc = 0;
    mlops__pg_param *p = param_for(s, idx, (size_t)n, &rc);
    if (!p) return rc;
    p->type = MLOPS__PG_BYTEA;
    if (n) memcpy(p->data, ptr, (size_t)n);
    return 0;
}

/* ---- Execution -------------------------------------------------------- */

/* SQLite's changes() counts rows of INSERT, UPDATE and DELETE only: a
 * SELECT leaves the count as it was. */
static void note_changes(mlops__pg_conn *c, const PGresult *res)
{
    const char *status = PQcmdStatus((PGresult *)res);
    if (strncmp(status, "INSERT ", 7) == 0 || strncmp(status, "UPDATE ", 7) == 0 ||
        strncmp(status, "DELETE ", 7) == 0 || strncmp(status, "MERGE ", 6) == 0)
        c->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

/* Whether the server-side statement takes this execution's parameters: a
 * NULL fits any type. */
static int prepared_fits(const mlops__pg_stmt *st)
{
    if (!st->name[0]) return 0;
    for (int i = 0; i < st->nparams; i++)
        if (!st->params[i].null && st->params[i].type != st->prepared_types[i]) return 0;
    return 1;
}

/* The parameter whose type the server could not infer (SQLSTATE 42P08
 * or 42P18, "could not determine data type of parameter $N"), or 0. */
static int indeterminate_param(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (!state || !msg || (strcmp(state, "42P08") != 0 && strcmp(state, "42P18") != 0)) return 0;
    const char *d = strrchr(msg, '$');
    long n = d ? strtol(d + 1, NULL, 10) : 0;
    return n >= 1 && n <= MAX_PARAMS ? (int)n : 0;
}

static int simple(mlops__pg_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : mlops__pg_keep_error(c, res);
    PQclear(res);
    return rc;
}

/* Parses st (into a server-side statement when persistent) and, when not
 * persistent, runs it; *res is the result of the last of these. A NULL
 * goes with the type last bound to its parameter, else with none, and
 * the server infers one from the context; where it cannot (the first use
 * is `?1 IS NULL`), the NULL is sent as text, as the server types an
 * unknown literal. That costs a failed parse: inside a transaction it is
 * fenced by a savepoint, which a failed parse would otherwise abort. */
static int parse_and_run(mlops__pg_stmt *st, PGresult **res)
{
    mlops__pg_conn *c = pgc(st->base.conn);
    for (;;) {
        int untyped = 0;
        for (int i = 0; i < st->nparams; i++) {
            const mlops__pg_param *p = &st->params[i];
            st->types[i] = p->null ? p->hint : p->type;
            untyped |= st->types[i] == 0;
        }
        int fence = untyped && PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
        if (fence) {
            int rc = simple(c, "SAVEPOINT mlops_parse");
            if (rc) return rc;
        }
        char name[sizeof st->name] = "";
        if (st->persistent) {
            snprintf(name, sizeof name, "mlops_%u", c->next_name++);
            *res = PQprepare(c->pg, name, st->sql, st->nparams, st->types);
        } else {
            *res = PQexecParams(c->pg, st->sql, st->nparams, st->types, st->values, st->lengths,
                                st->formats, 1);
        }
        ExecStatusType status = PQresultStatus(*res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            if (st->persistent) {
                memcpy(st->name, name, sizeof name);
                if (st->nparams)
                    memcpy(st->prepared_types, st->types, sizeof *st->types * (size_t)st->nparams);
            }
            return fence ? simple(c, "RELEASE SAVEPOINT mlops_parse") : 0;
        }
        int n = indeterminate_param(*res);
        if (!n || st->params[n - 1].hint != 0) return 0; /* the caller reports it */
        if (!fence && PQtransactionStatus(c->pg) != PQTRANS_IDLE) return 0;
        PQclear(*res);
        *res = NULL;
        if (fence) {
            int rc = simple(c, "ROLLBACK TO SAVEPOINT mlops_parse");
            if (!rc) rc = simple(c, "RELEASE SAVEPOINT mlops_parse");
            if (rc) return rc;
        }
        st->params[n - 1].hint = MLOPS__PG_TEXT;
    }
}

static int execute(mlops__pg_stmt *st)
{
    mlops__pg_conn *c = pgc(st->base.conn);
    flush_stale(c);
    for (int i = 0; i < st->nparams; i++) {
        mlops__pg_param *p = &st->params[i];
        st->values[i] = p->null ? NULL : p->data;
        st->lengths[i] = p->null ? 0 : p->len;
        if (!p->null) p->hint = p->type;
    }
    PGresult *res = NULL;
    if (!st->persistent || !prepared_fits(st)) {
        if (st->name[0]) forget_prepared(c, st->name);
        st->name[0] = '\0';
        int rc = parse_and_run(st, &res);
        if (rc) {
            PQclear(res);
            return rc;
        }
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
            rc = mlops__pg_keep_sql_error(c, st->sql, res);
            PQclear(res);
            return rc;
        }
    }
    if (st->persistent) {
        PQclear(res);
        res = PQexecPrepared(c->pg, st->name, st->nparams, st->values, st->lengths, st->formats,
                             1);
        ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            int rc = mlops__pg_keep_sql_error(c, st->sql, res);
            PQclear(res);
            return rc;
        }
    }
    note_changes(c, res);
    st->res = res;
    st->row = -1;
    st->done = 0;
    return 0;
}

#ifdef LIBPQ_HAS_PIPELINING /* libpq 14 and newer; with an older one each runs at its step */
/* Statements one run-ahead takes at most, and the bytes of their
 * parameters: libpq writes them all before reading any result, while the
 * server, answering the first, may wait for the client to read; so what
 * is sent must fit in libpq's and the socket's buffers (a page of a
 * search sends five statements of under 8 KiB each, its lookups a few
 * dozen of a few hundred bytes). */
#define AHEAD_MAX 64
#define AHEAD_BYTES 65536

/* The libpq argument arrays of st from its binds, as execute() makes them. */
static void fill_args(mlops__pg_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        mlops__pg_param *p = &st->params[i];
        st->values[i] = p->null ? NULL : p->data;
        st->lengths[i] = p->null ? 0 : p->len;
        if (!p->null) p->hint = p->type;
        st->types[i] = p->null ? p->hint : p->type;
    }
}

/* Whether the pipeline can take st: not running, and every parameter of
 * a known type (an untyped NULL needs parse_and_run's retry). Adds its
 * parameters' bytes to *bytes. */
static int ahead_fits(const mlops__pg_stmt *st, size_t *bytes)
{
    if (st->res || st->ahead_rc) return 0;
    *bytes += strlen(st->sql); /* sent with its first use */
    for (int i = 0; i < st->nparams; i++) {
        const mlops__pg_param *p = &st->params[i];
        if (p->null ? p->hint == 0 : p->type == 0) return 0;
        if (!p->null) *bytes += (size_t)p->len;
    }
    return 1;
}

/* Collects the result of one statement sent in the pipeline (then the
 * NULL that ends it); *first_err keeps the first failure's code. */
static void ahead_result(mlops__pg_conn *c, mlops__pg_stmt *st, int prepared_now,
                         const char *name, int *first_err)
{
    if (prepared_now) {
        PGresult *p = PQgetResult(c->pg);
        if (PQresultStatus(p) == PGRES_COMMAND_OK) {
            memcpy(st->name, name, sizeof st->name);
            if (st->nparams)
                memcpy(st->prepared_types, st->types, sizeof *st->types * (size_t)st->nparams);
        } else if (PQresultStatus(p) != PGRES_PIPELINE_ABORTED && !*first_err) {
            *first_err = st->ahead_rc = mlops__pg_keep_sql_error(c, st->sql, p);
        }
        PQclear(p);
        PQclear(PQgetResult(c->pg)); /* the NULL after it */
    }
    PGresult *res = PQgetResult(c->pg);
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        note_changes(c, res);
        st->res = res;
        st->row = -1;
        st->done = 0;
        res = NULL;
    } else if (status != PGRES_PIPELINE_ABORTED && !*first_err) {
        *first_err = st->ahead_rc = mlops__pg_keep_sql_error(c, st->sql, res);
    }
    /* aborted after an earlier failure: left to run at its step, where
     * the aborted transaction says so */
    PQclear(res);
    PQclear(PQgetResult(c->pg)); /* the NULL after each statement's result */
}

/* mlops__stmts_run_ahead: the statements go out in libpq's pipeline mode
 * (prepared ones that need it are prepared in the same pipeline) with
 * one sync, and their results are kept for their steps. When the
 * pipeline cannot take them all, nothing is sent: each runs at its step. */
static int pg_run_ahead(mlops__stmt **sts, int n)
{
    mlops__pg_conn *c = pgc(sts[0]->conn);
    size_t bytes = 0;
    if (n > AHEAD_MAX) return 0;
    for (int i = 0; i < n; i++)
        if (!ahead_fits(pgs(sts[i]), &bytes)) return 0;
    if (bytes > AHEAD_BYTES) return 0;
    flush_stale(c);
    if (!PQenterPipelineMode(c->pg)) return 0;
    char names[AHEAD_MAX][sizeof((mlops__pg_stmt *)NULL)->name];
    int prepared_now[AHEAD_MAX] = { 0 };
    int sent = 1;
    for (int i = 0; i < n && sent; i++) {
        mlops__pg_stmt *st = pgs(sts[i]);
        free_conv(st);
        fill_args(st);
        if (!st->persistent) {
            sent = PQsendQueryParams(c->pg, st->sql, st->nparams, st->types, st->values,
                                     st->lengths, st->formats, 1);
            continue;
        }
        if (!prepared_fits(st)) {
            if (st->name[0]) forget_prepared(c, st->name);
            st->name[0] = '\0';
            snprintf(names[i], sizeof names[i], "mlops_%u", c->next_name++);
            prepared_now[i] = 1;
            sent = PQsendPrepare(c->pg, names[i], st->sql, st->nparams, st->types);
            if (!sent) break;
            sent = PQsendQueryPrepared(c->pg, names[i], st->nparams, st->values, st->lengths,
                                       st->formats, 1);
        } else {
            sent = PQsendQueryPrepared(c->pg, st->name, st->nparams, st->values, st->lengths,
                                       st->formats, 1);
        }
    }
    if (!sent || !PQpipelineSync(c->pg)) {
        /* the connection failed: nothing can be read back in order */
        int rc = mlops__pg_keep_error(c, NULL);
        PQexitPipelineMode(c->pg);
        return rc;
    }
    int first_err = 0;
    for (int i = 0; i < n; i++)
        ahead_result(c, pgs(sts[i]), prepared_now[i], names[i], &first_err);
    PGresult *sync = PQgetResult(c->pg);
    int synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || !PQexitPipelineMode(c->pg)) return mlops__pg_keep_error(c, NULL);
    return 0;
}
#endif

/* As sqlite3_step: a step after MLOPS__DONE runs the statement again. */
static int pg_step(mlops__stmt *s)
{
    mlops__pg_stmt *st = pgs(s);
    free_conv(st);
    if (st->ahead_rc) { /* failed when run ahead: its error, once */
        int rc = st->ahead_rc;
        st->ahead_rc = 0;
        st->done = 1;
        return rc;
    }
    if (!st->res || st->done) {
        pg_reset(s);
        int rc = execute(st);
        if (rc) return rc;
    }
    if (st->row + 1 < PQntuples(st->res)) {
        st->row++;
        return MLOPS__ROW;
    }
    st->done = 1;
    return MLOPS__DONE;
}

/* ---- Columns ---------------------------------------------------------- */

/* The current row's value of column i, or NULL (SQL NULL, no row, no
 * such column). */
static const unsigned char *value(mlops__pg_stmt *st, int i, int *len, Oid *type)
{
    if (!st->res || st->done || st->row < 0 || i < 0 || i >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, i))
        return NULL;
    *len = PQgetlength(st->res, st->row, i);
    *type = PQftype(st->res, i);
    const unsigned char *p = (const unsigned char *)PQgetvalue(st->res, st->row, i);
    if (*type == MLOPS__PG_JSON) *type = MLOPS__PG_TEXT;
    if (*type == MLOPS__PG_JSONB && *len >= 1 && p[0] == 1) {
        /* jsonb_send: a version byte, then the text. */
        *type = MLOPS__PG_TEXT;
        (*len)--;
        p++;
    }
    return p;
}

static int is_texty(Oid type)
{
    switch (type) {
    case MLOPS__PG_TEXT:
    case MLOPS__PG_VARCHAR:
    case MLOPS__PG_NAME:
    case MLOPS__PG_UNKNOWN:
    case MLOPS__PG_BPCHAR:
    case MLOPS__PG_BYTEA: return 1;
    default: return 0;
    }
}

static int pg_col_null(mlops__stmt *s, int i)
{
    int len;
    Oid type;
    return value(pgs(s), i, &len, &type) == NULL;
}

static double float_of(const unsigned char *p, int len)
{
    if (len == 8) {
        uint64_t bits = mlops__pg_get64(p);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    uint32_t bits = mlops__pg_get32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* As SQLite converts a REAL to an integer: NaN is 0, out of range is
 * clamped, the rest truncated. */
static int64_t int_of_double(double d)
{
    if (isnan(d)) return 0;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    if (d >= 9223372036854775808.0) return INT64_MAX;
    return (int64_t)d;
}

static int64_t pg_col_int64(mlops__stmt *s, int i)
{
    int len = 0;
    Oid type = 0;
    const unsigned char *p = value(pgs(s), i, &len, &type);
    if (!p) return 0;
    switch (type) {
    case MLOPS__PG_INT8: return len == 8 ? (int64_t)mlops__pg_get64(p) : 0;
    case MLOPS__PG_INT4: return len == 4 ? (int32_t)mlops__pg_get32(p) : 0;
    case MLOPS__PG_OID: return len == 4 ? (int64_t)mlops__pg_get32(p) : 0;
    case MLOPS__PG_INT2: return len == 2 ? (int16_t)mlops__pg_get16(p) : 0;
    case MLOPS__PG_BOOL: return len == 1 ? p[0] != 0 : 0;
    case MLOPS__PG_FLOAT4:
    case MLOPS__PG_FLOAT8: return len == 4 || len == 8 ? int_of_double(float_of(p, len)) : 0;
    case MLOPS__PG_NUMERIC: {
        int64_t v = 0;
        if (mlops__pg_numeric_int64(p, len, &v)) return v;
        char *t = mlops__pg_numeric_text(p, len);
        v = t ? int_of_double(strtod(t, NULL)) : 0;
        free(t);
        return v;
    }
    default: /* text: its leading integer, as SQLite reads one */
        return is_texty(type) ? strtoll((const char *)p, NULL, 10) : 0;
    }
}

static double pg_col_double(mlops__stmt *s, int i)
{
    int len = 0;
    Oid type = 0;
    const unsigned char *p = value(pgs(s), i, &len, &type);
    if (!p) return 0.0;
    switch (type) {
    case MLOPS__PG_FLOAT4:
    case MLOPS__PG_FLOAT8: return len == 4 || len == 8 ? float_of(p, len) : 0.0;
    case MLOPS__PG_NUMERIC: {
        char *t = mlops__pg_numeric_text(p, len);
        double d = t ? strtod(t, NULL) : 0.0;
        free(t);
        return d;
    }
    case MLOPS__PG_INT8:
    case MLOPS__PG_INT4:
    case MLOPS__PG_INT2:
    case MLOPS__PG_OID:
    case MLOPS__PG_BOOL: return (double)pg_col_int64(s, i);
    default: return is_texty(type) ? strtod((const char *)p, NULL) : 0.0;
    }
}

/* The text of a column that is not text on the server (a number), kept
 * in the statement until the next step or reset, as SQLite converts in
 * place. */
static const char *converted(mlops__pg_stmt *st, int i, const unsigned char *p, int len, Oid type)
{
    if (!st->conv) {
        int n = PQnfields(st->res);
        st->conv = calloc((size_t)n, sizeof *st->conv);
        if (!st->conv) return NULL;
        st->nconv = n;
    }
    if (st->conv[i]) return st->conv[i];
    char *t = NULL;
    if (type == MLOPS__PG_NUMERIC) {
        t = mlops__pg_numeric_text(p, len);
    } else if (type == MLOPS__PG_FLOAT4 || type == MLOPS__PG_FLOAT8) {
        /* As SQLite writes a REAL: the shortest of 15 or 17 digits that
         * reads back, with ".0" on an integral value. */
        double d = pg_col_double(&st->base, i);
        t = malloc(32);
        if (t) {
            snprintf(t, 32, "%.15g", d);
            if (strtod(t, NULL) != d && !isnan(d)) snprintf(t, 32, "%.17g", d);
            if (isfinite(d) && !strpbrk(t, ".e")) strcat(t, ".0");
        }
    } else {
        t = malloc(24);
        if (t) snprintf(t, 24, "%lld", (long long)pg_col_int64(&st->base, i));
    }
    st->conv[i] = t;
    return t;
}

static int is_number(Oid type)
{
    switch (type) {
    case MLOPS__PG_INT8:
    case MLOPS__PG_INT4:
    case MLOPS__PG_INT2:
    case MLOPS__PG_OID:
    case MLOPS__PG_BOOL:
    case MLOPS__PG_FLOAT4:
    case MLOPS__PG_FLOAT8:
    case MLOPS__PG_NUMERIC: return 1;
    default: return 0;
    }
}

/* Text and bytea come as they are (libpq ends every value with a NUL);
 * numbers as their decimal text; other types as the server's binary
 * form. */
static const char *pg_col_text(mlops__stmt *s, int i)
{
    mlops__pg_stmt *st = pgs(s);
    int len = 0;
    Oid type = 0;
    const unsigned char *p = value(st, i, &len, &type);
    if (!p) return NULL;
    if (is_number(type)) return converted(st, i, p, len, type);
    return (const char *)p;
}

static const void *pg_col_blob(mlops__stmt *s, int i)
{
    return pg_col_text(s, i);
}

static int pg_col_bytes(mlops__stmt *s, int i)
{
    mlops__pg_stmt *st = pgs(s);
    int len = 0;
    Oid type = 0;
    const unsigned char *p = value(st, i, &len, &type);
    if (!p) return 0;
    if (is_number(type)) {
        const char *t = converted(st, i, p, len, type);
        return t ? (int)strlen(t) : 0;
    }
    return len;
}

/* The storage class of a value, by its column's type: a numeric is an
 * integer when it is one that fits (sum() of BIGINT is numeric). */
static enum mlops__col_kind pg_col_type(mlops__stmt *s, int i)
{
    int len = 0;
    Oid type = 0;
    const unsigned char *p = value(pgs(s), i, &len, &type);
    if (!p) return MLOPS__COL_NULL;
    int64_t v;
    switch (type) {
    case MLOPS__PG_INT8:
    case MLOPS__PG_INT4:
    case MLOPS__PG_INT2:
    case MLOPS__PG_OID:
    case MLOPS__PG_BOOL: return MLOPS__COL_INT;
    case MLOPS__PG_FLOAT4:
    case MLOPS__PG_FLOAT8: return MLOPS__COL_REAL;
    case MLOPS__PG_NUMERIC:
        return mlops__pg_numeric_int64(p, len, &v) ? MLOPS__COL_INT : MLOPS__COL_REAL;
    case MLOPS__PG_BYTEA: return MLOPS__COL_BLOB;
    default: return is_texty(type) ? MLOPS__COL_TEXT : MLOPS__COL_BLOB;
    }
}

/* ---- Connection-level commands --------------------------------------- */

/* Runs sql (no parameters); MLOPS code with what as the message. */
static int run(mlops__pg_conn *c, const char *sql, const char *what)
{
    flush_stale(c);
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = MLOPS_OK;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        note_changes(c, res);
    else
        rc = mlops__pg_error(&c->base, mlops__pg_keep_sql_error(c, sql, res), what);
    PQclear(res);
    return rc;
}

static int pg_exec(mlops__conn *conn, const char *sql)
{
    return run(pgc(conn), sql, "executing SQL");
}

static void pg_rollback(mlops__conn *conn)
{
    mlops__pg_conn *c = pgc(conn);
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) PQclear(PQexec(c->pg, "ROLLBACK"));
    c->write_tx = 0;
}

static int pg_begin(mlops__conn *conn, int write)
{
    mlops__pg_conn *c = pgc(conn);
    c->sqlstate[0] = '\0'; /* retry_class looks at this transaction's failures only */
    if (!write)
        return run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                   "starting a read transaction");
    /* One round trip: BEGIN and the store's lock; waits at most
     * lock_timeout (then SQLSTATE 55P03, MLOPS_EBUSY). */
    char sql[96];
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)c->lock_key);
    int rc = run(c, sql, "starting a write transaction");
    if (rc) {
        pg_rollback(conn);
        return rc;
    }
    c->write_tx = 1;
    return MLOPS_OK;
}

/* sql and COMMIT go in one simple-query message: one round trip. A
 * failure of sql skips the COMMIT and leaves the transaction aborted (the
 * caller rolls back). */
static int pg_commit_with(mlops__conn *conn, const char *sql)
{
    mlops__pg_conn *c = pgc(conn);
    char *both = NULL;
    if (sql) {
        size_t n = strlen(sql) + sizeof "; COMMIT";
        both = malloc(n);
        if (!both) return mlops__err_nomem("committing a transaction");
        snprintf(both, n, "%s; COMMIT", sql);
    }
    PGresult *res = PQexec(c->pg, both ? both : "COMMIT");
    free(both);
    int rc = MLOPS_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = mlops__pg_error(conn, mlops__pg_keep_error(c, res), "committing a transaction");
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        /* COMMIT of a transaction in which a statement failed rolls back. */
        rc = mlops__err(MLOPS_EIO, "committing a transaction: a statement in it had failed, "
                                   "so PostgreSQL rolled it back");
    PQclear(res);
    c->write_tx = 0;
    return rc;
}

static int pg_commit(mlops__conn *conn)
{
    return pg_commit_with(conn, NULL);
}

static int pg_in_write(mlops__conn *conn)
{
    mlops__pg_conn *c = pgc(conn);
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    return c->write_tx && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR);
}

static int64_t pg_changes(mlops__conn *conn)
{
    return pgc(conn)->changes;
}

/* LIKE takes patterns of any length; a statement at most 65535
 * parameters (the protocol's 16-bit count). */
static int pg_like_max(mlops__conn *conn)
{
    (void)conn;
    return INT32_MAX;
}

static int pg_max_params(mlops__conn *conn)
{
    (void)conn;
    return MAX_PARAMS;
}

const mlops__db_driver mlops__postgres_driver = {
    .version = MLOPS__DB_DRIVER_VERSION,
    .name = "PostgreSQL",
    .dialect = MLOPS__POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .clear_bindings = pg_clear_bindings,
    .is_busy = pg_is_busy,
    .bind_null = pg_bind_null,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
#ifdef LIBPQ_HAS_PIPELINING
    .run_ahead = pg_run_ahead,
#endif
    .col_null = pg_col_null,
    .col_int64 = pg_col_int64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_bytes = pg_col_bytes,
    .col_type = pg_col_type,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_write = pg_in_write,
    .changes = pg_changes,
    .like_max = pg_like_max,
    .max_params = pg_max_params,
    .error = mlops__pg_error,
    .code_of = mlops__pg_code,
    .prepare_store = mlops__pg_prepare_store,
    .read_format = mlops__pg_read_format,
    .begin_migration = mlops__pg_begin_migration,
    .write_format = mlops__pg_write_format,
    .create_base = mlops__pg_create_base,
    .check_target = mlops__pg_check_target,
    .commit_with = pg_commit_with,
    .retry_class = mlops__pg_retry_class,
    .open_retry_class = mlops__pg_open_retry_class,
    .alive = mlops__pg_alive,
    .describe = mlops__pg_describe,
};
