/* Internal: promotion gate conditions (doc/gates.md) — their syntax tree,
 * the parser (gate_parse.c), the canonical text they are stored and
 * audited as, and their evaluation against looked-up values
 * (gate_eval.c). Nothing here reads the store: the caller supplies the
 * lookups, so the same code serves the promotion, a dry run and tests.
 *
 * A condition is one of
 *   signed                  the candidate carries a valid signature
 *   validated               the candidate's data validation found no anomaly
 *   LEFT OP EXPR            LEFT = metrics.KEY[.AGGREGATE] | fair(KEY)
 * where OP is a comparison of the search language and EXPR is arithmetic
 * (+ - * /, unary -, parentheses) over numbers and the baseline's values,
 * baseline.metrics.KEY[.AGGREGATE] and baseline.fair(KEY). */
#ifndef MLOPS_REGISTRY_GATE_H
#define MLOPS_REGISTRY_GATE_H

#include "util/buf.h"

#include <stddef.h>

/* Limits (doc/gates.md). */
#define MLOPS__GATE_CONDITIONS_MAX 64 /* conditions in one gate */
#define MLOPS__GATE_TEXT_MAX 4096     /* bytes of one condition */
#define MLOPS__GATE_DEPTH_MAX 32      /* nesting of an expression */

/* A value a condition reads: a metric or a fairness measure, of the
 * candidate (the version being moved) or of the baseline (the version
 * the alias points at now). */
typedef struct mlops__gate_ref {
    int baseline;          /* 0: the candidate */
    int fair;              /* fair(KEY), else metrics.KEY */
    char *key;             /* malloc'd */
    const char *aggregate; /* metrics: "last", "min", "max" or "count"; NULL for fair() */
    int aggregate_given;   /* the text named the aggregate */
} mlops__gate_ref;

enum mlops__gate_expr_kind {
    MLOPS__GX_NUMBER,
    MLOPS__GX_REF,
    MLOPS__GX_NEG,
    MLOPS__GX_ADD,
    MLOPS__GX_SUB,
    MLOPS__GX_MUL,
    MLOPS__GX_DIV
};

typedef struct mlops__gate_expr {
    enum mlops__gate_expr_kind kind;
    double number;                /* NUMBER */
    mlops__gate_ref ref;          /* REF */
    struct mlops__gate_expr *a, *b; /* NEG: a; the rest: a OP b */
} mlops__gate_expr;

enum mlops__gate_cond_kind { MLOPS__GC_COMPARE, MLOPS__GC_SIGNED, MLOPS__GC_VALIDATED };

typedef struct mlops__gate_cond {
    enum mlops__gate_cond_kind kind;
    mlops__gate_ref left;   /* COMPARE: the candidate's value */
    const char *op;         /* COMPARE: = <> < <= > >= */
    mlops__gate_expr *right; /* COMPARE */
    int uses_baseline;      /* right reads the baseline */
} mlops__gate_cond;

/* Parses one condition. evaluation: the gate names a dataset, so metrics
 * are the candidate's evaluation metrics, which have no aggregates.
 * MLOPS_EINVAL with a message naming fn and the position, MLOPS_ENOMEM.
 * Release c with mlops__gate_cond_free in every case. */
int mlops__gate_cond_parse(const char *fn, const char *text, int evaluation,
                           mlops__gate_cond *c);
void mlops__gate_cond_free(mlops__gate_cond *c);

/* The canonical text of c (malloc'd; NULL when out of memory): what is
 * stored and audited. It parses back to the same condition, and numbers
 * keep every bit (%.17g). */
char *mlops__gate_cond_text(const mlops__gate_cond *c);

/* Appends the canonical text of a value reference or an expression. */
void mlops__gate_ref_text(mlops__buf *b, const mlops__gate_ref *r);
void mlops__gate_expr_text(mlops__buf *b, const mlops__gate_expr *e);

/* ---- evaluation ---- */

/* What a condition's values are read from. value() returns MLOPS_OK with
 * *out set, MLOPS_ENOTFOUND when the value does not exist (a missing
 * metric fails its condition, never passes), or any other code, which
 * stops the evaluation. signed_ok and validated_ok likewise answer the two
 * checks, *why (a static or ctx-owned text, may be NULL) saying why not. */
typedef struct mlops__gate_lookup {
    void *ctx;
    int has_baseline; /* the alias points at a version now */
    int (*value)(void *ctx, const mlops__gate_ref *ref, double *out);
    int (*signed_ok)(void *ctx, int *yes, const char **why);
    int (*validated_ok)(void *ctx, int *yes, const char **why);
} mlops__gate_lookup;

enum mlops__gate_outcome { MLOPS__GATE_PASS, MLOPS__GATE_FAIL, MLOPS__GATE_SKIP };

/* One condition's decision: the outcome, the two sides' values when they
 * are known, and a sentence for people and for the audit log. */
typedef struct mlops__gate_verdict {
    enum mlops__gate_outcome outcome;
    int left_known, right_known;
    double left, right;
    char why[256];
} mlops__gate_verdict;

/* Decides c. MLOPS_OK with *v set (a failed condition is MLOPS_OK with
 * outcome FAIL), or the first lookup error that is not MLOPS_ENOTFOUND.
 * Without a baseline, a condition reading the baseline is SKIP, unless
 * the candidate's own value is missing or NaN (FAIL: no baseline could
 * make it pass). A NaN on either side fails. */
int mlops__gate_cond_eval(const mlops__gate_cond *c, const mlops__gate_lookup *l,
                          mlops__gate_verdict *v);

#endif
