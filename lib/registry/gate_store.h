/* Internal: an alias's gate as stored (reg_gates, format 4) and the
 * values its conditions read from the store (gate_lookup.c). */
#ifndef MLOPS_REGISTRY_GATE_STORE_H
#define MLOPS_REGISTRY_GATE_STORE_H

#include "registry/gate.h"
#include "registry/registry_internal.h"

/* A gate read back: its conditions parsed, with their canonical texts. */
typedef struct mlops__gate_rules {
    size_t n;
    mlops__gate_cond *conds; /* malloc'd, n */
    char **texts;            /* malloc'd, n canonical texts */
    int has_dataset;
    mlops_digest dataset;
} mlops__gate_rules;

/* The gate of (model_id, alias): *found = 0 (and *g empty) when none.
 * A stored condition that no longer parses is MLOPS_ECORRUPT naming fn.
 * Release with mlops__gate_rules_free in every case. */
int mlops__gate_load(mlops__conn *c, const char *fn, int64_t model_id, const char *alias,
                     mlops__gate_rules *g, int *found);
void mlops__gate_rules_free(mlops__gate_rules *g);

/* The text an alias.gate.set event records as its new value and
 * verification compares with the row: "dataset sha256:HEX\n" when the
 * gate names one, then the conditions, one per line. malloc'd; NULL when
 * out of memory. */
char *mlops__gate_event_text(const char *const *texts, size_t n, const mlops_digest *dataset);

/* Whom a gate's conditions are about. */
typedef struct mlops__gate_subject {
    mlops__conn *c;
    const char *fn;
    const char *model;
    const mlops__reg_version *candidate;
    const mlops__reg_version *baseline; /* NULL: the alias is not set */
    const mlops_digest *dataset;        /* NULL: the producing run's metrics */
} mlops__gate_subject;

/* Fills l to read values for subj (which must outlive l):
 * metrics.X and fair(M) (read as metric "fair.M") from the latest
 * evaluation on the dataset, or from the producing run's metric series
 * (aggregate last unless given); `validated`: metric
 * "validation.anomalies" from the same source is 0; `signed`: a signature
 * of the version verifies over its current manifest under its own key. */
void mlops__gate_lookup_init(mlops__gate_lookup *l, mlops__gate_subject *subj);

#endif
