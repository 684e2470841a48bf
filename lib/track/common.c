/* Checks and lookups shared by the files of lib/track. */
#include "track/track_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = { "RUNNING", "FINISHED", "FAILED", "KILLED" };

MLOPS_API const char *mlops_run_status_name(int status)
{
    if (status < 0 || status > MLOPS_RUN_KILLED) return NULL;
    return status_names[status];
}

int mlops__track_status_from_name(const char *name)
{
    for (int i = 0; name && i <= MLOPS_RUN_KILLED; i++)
        if (!strcmp(name, status_names[i])) return i;
    return -1;
}

int mlops__track_run_id_valid(const char *s)
{
    if (!s) return 0;
    for (int i = 0; i < MLOPS_RUN_ID_LEN; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    }
    return s[MLOPS_RUN_ID_LEN] == '\0';
}

int mlops__track_check_run_id(const char *func, const char *run_id)
{
    if (!run_id) return mlops__err_null(func, "run_id");
    if (mlops__track_run_id_valid(run_id)) return MLOPS_OK;
    return mlops__err(MLOPS_EINVAL, "%s: run id '%.80s' is not 32 lowercase hex digits", func,
                      run_id);
}

int mlops__track_check_key(const char *func, const char *what, const char *key)
{
    return mlops__check_name(func, what, key, MLOPS_KEY_MAX);
}

int mlops__track_check_value(const char *func, const char *what, const char *value, size_t max)
{
    if (!value) return mlops__err_null(func, what);
    size_t len = strnlen(value, max + 1);
    if (len > max)
        return mlops__err(MLOPS_EINVAL, "%s: %s is longer than %zu bytes", func, what, max);
    if (!mlops__utf8_valid(value, len))
        return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", func, what);
    return MLOPS_OK;
}

int mlops__track_run_seq(mlops__conn *c, const char *func, const char *run_id, int64_t *seq,
                         int64_t *experiment_id)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT seq, experiment_id FROM runs WHERE run_id = ?1", &st);
    if (rc) return rc;
    rc = mlops__bind_text(c, st, 1, run_id);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        *seq = mlops__col_int64(st, 0);
        if (experiment_id) *experiment_id = mlops__col_int64(st, 1);
        rc = MLOPS_OK;
    } else if (step == MLOPS__DONE) {
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no run '%s'", func, run_id);
    } else {
        rc = mlops__conn_error(c, step, "looking up a run");
    }
    mlops__reset(st);
    return rc;
}

int mlops__run_exists(mlops__conn *c, const char *fn, const char *run_id, int *exists)
{
    if (!c) return mlops__err_null(__func__, "c");
    if (!exists) return mlops__err_null(__func__, "exists");
    int rc = mlops__track_check_run_id(fn, run_id);
    if (rc) return rc;
    int64_t seq;
    rc = mlops__track_run_seq(c, fn, run_id, &seq, NULL);
    if (rc == MLOPS_ENOTFOUND) {
        *exists = 0;
        return MLOPS_OK;
    }
    if (rc == MLOPS_OK) *exists = 1;
    return rc;
}

int mlops__track_run_writable(mlops__conn *c, const mlops_run *r, const char *func,
                              int need_running)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT status, deleted_ms FROM runs WHERE seq = ?1", &st);
    if (rc) return rc;
    rc = mlops__bind_int64(c, st, 1, r->seq);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        const char *status = mlops__col_text(st, 0);
        if (!mlops__col_null(st, 1))
            rc = mlops__err(MLOPS_ECONFLICT, "%s: run %s is deleted (restore it first)", func,
                            r->id);
        else if (need_running && status && strcmp(status, "RUNNING"))
            rc = mlops__err(MLOPS_ECONFLICT,
                            "%s: run %s has ended (%s): its params, metrics and lineage are "
                            "closed",
                            func, r->id, status);
    } else if (step == MLOPS__DONE) {
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: run %s no longer exists", func, r->id);
    } else {
        rc = mlops__conn_error(c, step, "reading a run's status");
    }
    mlops__reset(st);
    return rc;
}

/* Only plain decimal numbers count ("1", "-0.5", "3e-4"): strtod alone
 * would also take "nan", "inf", hex floats and leading spaces. */
int mlops__track_parse_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p) return 0;
    char *end;
    double v = strtod(s, &end);
    if (*end || v != v || v - v != 0) return 0; /* overflowed to inf */
    *out = v;
    return 1;
}

int mlops__track_bind_number_or_null(mlops__conn *c, mlops__stmt *st, int idx, const char *text)
{
    double v;
    if (mlops__track_parse_number(text, &v)) return mlops__bind_double(c, st, idx, v);
    return mlops__bind_text(c, st, idx, NULL);
}

int mlops__track_kv_at(const char *func, const mlops_kv *kv, size_t n, size_t i,
                       const char **key, const char **value)
{
    if (i >= n) return mlops__err(MLOPS_EINVAL, "%s: index %zu is not below %zu", func, i, n);
    if (key) *key = kv[i].key;
    if (value) *value = kv[i].value;
    return MLOPS_OK;
}

const char *mlops__track_kv_find(const mlops_kv *kv, size_t n, const char *key)
{
    if (!key) return NULL;
    size_t lo = 0, hi = n; /* sorted by key (bytewise, as SQLite's BINARY) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(kv[mid].key, key);
        if (!c) return kv[mid].value;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
