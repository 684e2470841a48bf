/* Evaluation records: writing one (mlops_evaluation_record) and the
 * lookup promotion gates make, the latest evaluation's metric of a
 * version on a dataset. Reading them back as snapshots is in
 * evaluation_read.c; the tables are version 3's (schema.c). */
#include "mlops/eval.h"
#include "registry/registry_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_evaluation_input_init(mlops_evaluation_input *in, unsigned version)
{
    static const mlops_evaluation_input defaults = MLOPS_EVALUATION_INPUT_INIT;
    return mlops__opts_init(__func__, in, &defaults, sizeof defaults, version,
                            MLOPS_EVALUATION_INPUT_VERSION);
}

int64_t mlops__evaluation_bits(double v)
{
    int64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

double mlops__evaluation_double(int64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every check of the metrics that needs no database: arrays, names (keys,
 * distinct), reasons. */
static int check_input(const char *fn, const mlops_evaluation_input *in)
{
    if (!in) return mlops__err_null(fn, "metrics");
    int rc = mlops__opts_check(fn, in->version, MLOPS_EVALUATION_INPUT_VERSION,
                               "mlops_evaluation_input_init");
    if (rc) return rc;
    if (in->n == 0 || in->n > MLOPS_EVALUATION_METRICS_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: an evaluation has 1 to %d metrics, not %zu", fn,
                          MLOPS_EVALUATION_METRICS_MAX, in->n);
    if ((rc = mlops__check_array(fn, "metrics->names", in->names, in->n, sizeof *in->names)) ||
        (rc = mlops__check_array(fn, "metrics->values", in->values, in->n, sizeof *in->values)))
        return rc;
    if (!in->low != !in->high)
        return mlops__err(MLOPS_EINVAL,
                          "%s: interval bounds come in pairs: metrics->low and metrics->high are "
                          "both NULL or both given",
                          fn);
    for (size_t i = 0; i < in->n; i++) {
        if ((rc = mlops__check_name(fn, "metric name", in->names[i], MLOPS_KEY_MAX))) return rc;
        /* the codes of eval.h; a newer library's code is refused, not
         * stored unexplained */
        if (in->reasons && (in->reasons[i] < MLOPS_EVAL_DEFINED ||
                            in->reasons[i] > MLOPS_EVAL_NO_NEGATIVES))
            return mlops__err(MLOPS_EINVAL, "%s: metric '%s' has unknown reason %d", fn,
                              in->names[i], in->reasons[i]);
    }
    const char **sorted = malloc(in->n * sizeof *sorted);
    if (!sorted) return mlops__err_nomem("checking metric names");
    memcpy(sorted, in->names, in->n * sizeof *sorted);
    qsort(sorted, in->n, sizeof *sorted, by_name);
    for (size_t i = 1; i < in->n && !rc; i++)
        if (!strcmp(sorted[i - 1], sorted[i]))
            rc = mlops__err(MLOPS_EINVAL, "%s: metric '%s' is given twice", fn, sorted[i]);
    free(sorted);
    return rc;
}

struct record {
    const char *fn;
    const char *model;
    int64_t number;
    const mlops_digest *dataset;
    const mlops_evaluation_input *in;
    mlops__reg_change ch;
    int64_t id;
};

static int insert_metric(mlops__conn *c, const struct record *r, size_t i)
{
    const mlops_evaluation_input *in = r->in;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_evaluation_metrics(evaluation_id, name, value_bits, "
                              "  reason, low_bits, high_bits) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, r->id);
    if (!rc) rc = mlops__bind_text(c, st, 2, in->names[i]);
    if (!rc) rc = mlops__bind_int64(c, st, 3, mlops__evaluation_bits(in->values[i]));
    if (!rc) rc = mlops__bind_int64(c, st, 4, in->reasons ? in->reasons[i] : MLOPS_EVAL_DEFINED);
    if (!rc)
        rc = in->low ? mlops__bind_int64(c, st, 5, mlops__evaluation_bits(in->low[i]))
                     : mlops__bind_null(c, st, 5);
    if (!rc)
        rc = in->high ? mlops__bind_int64(c, st, 6, mlops__evaluation_bits(in->high[i]))
                      : mlops__bind_null(c, st, 6);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording an evaluation's metric");
    return rc;
}

static int record_tx(mlops__conn *c, void *arg)
{
    struct record *r = arg;
    int64_t model_id = 0;
    mlops__reg_version v;
    int rc = mlops__reg_model_id(c, r->fn, r->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, r->fn, r->model, model_id, r->number, 0, &v);
    if (rc) return rc;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO reg_evaluations(version_id, dataset, created_ms, actor, "
                          "  reason) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v.id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, r->dataset->bytes, (int)sizeof r->dataset->bytes);
    if (!rc) rc = mlops__bind_int64(c, st, 3, mlops__now_ms());
    if (!rc) rc = mlops__bind_text(c, st, 4, r->ch.actor);
    if (!rc) rc = mlops__bind_text(c, st, 5, r->ch.reason);
    if (!rc) rc = mlops__conn_step_id(c, st, "recording an evaluation", &r->id);
    for (size_t i = 0; !rc && i < r->in->n; i++) rc = insert_metric(c, r, i);
    return rc;
}

MLOPS_API int mlops_evaluation_record(mlops_store *s, const char *model, int64_t version,
                                      const mlops_digest *dataset,
                                      const mlops_evaluation_input *metrics,
                                      const mlops_change_opts *change, int64_t *id)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!dataset) return mlops__err_null(__func__, "dataset");
    struct record r = { __func__, model, version, dataset, metrics, { NULL, NULL, 0 }, 0 };
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_version(__func__, version);
    if (!rc) rc = check_input(__func__, metrics);
    if (!rc) rc = mlops__reg_change_resolve(s, __func__, change, &r.ch);
    if (!rc) rc = mlops__store_write(s, record_tx, &r);
    if (!rc && id) *id = r.id;
    return rc;
}

/* ---- The gates' lookup ------------------------------------------------- */

int mlops__evaluation_latest_metric(mlops__conn *c, const char *fn, const char *model,
                                    int64_t version, const mlops_digest *dataset,
                                    const char *metric, mlops__evaluation_value *out)
{
    int64_t model_id = 0;
    mlops__reg_version v;
    int rc = mlops__reg_model_id(c, fn, model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, fn, model, model_id, version, 1, &v);
    if (rc) return rc;
    char digest[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(dataset, digest);
    /* The latest evaluation first, then its metric: an older evaluation's
     * value never stands in for a metric the latest one lacks. */
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "SELECT e.id, m.value_bits, m.reason, m.evaluation_id "
                          "FROM (SELECT max(id) AS id FROM reg_evaluations "
                          "      WHERE version_id = ?1 AND dataset = ?2) e "
                          "LEFT JOIN reg_evaluation_metrics m "
                          "  ON m.evaluation_id = e.id AND m.name = ?3",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v.id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, dataset->bytes, (int)sizeof dataset->bytes);
    if (!rc) rc = mlops__bind_text(c, st, 3, metric);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step != MLOPS__ROW) {
        rc = mlops__conn_error(c, step, "reading evaluations");
    } else if (mlops__col_null(st, 0)) {
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: version %lld of model '%s' has no evaluation on %s",
                        fn, (long long)version, model, digest);
    } else if (mlops__col_null(st, 3)) {
        rc = mlops__err(MLOPS_ENOTFOUND,
                        "%s: the latest evaluation (%lld) of version %lld of model '%s' on %s has "
                        "no metric '%s'",
                        fn, (long long)mlops__col_int64(st, 0), (long long)version, model, digest,
                        metric);
    } else {
        out->evaluation_id = mlops__col_int64(st, 0);
        out->value = mlops__evaluation_double(mlops__col_int64(st, 1));
        out->reason = mlops__col_int(st, 2);
    }
    mlops__reset(st);
    return rc;
}
