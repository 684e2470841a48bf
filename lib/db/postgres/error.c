/* PostgreSQL errors -> MLOPS codes (pg.h), and which failures are worth
 * another attempt. The class of a SQLSTATE (its
 * first two characters) says most: 23 integrity, 22 data, 08 connection;
 * a few codes inside a class matter on their own (deadlocks, lock
 * timeouts and serialization failures are worth a retry: MLOPS_EBUSY;
 * 42501, a privilege the role lacks: MLOPS_EPERM, doc/shared-stores.md). */
#include "db/postgres/pg.h"
#include "util/err.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mlops__pg_sqlstate_code(const char *s)
{
    if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 || strcmp(s, "55P03") == 0)
        return MLOPS_EBUSY;
    if (strcmp(s, "25006") == 0) return MLOPS_EREADONLY;
    if (strcmp(s, "42501") == 0) return MLOPS_EPERM;
    if (strcmp(s, "53200") == 0) return MLOPS_ENOMEM;
    if (strncmp(s, "23", 2) == 0) return MLOPS_ECONFLICT;
    if (strncmp(s, "22", 2) == 0) return MLOPS_EINVAL;
    /* 08 connection, 57P0x shutdown, 53 resources and the rest. */
    return MLOPS_EIO;
}

/* Copies n bytes of s without a trailing newline (libpq ends its own
 * messages with one). */
static char *dup_line(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int mlops__pg_keep_error(mlops__pg_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    free(c->msg);
    c->sqlstate[0] = '\0';
    c->denied[0] = '\0';
    if (state && primary) {
        strncpy(c->sqlstate, state, sizeof c->sqlstate - 1);
        c->sqlstate[sizeof c->sqlstate - 1] = '\0';
        c->msg = dup_line(primary);
    } else {
        /* No SQLSTATE: libpq's own failure (connection lost, out of memory). */
        const char *m = res ? PQresultErrorMessage(res) : "";
        if (!*m) m = PQerrorMessage(c->pg);
        c->msg = dup_line(*m ? m : "the connection failed");
    }
    if (!c->msg) return MLOPS__PG_ENOMEM;
    return c->sqlstate[0] ? MLOPS__PG_ESERVER : MLOPS__PG_ECONN;
}

int mlops__pg_keep_sql_error(mlops__pg_conn *c, const char *sql, const PGresult *res)
{
    int rc = mlops__pg_keep_error(c, res);
    if (strcmp(c->sqlstate, "42501") == 0) mlops__pg_note_denied(c, sql);
    return rc;
}

static const char *nz(const char *s)
{
    return s && *s ? s : "?";
}

int mlops__pg_code(mlops__conn *conn, int rc)
{
    const mlops__pg_conn *c = (const mlops__pg_conn *)conn;
    switch (rc) {
    case MLOPS__PG_ESERVER: return mlops__pg_sqlstate_code(c->sqlstate);
    case MLOPS__PG_ENOMEM: return MLOPS_ENOMEM;
    case MLOPS__PG_ERANGE:
    case MLOPS__PG_ETOOBIG: return MLOPS_EINVAL;
    default: return MLOPS_EIO; /* ECONN */
    }
}

int mlops__pg_error(mlops__conn *conn, int rc, const char *what)
{
    mlops__pg_conn *c = (mlops__pg_conn *)conn;
    switch (rc) {
    case MLOPS__PG_ESERVER:
        if (strcmp(c->sqlstate, "42501") == 0)
            return mlops__err(MLOPS_EPERM, "%s: role '%s' may not %s (%s; PostgreSQL SQLSTATE %s)",
                              what, mlops__pg_role(c), c->denied[0] ? c->denied : "do this",
                              c->msg, c->sqlstate);
        return mlops__err(mlops__pg_sqlstate_code(c->sqlstate), "%s: %s (PostgreSQL SQLSTATE %s)",
                          what, c->msg, c->sqlstate);
    case MLOPS__PG_ECONN:
        return mlops__err(MLOPS_EIO, "%s: %s (PostgreSQL server %s:%s, database %s)", what,
                          c->msg ? c->msg : "the connection failed", nz(PQhost(c->pg)),
                          nz(PQport(c->pg)), nz(PQdb(c->pg)));
    case MLOPS__PG_ENOMEM: return mlops__err_nomem(what);
    case MLOPS__PG_ERANGE:
        return mlops__err(MLOPS_EINVAL, "%s: parameter index out of range", what);
    case MLOPS__PG_ETOOBIG:
        return mlops__err(MLOPS_EINVAL, "%s: negative length", what);
    default:
        return mlops__err(MLOPS_EIO, "%s: PostgreSQL driver code %d", what, rc);
    }
}

/* libpq quotes the offending part, which may be the whole string with
 * its password. A value that ends a message (after ": ") is left out,
 * from its opening quote to the message's last one: a quote inside the
 * string (a password may hold one) must not end the hidden part early.
 * Before it, a quoted single character (such as "=" in libpq's own text)
 * stays; any other quoted part is left out the same way. */
char *mlops__pg_redact_conninfo_error(const char *m)
{
    size_t n = strlen(m);
    const char *last = strrchr(m, '"');
    const char *value = strstr(m, ": \"");
    size_t value_at = value ? (size_t)(value - m) + 2 : n;
    char *d = malloc(n + 5 + 1);
    if (!d) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (m[i] != '"') {
            d[k++] = m[i++];
        } else if (i < value_at && m[i + 1] && m[i + 1] != '"' && m[i + 2] == '"') {
            memcpy(d + k, m + i, 3);
            k += 3;
            i += 3;
        } else {
            memcpy(d + k, "\"...\"", 5);
            k += 5;
            i = last > m + i ? (size_t)(last - m) + 1 : n;
        }
    }
    while (k > 0 && (d[k - 1] == '\n' || d[k - 1] == ' ')) k--;
    d[k] = '\0';
    return d;
}

/* ---- Failures worth another attempt ---------------------------------- */

enum mlops__retry mlops__pg_retry_class(mlops__conn *conn)
{
    const mlops__pg_conn *c = (const mlops__pg_conn *)conn;
    const char *s = c->sqlstate;
    /* libpq marks the connection bad when the socket closed or broke,
     * including after the server's own FATAL goodbye. */
    if (PQstatus(c->pg) == CONNECTION_BAD) return MLOPS__RETRY_LOST;
    if (strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 || strcmp(s, "57P02") == 0 ||
        strcmp(s, "57P03") == 0)
        return MLOPS__RETRY_LOST;
    if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 || strcmp(s, "55P03") == 0)
        return MLOPS__RETRY_BUSY;
    return MLOPS__RETRY_NO;
}

/* A connection that failed to open: the server is asked whether it
 * accepts connections at all (PQping sends no credentials). If it does
 * now, it may have just finished starting (our attempt got 57P03), or it
 * refused us for a reason a retry does not change (authentication, no
 * such database, a certificate that does not verify): one more
 * connection tells which. The ping itself does not verify the server's
 * certificate (sslmode=prefer after the URI's own settings): with
 * verify-full and the wrong root certificate it would never get an
 * answer, and the open would be retried for the whole budget. */
enum mlops__retry mlops__pg_open_retry_class(const mlops__db_target *t)
{
    const char *uri = t->uri ? t->uri : "";
    const char *const keys[] = { "dbname", "sslmode", NULL };
    const char *const values[] = { uri, "prefer", NULL };
    switch (PQpingParams(keys, values, 1)) {
    case PQPING_REJECT:      /* starting up, shutting down, in recovery */
    case PQPING_NO_RESPONSE: /* down or unreachable */
        return MLOPS__RETRY_LOST;
    case PQPING_OK: {
        PGconn *pg = PQconnectdb(uri);
        int up = pg && PQstatus(pg) == CONNECTION_OK;
        PQfinish(pg);
        return up ? MLOPS__RETRY_LOST : MLOPS__RETRY_NO;
    }
    default: return MLOPS__RETRY_NO;
    }
}

/* Nothing may arrive on an idle connection (no LISTEN, no COPY): bytes
 * or an end of file waiting there are the server's goodbye, such as the
 * FATAL 57P01 of a restart. */
int mlops__pg_alive(mlops__conn *conn)
{
    const mlops__pg_conn *c = (const mlops__pg_conn *)conn;
    if (PQstatus(c->pg) != CONNECTION_OK) return 0;
    struct pollfd p = { .fd = PQsocket(c->pg), .events = POLLIN };
    if (p.fd < 0) return 0;
    return poll(&p, 1, 0) == 0;
}

/* A keyword's value from parsed options, else from libpq's defaults
 * (environment variables included); NULL when neither has one. */
static const char *option(const PQconninfoOption *given, const PQconninfoOption *defaults,
                          const char *key)
{
    for (const PQconninfoOption *o = given; o && o->keyword; o++)
        if (!strcmp(o->keyword, key) && o->val && *o->val) return o->val;
    for (const PQconninfoOption *o = defaults; o && o->keyword; o++)
        if (!strcmp(o->keyword, key) && o->val && *o->val) return o->val;
    return NULL;
}

void mlops__pg_describe(const mlops__db_target *t, char *buf, size_t n)
{
    PQconninfoOption *given = PQconninfoParse(t->uri ? t->uri : "", NULL);
    PQconninfoOption *defaults = PQconndefaults();
    const char *host = option(given, defaults, "host");
    if (!host) host = option(given, defaults, "hostaddr");
    const char *port = option(given, defaults, "port");
    const char *db = option(given, defaults, "dbname");
    if (!db) db = option(given, defaults, "user");
    snprintf(buf, n, "PostgreSQL server %s:%s, database %s", host ? host : "(default socket)",
             port ? port : "5432", db ? db : "?");
    PQconninfoFree(given);
    PQconninfoFree(defaults);
}
