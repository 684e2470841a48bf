/* Internal: the model page (mlops_model_page_html). Loading
 * (model_page_load.c) reads the model, its versions with their lineage,
 * and its audit events with their payloads decoded: each alias event's
 * split and each gate decision; the page (model_page_html.c, and the
 * lineage drawing in model_page_lineage.c) writes them out. */
#ifndef MLOPS_REGISTRY_MODEL_PAGE_H
#define MLOPS_REGISTRY_MODEL_PAGE_H

#include "mlops/registry.h"
#include "registry/split.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

/* One (candidate, condition) of a gate decision. */
typedef struct mlops__page_check {
    int64_t candidate;
    char *condition, *outcome, *why; /* outcome: "pass", "fail" or "skip" */
    int left_known, right_known;
    double left, right;
} mlops__page_check;

/* One audit event of the model, with what its payload says. */
typedef struct mlops__page_event {
    int64_t seq, time_ms, version;
    char *actor, *action, *key, *old_value, *new_value, *reason;
    int is_alias;      /* alias.set / alias.move / alias.delete */
    int has_split;     /* is_alias and not a delete: split below */
    mlops__split split;
    int is_decision;   /* alias.gate.decision: the fields below */
    char *kind, *target;
    int64_t baseline;  /* 0: none */
    int forced;
    mlops__page_check *checks;
    size_t n_checks;
} mlops__page_event;

typedef struct mlops__model_page {
    mlops_model *model;
    mlops_model_versions *versions;   /* every version, deleted ones too */
    mlops_version_lineage **lineage;  /* per version (same order) */
    mlops__page_event *events;        /* oldest first */
    size_t n_events;
} mlops__model_page;

/* Reads everything the page shows about `model` (fn names the public
 * function in messages). On failure *p is left empty. */
int mlops__model_page_load(mlops_store *s, const char *fn, const char *model,
                           mlops__model_page *p);
void mlops__model_page_clear(mlops__model_page *p);

/* The lineage section: a drawing dataset -> run -> version (one <svg>)
 * and the same as a table. */
void mlops__model_page_lineage(mlops__buf *b, const mlops__model_page *p);

#endif
