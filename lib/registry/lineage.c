/* Lineage of a version, read through the public tracking API: the run's
 * snapshot (params, metric summaries, lineage edges); and its input
 * digests, which the signing manifest covers too, read on the caller's
 * connection so that a transaction sees the lineage it wrote itself. */
#include "registry/registry_internal.h"
#include "track/track_internal.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int mlops__reg_run_inputs(mlops__conn *c, const char *fn, const char *run_id, mlops_digest **out,
                          size_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t seq = 0;
    mlops__stmt *st;
    int rc = mlops__track_run_seq(c, fn, run_id, &seq, NULL);
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT digest FROM run_lineage WHERE run = ?1 AND direction = ?2 "
                              "ORDER BY digest",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, seq);
    if (!rc) rc = mlops__bind_int64(c, st, 2, MLOPS_LINEAGE_INPUT);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (mlops__col_bytes(st, 0) != 32) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            mlops_digest *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                rc = mlops__err_nomem("reading a run's inputs");
                break;
            }
            *out = p;
        }
        memcpy((*out)[(*n)++].bytes, mlops__col_blob(st, 0), 32);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a run's inputs");
    mlops__reset(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

struct mlops_version_lineage {
    int64_t version;
    mlops_digest artifact;
    mlops_run_info *run; /* NULL without a run */
};

MLOPS_API void mlops_version_lineage_free(mlops_version_lineage *l)
{
    if (!l) return;
    mlops_run_info_free(l->run);
    free(l);
}

struct lineage_ctx {
    const char *fn;
    const char *model;
    int64_t number;
    mlops__reg_version v;
};

static int lineage_tx(mlops__conn *c, void *arg)
{
    struct lineage_ctx *x = arg;
    int64_t model_id = 0;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    return rc ? rc : mlops__reg_version_find(c, x->fn, x->model, model_id, x->number, 1, &x->v);
}

MLOPS_API int mlops_model_version_lineage(mlops_store *s, const char *model, int64_t version,
                                          mlops_version_lineage **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_version(__func__, version);
    if (rc) return rc;
    struct lineage_ctx x = { __func__, model, version, { 0 } };
    rc = mlops__store_read(s, lineage_tx, &x);
    if (rc) return rc;
    mlops_version_lineage *l = calloc(1, sizeof *l);
    if (!l) return mlops__err_nomem("reading a lineage");
    l->version = x.v.number;
    l->artifact = x.v.artifact;
    /* A version names its run for good; the run's params, metrics and
     * edges come from one snapshot of the experiment records. */
    if (x.v.has_run && (rc = mlops_run_get(s, x.v.run_id, &l->run)) != MLOPS_OK) {
        mlops_version_lineage_free(l);
        return rc;
    }
    *out = l;
    return MLOPS_OK;
}

MLOPS_API int64_t mlops_version_lineage_version(const mlops_version_lineage *l)
{
    return l ? l->version : 0;
}

MLOPS_API const mlops_digest *mlops_version_lineage_artifact(const mlops_version_lineage *l)
{
    return l ? &l->artifact : NULL;
}

MLOPS_API const mlops_run_info *mlops_version_lineage_run(const mlops_version_lineage *l)
{
    return l ? l->run : NULL;
}

MLOPS_API const mlops_lineage_edge *mlops_version_lineage_inputs(const mlops_version_lineage *l,
                                                                 size_t *count)
{
    if (count) *count = 0;
    if (!l || !l->run) return NULL;
    size_t n = 0;
    const mlops_lineage_edge *edges = mlops_run_info_lineage(l->run, &n);
    /* Inputs come first in a run's edges. */
    size_t k = 0;
    while (k < n && edges[k].direction == MLOPS_LINEAGE_INPUT) k++;
    if (count) *count = k;
    return k ? edges : NULL;
}
