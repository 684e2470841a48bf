/* Params: immutable key -> value per run. */
#include "store/store_internal.h"
#include "track/track_internal.h"
#include "util/err.h"

#include <string.h>

struct params_arg {
    const char *func;
    const mlops_run *run;
    const mlops_kv *kv;
    size_t n;
};

/* Inserts one param, or confirms the stored value is the same. */
static int log_one(mlops__conn *c, const struct params_arg *a, const mlops_kv *p)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO run_params(run, key, value, num) "
                              "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(run, key) DO NOTHING",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, a->run->seq);
    if (!rc) rc = mlops__bind_text(c, st, 2, p->key);
    if (!rc) rc = mlops__bind_text(c, st, 3, p->value);
    if (!rc) rc = mlops__track_bind_number_or_null(c, st, 4, p->value);
    if (!rc) rc = mlops__conn_step_done(c, st, "logging a param");
    if (rc || mlops__conn_changes(c) == 1) return rc;

    rc = mlops__conn_stmt(c, "SELECT value FROM run_params WHERE run = ?1 AND key = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, a->run->seq);
    if (!rc) rc = mlops__bind_text(c, st, 2, p->key);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step != MLOPS__ROW) {
        rc = mlops__conn_row_error(c, step,
                               "reading a logged param");
    } else {
        const char *old = mlops__col_text(st, 0);
        if (strcmp(old, p->value))
            rc = mlops__err(MLOPS_ECONFLICT,
                            "%s: param '%s' of run %s is already '%.100s'%s; params never "
                            "change (refused '%.100s'%s)",
                            a->func, p->key, a->run->id, old, strlen(old) > 100 ? "..." : "",
                            p->value, strlen(p->value) > 100 ? "..." : "");
    }
    mlops__reset(st);
    return rc;
}

static int params_tx(mlops__conn *c, void *arg)
{
    struct params_arg *a = arg;
    int rc = mlops__track_run_writable(c, a->run, a->func, 1);
    for (size_t i = 0; !rc && i < a->n; i++) rc = log_one(c, a, &a->kv[i]);
    return rc;
}

MLOPS_API int mlops_run_log_params(mlops_run *r, const mlops_kv *params, size_t n)
{
    if (!r) return mlops__err_null(__func__, "r");
    if (mlops__check_array(__func__, "params", params, n, sizeof *params)) return MLOPS_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int rc = mlops__track_check_key(__func__, "param key", params[i].key);
        if (!rc)
            rc = mlops__track_check_value(__func__, "param value", params[i].value,
                                          MLOPS_PARAM_VALUE_MAX);
        if (rc) return rc;
    }
    if (!n) return MLOPS_OK;
    struct params_arg a = { __func__, r, params, n };
    return mlops__store_write(r->store, params_tx, &a);
}

MLOPS_API int mlops_run_log_param(mlops_run *r, const char *key, const char *value)
{
    if (!r) return mlops__err_null(__func__, "r");
    int rc = mlops__track_check_key(__func__, "param key", key);
    if (!rc) rc = mlops__track_check_value(__func__, "param value", value, MLOPS_PARAM_VALUE_MAX);
    if (rc) return rc;
    mlops_kv kv = { key, value };
    struct params_arg a = { __func__, r, &kv, 1 };
    return mlops__store_write(r->store, params_tx, &a);
}
