/* Deciding one gate condition (gate.h) from looked-up values. A value that
 * does not exist or is NaN fails its condition — a gate never passes for
 * want of data; a condition that reads the baseline when the alias points
 * nowhere yet is skipped, and says so. */
#include "registry/gate.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Why an expression has no value. */
struct eval_state {
    const mlops__gate_lookup *l;
    int skipped;                  /* read the baseline, and there is none */
    const mlops__gate_ref *missing; /* the first value that does not exist */
};

static int eval_expr(struct eval_state *st, const mlops__gate_expr *e, double *out)
{
    double a = 0, b = 0;
    int rc;
    switch (e->kind) {
    case MLOPS__GX_NUMBER: *out = e->number; return MLOPS_OK;
    case MLOPS__GX_REF:
        if (e->ref.baseline && !st->l->has_baseline) {
            st->skipped = 1;
            *out = NAN;
            return MLOPS_OK;
        }
        rc = st->l->value(st->l->ctx, &e->ref, out);
        if (rc == MLOPS_ENOTFOUND) {
            if (!st->missing) st->missing = &e->ref;
            *out = NAN;
            return MLOPS_OK;
        }
        return rc;
    case MLOPS__GX_NEG:
        if ((rc = eval_expr(st, e->a, &a))) return rc;
        *out = -a;
        return MLOPS_OK;
    default:
        if ((rc = eval_expr(st, e->a, &a)) || (rc = eval_expr(st, e->b, &b))) return rc;
        *out = e->kind == MLOPS__GX_ADD   ? a + b
               : e->kind == MLOPS__GX_SUB ? a - b
               : e->kind == MLOPS__GX_MUL ? a * b
                                          : a / b;
        return MLOPS_OK;
    }
}

static int compare(double a, const char *op, double b)
{
    if (!strcmp(op, "=")) return a == b;
    if (!strcmp(op, "<>")) return a != b;
    if (!strcmp(op, "<")) return a < b;
    if (!strcmp(op, "<=")) return a <= b;
    if (!strcmp(op, ">")) return a > b;
    return a >= b;
}

/* A value for people: the shortest text that reads back exactly. */
static void add_value(mlops__buf *b, double v)
{
    if (isnan(v)) mlops__buf_add(b, "NaN");
    else if (isinf(v)) mlops__buf_add(b, v > 0 ? "inf" : "-inf");
    else mlops__buf_add_json_double(b, v);
}

/* A sentence too long for v->why is cut at a character, never inside
 * one: it is recorded and shown as UTF-8. */
static void copy_why(mlops__gate_verdict *v, const char *text)
{
    snprintf(v->why, sizeof v->why, "%s", text);
    size_t n = strlen(v->why);
    for (int back = 0; back < 4 && n > 0 && !mlops__utf8_valid(v->why, n); back++) n--;
    v->why[n] = '\0';
}

static void set_why(mlops__gate_verdict *v, mlops__buf *b)
{
    copy_why(v, b->failed ? "(out of memory)" : mlops__buf_str(b));
    mlops__buf_free(b);
}

static int eval_check(const mlops__gate_cond *c, const mlops__gate_lookup *l,
                      mlops__gate_verdict *v)
{
    int signed_check = c->kind == MLOPS__GC_SIGNED, yes = 0;
    const char *why = NULL;
    int rc = signed_check ? l->signed_ok(l->ctx, &yes, &why) : l->validated_ok(l->ctx, &yes, &why);
    if (rc) return rc;
    v->outcome = yes ? MLOPS__GATE_PASS : MLOPS__GATE_FAIL;
    const char *what = signed_check ? "signed" : "validated";
    if (yes) snprintf(v->why, sizeof v->why, "%s", what);
    else snprintf(v->why, sizeof v->why, "not %s%s%s", what, why ? ": " : "", why ? why : "");
    return MLOPS_OK;
}

int mlops__gate_cond_eval(const mlops__gate_cond *c, const mlops__gate_lookup *l,
                          mlops__gate_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->left = v->right = NAN;
    if (c->kind != MLOPS__GC_COMPARE) return eval_check(c, l, v);

    mlops__buf b = MLOPS__BUF_INIT;
    struct eval_state st = { l, 0, NULL };
    int rc = l->value(l->ctx, &c->left, &v->left);
    if (rc && rc != MLOPS_ENOTFOUND) return rc;
    v->left_known = rc == MLOPS_OK;
    if ((rc = eval_expr(&st, c->right, &v->right))) return rc;
    v->right_known = !st.skipped && !st.missing;
    if (!v->left_known) {
        v->left = NAN;
        st.missing = &c->left;
    }

    /* a candidate without the value fails even with no baseline to
     * compare with: the gate asks for that value */
    if (st.skipped && v->left_known && isnan(v->left)) {
        /* no baseline can make a NaN pass */
        v->outcome = MLOPS__GATE_FAIL;
        mlops__gate_ref_text(&b, &c->left);
        mlops__buf_add(&b, " is NaN: a NaN never passes");
        set_why(v, &b);
        return MLOPS_OK;
    }
    if (st.skipped && v->left_known) {
        v->outcome = MLOPS__GATE_SKIP;
        mlops__buf_add(&b, "skipped: the alias points at no version, so there is no baseline");
        set_why(v, &b);
        return MLOPS_OK;
    }
    v->outcome = MLOPS__GATE_FAIL;
    if (st.missing) {
        mlops__gate_ref_text(&b, st.missing);
        mlops__buf_add(&b, " is missing");
        set_why(v, &b);
        return MLOPS_OK;
    }
    mlops__gate_ref_text(&b, &c->left);
    mlops__buf_add(&b, " is ");
    add_value(&b, v->left);
    mlops__buf_addf(&b, ", needs %s ", c->op);
    add_value(&b, v->right);
    if (c->right->kind != MLOPS__GX_NUMBER) {
        mlops__buf_add(&b, " (");
        mlops__gate_expr_text(&b, c->right);
        mlops__buf_add(&b, ")");
    }
    if (isnan(v->left) || isnan(v->right))
        mlops__buf_add(&b, ": a NaN never passes");
    else if (compare(v->left, c->op, v->right))
        v->outcome = MLOPS__GATE_PASS;
    set_why(v, &b);
    return MLOPS_OK;
}
