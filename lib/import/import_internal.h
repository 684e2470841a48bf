/* Internal interface of lib/import: the one module that writes history
 * brought in from elsewhere (doc/import.md). The import calls (records
 * given by a caller: the MLflow importer, bundles) and store copy (a whole
 * store) live here; nothing else writes imported records or audit events
 * taken from another chain. */
#ifndef MLOPS_IMPORT_INTERNAL_H
#define MLOPS_IMPORT_INTERNAL_H

#include "mlops/import.h"
#include "registry/registry_internal.h"

/* The order of alias entries within one time (doc/import.md): the alias
 * and time of the last entry mlops__alias_import_on placed in this import,
 * and how many entries of that alias at that time it has matched or
 * added. model and alias point at the caller's strings. */
typedef struct mlops__alias_order {
    const char *model;
    const char *alias;
    int64_t time_ms;
    int64_t placed;
} mlops__alias_order;

/* One import, resolved: the origin, the change (actor, clock) its audit
 * events record, and where its alias entries stand. */
typedef struct mlops__import {
    const char *func;
    const char *origin;
    mlops__reg_change ch;
    mlops__alias_order order;
} mlops__import;

/* Checks opts (required, with an origin) and resolves the actor. */
int mlops__import_begin(mlops_store *s, const char *func, const mlops_import_opts *opts,
                        mlops__import *im);

/* Appends an event of kind action about (model_id, model) with the
 * import payload [origin, time_ms, actor]; sets the change's clock first.
 * *seq (may be NULL) gets its number. */
int mlops__import_event(mlops__conn *c, mlops__import *im, const mlops__audit_ev *ev,
                        int64_t time_ms, const char *actor, int64_t *seq);

/* Whether n (key, value) pairs are well formed and their keys distinct:
 * MLOPS_EINVAL naming what otherwise. */
int mlops__import_check_kv(const char *func, const char *what, const mlops_kv *kv, size_t n,
                           size_t value_max);

/* 1 when the rows of `sql` (key, value), bound to id at ?1, are exactly
 * the n pairs of kv; 0 when not. */
int mlops__import_kv_equal(mlops__conn *c, const char *sql, int64_t id, const mlops_kv *kv,
                           size_t n, int *equal);

/* The import calls on the caller's open write transaction c: each checks
 * its arguments as its public mlops_*_import does (messages name
 * im->func) and writes what that call writes, so that a caller bringing
 * in many records (a bundle) commits them all or none. im comes from
 * mlops__import_begin. A gate that refuses an alias entry is
 * MLOPS_EPOLICY here (its decision event rolls back with the rest),
 * where mlops_alias_import commits the decision before reporting it. */
int mlops__experiment_import_on(mlops__conn *c, mlops__import *im, const char *name,
                                int64_t created_ms, const mlops_kv *tags, size_t ntags);
int mlops__run_import_on(mlops__conn *c, mlops__import *im, const mlops_run_record *run);
int mlops__lineage_import_on(mlops__conn *c, mlops__import *im, const char *run_id,
                             int direction, const mlops_digest *digest, const char *name,
                             const char *role, int64_t created_ms);
/* *added (may be NULL): the points that were not here already. */
int mlops__metric_import_on(mlops__conn *c, mlops__import *im, const char *run_id,
                            const mlops_metric *points, size_t n, uint64_t *added);
int mlops__version_import_on(mlops__conn *c, mlops__import *im, const mlops_version_record *v);
int mlops__signature_import_on(mlops__conn *c, mlops__import *im, const char *model,
                               int64_t version, const char *public_pem,
                               const unsigned char signature[64], int64_t signed_ms,
                               const char *signer);
/* Entries of one alias at one time are placed in the order of the calls
 * on one im: the k-th such call is the k-th entry at that time (a call
 * that would move nothing there takes no place). A caller that runs its
 * calls again (a retried transaction) clears im->order first. */
int mlops__alias_import_on(mlops__conn *c, mlops__import *im, const char *model,
                           const char *alias, int64_t version, int64_t time_ms);

#endif
