/* Changing the split of a weighted alias: setting a whole split, one ramp
 * step, a rollback to an earlier split. Each computes the split the alias
 * moves to inside the write transaction (from the split it has now, or the
 * one the audit log says it had) and hands it to the one move every alias
 * change goes through (alias_move.h), which checks the gate and the
 * signing policy, records the event and writes the row. */
#include "registry/alias_move.h"
#include "registry/alias_split.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

struct split_op {
    const char *fn;
    mlops__reg_change ch;
    const char *model, *alias;
    mlops__split to;   /* set: the split given */
    int64_t version;   /* ramp */
    int weight;        /* ramp */
    int64_t time_ms;   /* rollback: 0 = before the last change */
    int kind;          /* enum mlops__move_kind */
    mlops__move_decision d;
};

static int begin(struct split_op *op, mlops_store *s, const char *model, const char *alias,
                 const mlops_change_opts *change)
{
    op->model = model;
    op->alias = alias;
    if (!s) return mlops__err_null(op->fn, "s");
    int rc = mlops__reg_check_model_name(op->fn, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op->fn, alias, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, op->fn, change, &op->ch);
    return rc;
}

/* The move, through the one way an alias changes (alias_move.h). A
 * refusal by the gate is not an error inside the transaction: its
 * decision event must commit; run() reports it after. */
static int move(mlops__conn *c, struct split_op *op, int64_t model_id, const mlops__split *to)
{
    mlops__move_opts mo = { .kind = op->kind };
    return mlops__alias_move(c, op->fn, &op->ch, op->model, model_id, op->alias, to, &mo,
                             &op->d);
}

static int run(mlops_store *s, struct split_op *op, int (*tx)(mlops__conn *, void *))
{
    int rc = mlops__store_write(s, tx, op);
    if (!rc && !op->d.allowed) rc = mlops__alias_refusal(op->fn, op->model, op->alias, &op->d);
    mlops__move_decision_free(&op->d);
    return rc;
}

/* ---- Set ------------------------------------------------------------------- */

static int set_tx(mlops__conn *c, void *arg)
{
    struct split_op *op = arg;
    int64_t model_id = 0;
    mlops__move_decision_free(&op->d); /* a retried transaction starts afresh */
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->fn, op->model, &model_id);
    return rc ? rc : move(c, op, model_id, &op->to);
}

MLOPS_API int mlops_model_alias_split_set(mlops_store *s, const char *model, const char *alias,
                                          const char *split, const mlops_change_opts *change)
{
    struct split_op op = { .fn = __func__, .kind = MLOPS__MOVE_SET };
    int rc = begin(&op, s, model, alias, change);
    if (!rc && !split) rc = mlops__err_null(__func__, "split");
    if (!rc) rc = mlops__split_decode(__func__, split, &op.to);
    return rc ? rc : run(s, &op, set_tx);
}

/* ---- Ramp ------------------------------------------------------------------ */

/* Index of leg v in sp, or sp->n when v is not a leg. */
static size_t leg_index(const mlops__split *sp, int64_t v)
{
    size_t i = 0;
    while (i < sp->n && sp->leg[i].version != v) i++;
    return i;
}

static void drop_leg(mlops__split *sp, size_t i)
{
    memmove(sp->leg + i, sp->leg + i + 1, (sp->n - i - 1) * sizeof sp->leg[0]);
    sp->n--;
}

/* The split after one ramp step of op->version to op->weight from `now`:
 * the difference moves between the version and the base (the largest
 * share among the other legs, the lower number on a tie), so only one of
 * the two gains. */
static int ramp_split(const struct split_op *op, const mlops__split *now, mlops__split *to)
{
    *to = *now;
    if (to->shadow == op->version) to->shadow = 0; /* the shadow starts to serve */
    size_t i = leg_index(to, op->version);
    int had = i < to->n ? to->leg[i].weight : 0;
    if (op->weight == 0 && i == to->n)
        return mlops__err(MLOPS_EINVAL, "%s: version %lld has no share of '%s@%s' to take out",
                          op->fn, (long long)op->version, op->model, op->alias);
    if (had == op->weight) return MLOPS_OK;
    /* The base: the primary of the other legs. */
    size_t base = to->n;
    for (size_t j = 0; j < to->n; j++)
        if (j != i && (base == to->n || to->leg[j].weight > to->leg[base].weight)) base = j;
    if (base == to->n)
        return mlops__err(MLOPS_EINVAL,
                          "%s: version %lld is the only version of '%s@%s': set the split "
                          "instead", op->fn, (long long)op->version, op->model, op->alias);
    int base_after = to->leg[base].weight - (op->weight - had);
    if (base_after < 0)
        return mlops__err(MLOPS_EINVAL,
                          "%s: version %lld of '%s@%s' has %d%% to give, not %d: ramp the "
                          "other versions down first", op->fn,
                          (long long)to->leg[base].version, op->model, op->alias,
                          to->leg[base].weight, op->weight - had);
    if (i == to->n && to->n == MLOPS__SPLIT_MAX) {
        if (base_after > 0)
            return mlops__err(MLOPS_EINVAL, "%s: '%s@%s' already routes to %d versions",
                              op->fn, op->model, op->alias, MLOPS__SPLIT_MAX);
        /* The new version takes the whole share of the base, and its place. */
        to->leg[base].version = op->version;
        to->leg[base].weight = op->weight;
        return mlops__split_check(op->fn, to);
    }
    if (i == to->n) {
        to->leg[to->n].version = op->version;
        to->leg[to->n].weight = 0;
        to->n++;
    }
    to->leg[i].weight = op->weight;
    to->leg[base].weight = base_after;
    /* Drop whichever of the two now has no share (the higher index first,
     * so the other's index holds). */
    size_t hi = i > base ? i : base, lo = i > base ? base : i;
    if (to->leg[hi].weight == 0) drop_leg(to, hi);
    if (to->leg[lo].weight == 0) drop_leg(to, lo);
    return mlops__split_check(op->fn, to); /* sorts a new leg into place */
}

static int ramp_tx(mlops__conn *c, void *arg)
{
    struct split_op *op = arg;
    int64_t model_id = 0;
    mlops__split now, to;
    mlops__move_decision_free(&op->d); /* a retried transaction starts afresh */
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->fn, op->model, &model_id);
    if (!rc) rc = mlops__alias_split_now(c, op->fn, op->model, model_id, op->alias, &now, NULL);
    if (!rc) rc = ramp_split(op, &now, &to);
    return rc ? rc : move(c, op, model_id, &to);
}

MLOPS_API int mlops_model_alias_ramp(mlops_store *s, const char *model, const char *alias,
                                     int64_t version, int weight,
                                     const mlops_change_opts *change)
{
    struct split_op op = { .fn = __func__, .version = version, .weight = weight,
                           .kind = MLOPS__MOVE_RAMP };
    int rc = begin(&op, s, model, alias, change);
    if (!rc) rc = mlops__reg_check_version(__func__, version);
    if (!rc && (weight < 0 || weight > 100))
        rc = mlops__err(MLOPS_EINVAL, "%s: weight %d is not a share (0..100)", __func__, weight);
    return rc ? rc : run(s, &op, ramp_tx);
}

/* ---- Rollback -------------------------------------------------------------- */

/* The split the alias had just before its last change: what the alias
 * event before its last one set it to. */
static int before_last(mlops__conn *c, struct split_op *op, int64_t model_id, mlops__split *out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT action, new_value, payload FROM audit_events "
                              "WHERE model_id = ?1 AND key = ?2 AND action IN "
                              MLOPS__ALIAS_MOVE_ACTIONS " ORDER BY seq DESC LIMIT 1 OFFSET 1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, op->alias);
    if (rc) return rc;
    int step = mlops__step(st);
    const char *action = step == MLOPS__ROW ? mlops__col_text(st, 0) : NULL;
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        rc = mlops__conn_error(c, step, "searching the audit log");
    else if (!action || !strcmp(action, "alias.delete")) /* set from nothing */
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: alias '%s@%s' has no earlier split to roll back to",
                        op->fn, op->model, op->alias);
    else
        rc = mlops__alias_split_of_event(op->fn, op->model, op->alias, mlops__col_text(st, 1),
                                         mlops__col_blob(st, 2), (size_t)mlops__col_bytes(st, 2),
                                         out);
    mlops__reset(st);
    return rc;
}

static int rollback_tx(mlops__conn *c, void *arg)
{
    struct split_op *op = arg;
    int64_t model_id = 0;
    mlops__split to;
    mlops__move_decision_free(&op->d); /* a retried transaction starts afresh */
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->fn, op->model, &model_id);
    if (rc) return rc;
    if (op->time_ms)
        rc = mlops__alias_split_at(c, op->fn, op->model, model_id, op->alias, op->time_ms, &to);
    else
        rc = before_last(c, op, model_id, &to);
    return rc ? rc : move(c, op, model_id, &to);
}

MLOPS_API int mlops_model_alias_rollback(mlops_store *s, const char *model, const char *alias,
                                         int64_t time_ms, const mlops_change_opts *change)
{
    struct split_op op = { .fn = __func__, .time_ms = time_ms, .kind = MLOPS__MOVE_ROLLBACK };
    int rc = begin(&op, s, model, alias, change);
    if (!rc && time_ms < 0)
        rc = mlops__err(MLOPS_EINVAL, "%s: time %lld ms is before 1970", __func__,
                        (long long)time_ms);
    return rc ? rc : run(s, &op, rollback_tx);
}
