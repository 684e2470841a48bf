/* PostgreSQL errors -> MLOPS codes (pg.h). The class of a SQLSTATE (its
 * first two characters) says most: 23 integrity, 22 data, 08 connection;
 * a few codes inside a class matter on their own (deadlocks, lock
 * timeouts and serialization failures are worth a retry: MLOPS_EBUSY;
 * 42501, a privilege the role lacks: MLOPS_EPERM, doc/shared-stores.md). */
#include "db/postgres/pg.h"
#include "util/err.h"

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
 * its password: the quoted parts longer than one character (such as "=")
 * become "...". */
char *mlops__pg_redact_conninfo_error(const char *m)
{
    size_t n = strlen(m);
    char *d = malloc(n + 4 * (n / 2 + 1) + 1);
    if (!d) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        const char *close = m[i] == '"' ? strchr(m + i + 1, '"') : NULL;
        if (close) {
            size_t end = (size_t)(close - m) + 1;
            if (end - i > 3) {
                memcpy(d + k, "\"...\"", 5);
                k += 5;
            } else {
                memcpy(d + k, m + i, end - i);
                k += end - i;
            }
            i = end;
        } else {
            d[k++] = m[i++];
        }
    }
    while (k > 0 && (d[k - 1] == '\n' || d[k - 1] == ' ')) k--;
    d[k] = '\0';
    return d;
}
