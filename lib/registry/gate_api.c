/* The public face of gates: setting, reading and clearing an alias's gate
 * (reg_gates, with alias.gate.set / alias.gate.delete events) and the
 * decision object promotions return. */
#include "registry/alias_move.h"
#include "registry/gate_store.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Setting and clearing ---------------------------------------------- */

struct gate_op {
    const char *fn;
    mlops__reg_change ch;
    const char *model, *alias;
    char **texts; /* canonical, n */
    size_t n;
    const mlops_digest *dataset;
};

/* The gate's current event text (NULL when none), malloc'd in *out. */
static int current_text(mlops__conn *c, const char *fn, int64_t model_id, const char *alias,
                        char **out)
{
    mlops__gate_rules g;
    int found = 0;
    *out = NULL;
    int rc = mlops__gate_load(c, fn, model_id, alias, &g, &found);
    if (!rc && found) {
        *out = mlops__gate_event_text((const char *const *)g.texts, g.n,
                                      g.has_dataset ? &g.dataset : NULL);
        if (!*out) rc = mlops__err_nomem("reading a gate");
    }
    mlops__gate_rules_free(&g);
    return rc;
}

static int write_gate(mlops__conn *c, const struct gate_op *op, int64_t model_id, int64_t seq)
{
    /* the stored form: conditions one per line, no dataset line */
    char *lines = mlops__gate_event_text((const char *const *)op->texts, op->n, NULL);
    if (!lines) return mlops__err_nomem("recording a gate");
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_gates(model_id, alias, conditions, dataset, "
                              "updated_ms, event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                              "ON CONFLICT(model_id, alias) DO UPDATE SET "
                              "conditions = excluded.conditions, dataset = excluded.dataset, "
                              "updated_ms = excluded.updated_ms, event_seq = excluded.event_seq",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, op->alias);
    if (!rc) rc = mlops__bind_text(c, st, 3, lines);
    if (!rc)
        rc = op->dataset ? mlops__bind_blob(c, st, 4, op->dataset->bytes, 32)
                         : mlops__bind_null(c, st, 4);
    if (!rc) rc = mlops__bind_int64(c, st, 5, op->ch.now_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 6, seq);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a gate");
    free(lines);
    return rc;
}

static int set_tx(mlops__conn *c, void *arg)
{
    struct gate_op *op = arg;
    int64_t model_id = 0;
    char *old = NULL, *text = NULL;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->fn, op->model, &model_id);
    if (!rc) rc = current_text(c, op->fn, model_id, op->alias, &old);
    if (!rc) {
        text = mlops__gate_event_text((const char *const *)op->texts, op->n, op->dataset);
        if (!text) rc = mlops__err_nomem("recording a gate");
    }
    if (!rc && !(old && !strcmp(old, text))) { /* the same gate: nothing to record */
        mlops__audit_ev ev = { "alias.gate.set", model_id, op->model, 0, op->alias, old, text };
        int64_t seq = 0;
        rc = mlops__audit_append(c, &op->ch, &ev, &seq);
        if (!rc) rc = write_gate(c, op, model_id, seq);
    }
    free(old);
    free(text);
    return rc;
}

/* Parses every condition into its canonical text: a text the parser
 * refuses is MLOPS_EINVAL naming its index. */
static int canonical_texts(struct gate_op *op, const char *const *conditions)
{
    op->texts = calloc(op->n, sizeof *op->texts);
    if (!op->texts) return mlops__err_nomem("reading a gate");
    for (size_t i = 0; i < op->n; i++) {
        if (!conditions[i])
            return mlops__err(MLOPS_EINVAL, "%s: condition %zu is NULL", op->fn, i);
        mlops__gate_cond cond;
        int rc = mlops__gate_cond_parse(op->fn, conditions[i], op->dataset != NULL, &cond);
        if (!rc) {
            op->texts[i] = mlops__gate_cond_text(&cond);
            if (!op->texts[i]) rc = mlops__err_nomem("reading a gate");
        }
        mlops__gate_cond_free(&cond);
        if (rc) return rc;
        /* one condition per stored line */
        for (const char *p = op->texts[i]; *p; p++)
            if ((unsigned char)*p < 0x20)
                return mlops__err(MLOPS_EINVAL,
                                  "%s: condition %zu holds a control character", op->fn, i);
    }
    return MLOPS_OK;
}

static void free_texts(struct gate_op *op)
{
    for (size_t i = 0; op->texts && i < op->n; i++) free(op->texts[i]);
    free(op->texts);
}

MLOPS_API int mlops_model_gate_set(mlops_store *s, const char *model, const char *alias,
                                   const char *const *conditions, size_t n,
                                   const mlops_digest *dataset,
                                   const mlops_change_opts *change)
{
    struct gate_op op = { .fn = __func__, .model = model, .alias = alias, .n = n,
                          .dataset = dataset };
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(__func__, alias, 1);
    if (!rc) rc = mlops__check_array(__func__, "conditions", conditions, n, sizeof *conditions);
    if (!rc && (n == 0 || n > MLOPS_GATE_CONDITIONS_MAX))
        rc = mlops__err(MLOPS_EINVAL, "%s: a gate has 1 to %d conditions, not %zu", __func__,
                        MLOPS_GATE_CONDITIONS_MAX, n);
    if (!rc) rc = mlops__reg_change_resolve(s, __func__, change, &op.ch);
    if (!rc) rc = canonical_texts(&op, conditions);
    if (!rc) rc = mlops__store_write(s, set_tx, &op);
    free_texts(&op);
    return rc;
}

static int clear_tx(mlops__conn *c, void *arg)
{
    struct gate_op *op = arg;
    int64_t model_id = 0;
    char *old = NULL;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->fn, op->model, &model_id);
    if (!rc) rc = current_text(c, op->fn, model_id, op->alias, &old);
    if (!rc && !old)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: alias '%s' of model '%s' has no gate", op->fn,
                        op->alias, op->model);
    if (!rc) {
        mlops__audit_ev ev = { "alias.gate.delete", model_id, op->model, 0, op->alias, old, NULL };
        rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    }
    mlops__stmt *st;
    if (!rc) rc = mlops__conn_stmt(c, "DELETE FROM reg_gates WHERE model_id = ?1 AND alias = ?2", &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, op->alias);
    if (!rc) rc = mlops__conn_step_done(c, st, "removing a gate");
    free(old);
    return rc;
}

MLOPS_API int mlops_model_gate_clear(mlops_store *s, const char *model, const char *alias,
                                     const mlops_change_opts *change)
{
    struct gate_op op = { .fn = __func__, .model = model, .alias = alias };
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(__func__, alias, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, __func__, change, &op.ch);
    return rc ? rc : mlops__store_write(s, clear_tx, &op);
}

/* ---- Reading ----------------------------------------------------------- */

struct mlops_gate {
    mlops__gate_rules g;
};

struct get_ctx {
    const char *fn, *model, *alias;
    mlops__gate_rules g;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_ctx *x = arg;
    mlops__gate_rules_free(&x->g); /* a retried read runs again */
    int64_t model_id = 0;
    int found = 0;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc) rc = mlops__gate_load(c, x->fn, model_id, x->alias, &x->g, &found);
    if (!rc && !found)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: alias '%s' of model '%s' has no gate", x->fn,
                        x->alias, x->model);
    return rc;
}

MLOPS_API int mlops_model_gate_get(mlops_store *s, const char *model, const char *alias,
                                   mlops_gate **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(__func__, alias, 1);
    if (rc) return rc;
    struct get_ctx x = { __func__, model, alias, { 0 } };
    rc = mlops__store_read(s, get_tx, &x);
    mlops_gate *g = rc ? NULL : malloc(sizeof *g);
    if (!rc && !g) rc = mlops__err_nomem("reading a gate");
    if (rc) {
        mlops__gate_rules_free(&x.g);
        return rc;
    }
    g->g = x.g;
    *out = g;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_gate_count(const mlops_gate *g)
{
    return g ? g->g.n : 0;
}

MLOPS_API const char *mlops_gate_condition(const mlops_gate *g, size_t i)
{
    return g && i < g->g.n ? g->g.texts[i] : NULL;
}

MLOPS_API const mlops_digest *mlops_gate_dataset(const mlops_gate *g)
{
    return g && g->g.has_dataset ? &g->g.dataset : NULL;
}

MLOPS_API void mlops_gate_free(mlops_gate *g)
{
    if (!g) return;
    mlops__gate_rules_free(&g->g);
    free(g);
}

/* ---- Decisions --------------------------------------------------------- */

struct mlops_gate_decision {
    mlops__move_decision d;
};

int mlops__gate_decision_wrap(mlops__move_decision *d, mlops_gate_decision **out)
{
    mlops_gate_decision *p = malloc(sizeof *p);
    if (!p) return mlops__err_nomem("returning a gate decision");
    p->d = *d;
    memset(d, 0, sizeof *d);
    *out = p;
    return MLOPS_OK;
}

MLOPS_API void mlops_gate_decision_free(mlops_gate_decision *d)
{
    if (!d) return;
    mlops__move_decision_free(&d->d);
    free(d);
}

MLOPS_API int mlops_gate_decision_gated(const mlops_gate_decision *d)
{
    return d ? d->d.gated : 0;
}

MLOPS_API int mlops_gate_decision_passed(const mlops_gate_decision *d)
{
    return d ? d->d.passed : 0;
}

MLOPS_API int mlops_gate_decision_forced(const mlops_gate_decision *d)
{
    return d ? d->d.forced : 0;
}

MLOPS_API int64_t mlops_gate_decision_baseline(const mlops_gate_decision *d)
{
    return d ? d->d.baseline : 0;
}

MLOPS_API int64_t mlops_gate_decision_event(const mlops_gate_decision *d)
{
    return d ? d->d.decision_seq : 0;
}

MLOPS_API size_t mlops_gate_decision_count(const mlops_gate_decision *d)
{
    return d ? d->d.n : 0;
}

MLOPS_API int mlops_gate_check_init(mlops_gate_check *c, unsigned version)
{
    static const mlops_gate_check defaults = MLOPS_GATE_CHECK_INIT;
    return mlops__opts_init(__func__, c, &defaults, sizeof defaults, version,
                            MLOPS_GATE_CHECK_VERSION);
}

MLOPS_API int mlops_gate_decision_at(const mlops_gate_decision *d, size_t i,
                                     mlops_gate_check *out)
{
    if (!d) return mlops__err_null(__func__, "d");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__opts_check(__func__, out->version, MLOPS_GATE_CHECK_VERSION,
                               "mlops_gate_check_init");
    if (rc) return rc;
    if (i >= d->d.n)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is out of range (%zu checks)", __func__, i,
                          d->d.n);
    const mlops__move_check *k = &d->d.checks[i];
    out->candidate = k->candidate;
    out->condition = k->condition;
    out->outcome = k->v.outcome == MLOPS__GATE_PASS   ? MLOPS_GATE_PASS
                   : k->v.outcome == MLOPS__GATE_SKIP ? MLOPS_GATE_SKIP
                                                      : MLOPS_GATE_FAIL;
    out->left_known = k->v.left_known;
    out->right_known = k->v.right_known;
    out->left = k->v.left_known ? k->v.left : NAN;
    out->right = k->v.right_known ? k->v.right : NAN;
    out->why = k->v.why;
    return MLOPS_OK;
}

/* ---- Promotion --------------------------------------------------------- */

MLOPS_API int mlops_promote_opts_init(mlops_promote_opts *opts, unsigned version)
{
    static const mlops_promote_opts defaults = MLOPS_PROMOTE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_PROMOTE_OPTS_VERSION);
}

struct promote_op {
    const char *fn;
    mlops__reg_change ch;
    const char *model, *alias;
    int64_t number;
    int force;
    mlops__move_decision d;
};

static int promote_tx(mlops__conn *c, void *arg)
{
    struct promote_op *op = arg;
    mlops__move_decision_free(&op->d);
    int64_t model_id = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->fn, op->model, &model_id);
    if (rc) return rc;
    mlops__split target = { .n = 1, .leg = { { op->number, 100 } } };
    mlops__move_opts mo = { .kind = MLOPS__MOVE_PROMOTE, .force = op->force };
    return mlops__alias_move(c, op->fn, &op->ch, op->model, model_id, op->alias, &target, &mo,
                             &op->d);
}

MLOPS_API int mlops_model_promote(mlops_store *s, const char *model, int64_t version,
                                  const char *alias, const mlops_promote_opts *opts,
                                  const mlops_change_opts *change,
                                  mlops_gate_decision **decision)
{
    if (decision) *decision = NULL;
    struct promote_op op = { .fn = __func__, .model = model, .alias = alias,
                             .number = version };
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(__func__, alias, 1);
    if (!rc) rc = mlops__reg_check_version(__func__, version);
    if (!rc && opts)
        rc = mlops__opts_check(__func__, opts->version, MLOPS_PROMOTE_OPTS_VERSION,
                               "mlops_promote_opts_init");
    if (!rc) rc = mlops__reg_change_resolve(s, __func__, change, &op.ch);
    op.force = opts ? opts->force != 0 : 0;
    if (!rc && op.force && (!op.ch.reason || !op.ch.reason[0]))
        rc = mlops__err(MLOPS_EINVAL, "%s: force needs a reason (the change's reason)", __func__);
    if (rc) return rc;
    rc = mlops__store_write(s, promote_tx, &op);
    if (!rc && !op.d.allowed) rc = mlops__alias_refusal(__func__, model, alias, &op.d);
    if ((!rc || rc == MLOPS_EPOLICY) && decision && op.d.allowed + op.d.gated > 0) {
        int wrc = mlops__gate_decision_wrap(&op.d, decision);
        if (wrc) rc = wrc;
    }
    mlops__move_decision_free(&op.d);
    return rc;
}
