/* Where a gate's values come from (doc/gates.md, "What the names mean"):
 * the candidate's or the baseline's latest evaluation on the gate's
 * dataset, or, when the gate names none, the metric series of the run
 * that produced the version. A value that is not there is
 * MLOPS_ENOTFOUND, which fails its condition (gate_eval.c). */
#include "registry/gate_store.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The metric read for fair(M), and the one `validated` reads. */
#define FAIR_PREFIX "fair."
#define VALIDATION_METRIC "validation.anomalies"

static double bits_double(int64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* aggregate ("last", "min", "max", "count") of the run's series `key`. */
static int run_metric(mlops__gate_subject *x, const mlops__reg_version *v, const char *key,
                      const char *aggregate, double *out)
{
    if (!v->has_run) return MLOPS_ENOTFOUND;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(x->c,
                              "SELECT ms.last_bits, ms.min, ms.max, ms.count FROM metric_series ms "
                              "JOIN runs r ON r.seq = ms.run WHERE r.run_id = ?1 AND ms.key = ?2",
                              &st);
    if (!rc) rc = mlops__bind_text(x->c, st, 1, v->run_id);
    if (!rc) rc = mlops__bind_text(x->c, st, 2, key);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        if (!aggregate || !strcmp(aggregate, "last")) *out = bits_double(mlops__col_int64(st, 0));
        else if (!strcmp(aggregate, "count")) *out = (double)mlops__col_int64(st, 3);
        else {
            int col = !strcmp(aggregate, "min") ? 1 : 2;
            /* min/max are NULL when every point was NaN: a NaN fails */
            *out = mlops__col_null(st, col) ? NAN : mlops__col_double(st, col);
        }
    }
    mlops__reset(st);
    if (step == MLOPS__DONE) return MLOPS_ENOTFOUND;
    if (step != MLOPS__ROW) return mlops__conn_error(x->c, step, "reading a run's metric");
    return MLOPS_OK;
}

static int metric_of(mlops__gate_subject *x, const mlops__reg_version *v, const char *key,
                     const char *aggregate, double *out)
{
    if (!x->dataset) return run_metric(x, v, key, aggregate, out);
    mlops__evaluation_value ev;
    int rc = mlops__evaluation_latest_metric(x->c, x->fn, x->model, v->number, x->dataset, key,
                                             &ev);
    if (!rc) *out = ev.value;
    return rc;
}

static int value(void *ctx, const mlops__gate_ref *ref, double *out)
{
    mlops__gate_subject *x = ctx;
    const mlops__reg_version *v = ref->baseline ? x->baseline : x->candidate;
    if (!v) return MLOPS_ENOTFOUND;
    if (!ref->fair) return metric_of(x, v, ref->key, ref->aggregate, out);
    size_t n = strlen(ref->key);
    char *key = malloc(sizeof FAIR_PREFIX + n);
    if (!key) return mlops__err_nomem("reading a fairness measure");
    memcpy(key, FAIR_PREFIX, sizeof FAIR_PREFIX - 1);
    memcpy(key + sizeof FAIR_PREFIX - 1, ref->key, n + 1);
    int rc = metric_of(x, v, key, NULL, out);
    free(key);
    return rc;
}

static int validated_ok(void *ctx, int *yes, const char **why)
{
    mlops__gate_subject *x = ctx;
    double anomalies = NAN;
    int rc = metric_of(x, x->candidate, VALIDATION_METRIC, NULL, &anomalies);
    *yes = 0;
    if (rc == MLOPS_ENOTFOUND) {
        *why = x->dataset ? "its evaluation on the gate's dataset has no metric "
                            "validation.anomalies"
                          : "its run has no metric validation.anomalies";
        return MLOPS_OK;
    }
    if (rc) return rc;
    *yes = anomalies == 0;
    if (!*yes) *why = "validation.anomalies is not 0";
    return MLOPS_OK;
}

/* A signature of the candidate, by any key, that verifies over the
 * manifest rebuilt now (a version changed after signing fails). */
static int signed_ok(void *ctx, int *yes, const char **why)
{
    mlops__gate_subject *x = ctx;
    *yes = 0;
    msgpack_sbuffer manifest;
    msgpack_sbuffer_init(&manifest);
    int rc = mlops__manifest_build(x->c, x->fn, x->model, x->candidate, &manifest);
    mlops__stmt *st = NULL;
    if (!rc)
        rc = mlops__conn_stmt(x->c, "SELECT public_key, signature FROM reg_signatures "
                                    "WHERE version_id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(x->c, st, 1, x->candidate->id);
    if (rc) {
        msgpack_sbuffer_destroy(&manifest);
        return rc;
    }
    int step = MLOPS__DONE, nsig = 0;
    while (!*yes && (step = mlops__step(st)) == MLOPS__ROW) {
        nsig++;
        if (mlops__col_bytes(st, 0) != 32 || mlops__col_bytes(st, 1) != 64) continue;
        mlops__sign_key key;
        rc = mlops__sign_key_from_raw(x->fn, mlops__col_blob(st, 0), &key);
        if (rc) break;
        *yes = mlops__sign_verify(&key, manifest.data, manifest.size, mlops__col_blob(st, 1));
        mlops__sign_key_free(&key);
    }
    if (!rc && !*yes && step != MLOPS__DONE) rc = mlops__conn_error(x->c, step, "reading signatures");
    mlops__reset(st);
    msgpack_sbuffer_destroy(&manifest);
    if (!*yes) *why = nsig ? "no signature verifies over its manifest" : "it has no signature";
    return rc;
}

void mlops__gate_lookup_init(mlops__gate_lookup *l, mlops__gate_subject *subj)
{
    l->ctx = subj;
    l->has_baseline = subj->baseline != NULL;
    l->value = value;
    l->signed_ok = signed_ok;
    l->validated_ok = validated_ok;
}
