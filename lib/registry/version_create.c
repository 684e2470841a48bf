/* Creating a version: the artifact must be in the store and the run (when
 * given) must exist; the number is the model's highest plus one, chosen
 * inside the write transaction (the store's write lock), so concurrent creators
 * queue on the write lock and each gets the next number. */
#include "registry/registry_internal.h"
#include "cas/cas_internal.h"
#include "track/track_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdio.h>

struct create_op {
    const char *func;
    mlops__reg_change ch;
    const char *model;
    const mlops_digest *artifact;
    const char *run_id;
    const char *description;
    int64_t number;
};

static int check_sources(mlops__conn *c, const struct create_op *op)
{
    int exists = 0;
    int rc = mlops__cas_exists(c, op->artifact, &exists);
    if (rc) return rc;
    if (!exists) {
        char d[MLOPS_DIGEST_STRLEN];
        mlops__reg_digest_text(op->artifact, d);
        return mlops__err(MLOPS_ENOTFOUND, "%s: artifact %s is not in the store", op->func, d);
    }
    if (!op->run_id) return MLOPS_OK;
    rc = mlops__run_exists(c, op->func, op->run_id, &exists);
    if (rc) return rc;
    if (!exists) return mlops__err(MLOPS_ENOTFOUND, "%s: no run '%s'", op->func, op->run_id);
    return MLOPS_OK;
}

static int next_number(mlops__conn *c, int64_t model_id, int64_t *number)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(
        c, "SELECT coalesce(max(number), 0) + 1 FROM reg_versions WHERE model_id = ?1", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (rc) return rc;
    int step = mlops__step(st);
    *number = mlops__col_int64(st, 0);
    mlops__reset(st);
    return step == MLOPS__ROW ? MLOPS_OK : mlops__conn_error(c, step, "numbering a version");
}

static int insert_row(mlops__conn *c, const struct create_op *op, int64_t model_id, int64_t seq)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_versions(model_id, number, artifact, run_id, "
                              "description, creator, created_ms, updated_ms, create_seq) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, op->number);
    if (!rc) rc = mlops__bind_blob(c, st, 3, op->artifact->bytes, 32);
    if (!rc) rc = mlops__bind_text(c, st, 4, op->run_id);
    if (!rc) rc = mlops__bind_text(c, st, 5, op->description ? op->description : "");
    if (!rc) rc = mlops__bind_text(c, st, 6, op->ch.actor);
    if (!rc) rc = mlops__bind_int64(c, st, 7, op->ch.now_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 8, seq);
    if (!rc) rc = mlops__conn_step_done(c, st, "creating a version");
    return rc;
}

static int create_tx(mlops__conn *c, void *arg)
{
    struct create_op *op = arg;
    int64_t model_id = 0, seq = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = check_sources(c, op);
    if (!rc) rc = next_number(c, model_id, &op->number);
    if (rc) return rc;
    char value[MLOPS_DIGEST_STRLEN + MLOPS_REGISTRY_NAME_MAX + 8];
    mlops__reg_digest_text(op->artifact, value);
    if (op->run_id)
        snprintf(value + MLOPS_DIGEST_STRLEN - 1, sizeof value - (MLOPS_DIGEST_STRLEN - 1),
                 " run:%s", op->run_id);
    mlops__audit_ev ev = { "version.create", model_id, op->model, op->number, NULL, NULL, value };
    rc = mlops__audit_append(c, &op->ch, &ev, &seq);
    if (!rc) rc = insert_row(c, op, model_id, seq);
    if (!rc && op->description && op->description[0]) {
        mlops__audit_ev desc = { "version.describe", model_id, op->model, op->number,
                                 NULL, "", op->description };
        rc = mlops__audit_append(c, &op->ch, &desc, NULL);
    }
    return rc;
}

static int version_create(const char *fn, mlops_store *s, const char *model,
                          const mlops_digest *artifact, const char *run_id, const char *description,
                          const mlops_change_opts *change, int64_t *version)
{
    struct create_op op = { .func = fn, .model = model,
                            .artifact = artifact, .run_id = run_id,
                            .description = description };
    if (!s) return mlops__err_null(op.func, "s");
    if (!artifact) return mlops__err_null(op.func, "artifact");
    if (!version) return mlops__err_null(op.func, "version");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc && run_id) rc = mlops__check_name(op.func, "run id", run_id, MLOPS_REGISTRY_NAME_MAX);
    if (!rc) rc = mlops__reg_check_text(op.func, "description", description, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    if (!rc) rc = mlops__store_write(s, create_tx, &op);
    if (!rc) *version = op.number;
    return rc;
}

MLOPS_API int mlops_model_version_create_ex(mlops_store *s, const char *model,
                                            const mlops_digest *artifact, const char *run_id,
                                            const char *description,
                                            const mlops_change_opts *change, int64_t *version)
{
    return version_create(__func__, s, model, artifact, run_id, description, change, version);
}

MLOPS_API int mlops_model_version_create(mlops_store *s, const char *model,
                                         const mlops_digest *artifact, const char *run_id,
                                         int64_t *version)
{
    return version_create(__func__, s, model, artifact, run_id, NULL, NULL, version);
}
