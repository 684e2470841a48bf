/* What every import call shares: its options, its audit event, and
 * comparing the (key, value) sets an imported record carries. */
#include "import/import_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_import_opts_init(mlops_import_opts *opts, unsigned version)
{
    static const mlops_import_opts defaults = MLOPS_IMPORT_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_IMPORT_OPTS_VERSION);
}

int mlops__import_begin(mlops_store *s, const char *func, const mlops_import_opts *opts,
                        mlops__import *im)
{
    memset(im, 0, sizeof *im);
    im->func = func;
    if (!s) return mlops__err_null(func, "s");
    if (!opts) return mlops__err_null(func, "opts");
    int rc = mlops__opts_check(func, opts->version, MLOPS_IMPORT_OPTS_VERSION,
                               "mlops_import_opts_init");
    if (!rc) rc = mlops__check_name(func, "origin", opts->origin, MLOPS_IMPORT_ORIGIN_MAX);
    if (!rc) rc = mlops__store_check_writable(s, func);
    if (rc) return rc;
    im->origin = opts->origin;
    mlops_change_opts change = MLOPS_CHANGE_OPTS_INIT;
    change.actor = opts->actor;
    return mlops__reg_change_resolve(s, func, &change, &im->ch);
}

int mlops__import_event(mlops__conn *c, mlops__import *im, const mlops__audit_ev *ev,
                        int64_t time_ms, const char *actor, int64_t *seq)
{
    int rc = mlops__reg_change_clock(c, &im->ch);
    if (rc) return rc;
    msgpack_sbuffer buf;
    msgpack_sbuffer_init(&buf);
    rc = mlops__import_payload_encode(&buf, im->origin, time_ms, actor);
    if (!rc) rc = mlops__audit_append_payload(c, &im->ch, ev, buf.data, buf.size, seq);
    msgpack_sbuffer_destroy(&buf);
    return rc;
}

int mlops__import_check_kv(const char *func, const char *what, const mlops_kv *kv, size_t n,
                           size_t value_max)
{
    if (mlops__check_array(func, what, kv, n, sizeof *kv)) return MLOPS_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int rc = mlops__check_name(func, what, kv[i].key, MLOPS_KEY_MAX);
        if (rc) return rc;
        if (!kv[i].value) return mlops__err_null(func, "value");
        size_t len = strlen(kv[i].value);
        if (len > value_max || !mlops__utf8_valid(kv[i].value, len))
            return mlops__err(MLOPS_EINVAL, "%s: the value of %s '%s' is not UTF-8 of at most %zu bytes",
                              func, what, kv[i].key, value_max);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(kv[i].key, kv[j].key))
                return mlops__err(MLOPS_EINVAL, "%s: %s key '%s' is given twice", func, what,
                                  kv[i].key);
    }
    return MLOPS_OK;
}

int mlops__import_kv_equal(mlops__conn *c, const char *sql, int64_t id, const mlops_kv *kv,
                           size_t n, int *equal)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, sql, &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    size_t rows = 0;
    int same = 1, step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        const char *k = mlops__col_text(st, 0), *v = mlops__col_text(st, 1);
        rows++;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = k && v && !strcmp(kv[i].key, k) && !strcmp(kv[i].value, v);
        if (!found) same = 0;
    }
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading imported pairs");
    *equal = same && rows == n;
    return MLOPS_OK;
}
