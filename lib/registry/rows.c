/* Small helpers for reading rows, shared by the registry's files. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

void mlops__reg_digest_text(const mlops_digest *d, char out[MLOPS_DIGEST_STRLEN])
{
    memcpy(out, "sha256:", 7);
    mlops__hex_encode(d->bytes, sizeof d->bytes, out + 7);
}

char *mlops__reg_column_dup(mlops__stmt *st, int i, int *oom)
{
    const char *t = mlops__col_text(st, i);
    if (!t) return NULL;
    char *p = mlops__strdup((const char *)t);
    if (!p) *oom = 1;
    return p;
}

int mlops__reg_collect_ids(mlops__conn *c, mlops__stmt *st, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    int step, rc = MLOPS_OK;
    *ids = NULL;
    *n = 0;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *p = realloc(*ids, cap * sizeof *p);
            if (!p) {
                rc = mlops__err_nomem("listing rows");
                break;
            }
            *ids = p;
        }
        (*ids)[(*n)++] = mlops__col_int64(st, 0);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing rows");
    mlops__reset(st);
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int mlops__reg_first_text(mlops__conn *c, mlops__stmt *st, char **out)
{
    int step = mlops__step(st);
    int oom = 0;
    *out = step == MLOPS__ROW ? mlops__reg_column_dup(st, 0, &oom) : NULL;
    mlops__reset(st);
    if (step == MLOPS__DONE) return MLOPS_OK;
    if (step != MLOPS__ROW) return mlops__conn_error(c, step, "reading a row");
    return *out ? MLOPS_OK : mlops__err_nomem("reading a row");
}
