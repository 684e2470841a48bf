/*
 * libmlops: bringing history in from elsewhere (doc/import.md).
 *
 * Two ways in, one module behind them (lib/import/):
 *
 * - The import calls (mlops_experiment_import, mlops_run_import,
 *   mlops_metric_import, mlops_lineage_import, mlops_version_import,
 *   mlops_signature_import, mlops_alias_import) take
 *   records with the ids, numbers and times they had at their origin.
 *   Each call is one transaction and is checked: an id or number already
 *   taken with different content is MLOPS_ECONFLICT, the same content is
 *   a no-op returning MLOPS_OK (so an import run twice adds nothing, not
 *   even audit events). Each call that adds something is recorded in the
 *   audit log as an import naming its origin (a string such as
 *   "mlflow:http://host:5000" or "bundle:<store id>"): tracking imports as
 *   an "import" event, registry imports as the usual version.create,
 *   model.create and alias.* events with an import payload that carries
 *   the origin and the original time and actor. The MLflow importer and
 *   bundles use these calls.
 *
 * - mlops_store_copy copies a whole store, keeping its audit chain event
 *   for event (the copy verifies with the same head hash).
 *
 * Threads: every function may be called from several threads and
 * processes at once; each import call is atomic.
 */
#ifndef MLOPS_IMPORT_H
#define MLOPS_IMPORT_H

#include "common.h"
#include "store.h"
#include "track.h"

MLOPS_BEGIN_DECLS

/* Longest origin string, in bytes. */
#define MLOPS_IMPORT_ORIGIN_MAX 1024

#define MLOPS_IMPORT_OPTS_VERSION 1

/* Where imported history comes from, and who imports it. */
typedef struct mlops_import_opts {
    unsigned version;   /* MLOPS_IMPORT_OPTS_VERSION */
    const char *origin; /* required: 1..MLOPS_IMPORT_ORIGIN_MAX bytes of
                           UTF-8 without control characters */
    const char *actor;  /* who imports (the audit event's actor); NULL =
                           the store's actor, as for mlops_change_opts */
} mlops_import_opts;

#define MLOPS_IMPORT_OPTS_INIT { MLOPS_IMPORT_OPTS_VERSION, NULL, NULL }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL
 * when opts is NULL or the version is 0 or newer than this library knows. */
MLOPS_API int mlops_import_opts_init(mlops_import_opts *opts, unsigned version);

/* ---- Experiment records ------------------------------------------------- */

/* Brings in an experiment: name, creation time and tags (n pairs, keys
 * distinct). Taken name with another creation time or other tags:
 * MLOPS_ECONFLICT. *id (may be NULL) gets the experiment's id here.
 * Errors: MLOPS_EINVAL (bad argument), MLOPS_ECONFLICT, MLOPS_EREADONLY. */
MLOPS_API int mlops_experiment_import(mlops_store *s, const mlops_import_opts *opts,
                                      const char *name, int64_t created_ms, const mlops_kv *tags,
                                      size_t ntags, int64_t *id);

#define MLOPS_RUN_RECORD_VERSION 1

/* A run as it was at its origin. */
typedef struct mlops_run_record {
    unsigned version;       /* MLOPS_RUN_RECORD_VERSION */
    const char *run_id;     /* 32 lowercase hex digits */
    const char *experiment; /* its experiment's name: imported before */
    const char *name;       /* NULL: none */
    const char *parent_id;  /* NULL: top level; else a run imported before */
    int status;             /* MLOPS_RUN_RUNNING, _FINISHED, _FAILED, _KILLED */
    int64_t start_ms;
    int64_t end_ms;         /* 0: not ended (status RUNNING) */
    int64_t deleted_ms;     /* 0: not deleted */
    const mlops_kv *params; /* n params, keys distinct */
    size_t nparams;
    const mlops_kv *tags;   /* n tags, keys distinct */
    size_t ntags;
} mlops_run_record;

#define MLOPS_RUN_RECORD_INIT { MLOPS_RUN_RECORD_VERSION, NULL, NULL, NULL, NULL, 0, 0, 0, 0, \
                                NULL, 0, NULL, 0 }

/* Fills rec with empty fields of the given version. MLOPS_EINVAL when
 * rec is NULL or the version is unknown. */
MLOPS_API int mlops_run_record_init(mlops_run_record *rec, unsigned version);

/* Brings in a run with its id, times, status, params and tags. A run with
 * that id and any other field, param or tag different: MLOPS_ECONFLICT.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (experiment or parent missing),
 * MLOPS_ECONFLICT, MLOPS_EREADONLY. */
MLOPS_API int mlops_run_import(mlops_store *s, const mlops_import_opts *opts,
                               const mlops_run_record *run);

/* Brings in metric points of an imported run, each with its own step and
 * timestamp (the same checks as mlops_run_log_metrics, but the run may
 * have ended). A series is a set of points: points already there are
 * skipped, so this never conflicts. *added (may be NULL) gets the number
 * of new points. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no such run),
 * MLOPS_EREADONLY. */
MLOPS_API int mlops_metric_import(mlops_store *s, const mlops_import_opts *opts,
                                  const char *run_id, const mlops_metric *points, size_t n,
                                  size_t *added);

/* Brings in one lineage edge of an imported run (which may have ended):
 * the run read (direction MLOPS_LINEAGE_INPUT) or wrote
 * (MLOPS_LINEAGE_OUTPUT) content digest, which must be in the store,
 * under name with role, at created_ms. The same edge with another role or
 * time: MLOPS_ECONFLICT. Outputs are kept by garbage collection, so an
 * importer that records a run's artifact tree as its output keeps it.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (run or content missing),
 * MLOPS_ECONFLICT, MLOPS_EREADONLY. */
MLOPS_API int mlops_lineage_import(mlops_store *s, const mlops_import_opts *opts,
                                   const char *run_id, int direction, const mlops_digest *digest,
                                   const char *name, const char *role, int64_t created_ms);

/* ---- Registry ----------------------------------------------------------- */

#define MLOPS_VERSION_RECORD_VERSION 1

/* A model version as it was at its origin. */
typedef struct mlops_version_record {
    unsigned version;            /* MLOPS_VERSION_RECORD_VERSION */
    const char *model;           /* created (at created_ms) when missing */
    int64_t number;              /* >= 1 */
    mlops_digest artifact;       /* must be in the store */
    const char *run_id;          /* NULL: none; else a run in the store */
    const char *description;     /* NULL: "" */
    const char *creator;         /* who created it at the origin; NULL: the
                                    importer's actor */
    int64_t created_ms;
    const mlops_kv *tags;        /* n tags, keys distinct */
    size_t ntags;
} mlops_version_record;

#define MLOPS_VERSION_RECORD_INIT { MLOPS_VERSION_RECORD_VERSION, NULL, 0, { { 0 } }, NULL, \
                                    NULL, NULL, 0, NULL, 0 }

MLOPS_API int mlops_version_record_init(mlops_version_record *rec, unsigned version);

/* Brings in a version with its number. The number taken by a version
 * with another artifact, run, description, creator, time or tags:
 * MLOPS_ECONFLICT. Recorded as a version.create event (and model.create
 * when the model was made) with an import payload. Errors: MLOPS_EINVAL,
 * MLOPS_ENOTFOUND (artifact or run missing), MLOPS_ECONFLICT,
 * MLOPS_EREADONLY. */
MLOPS_API int mlops_version_import(mlops_store *s, const mlops_import_opts *opts,
                                   const mlops_version_record *v);

/* Brings in a signature of version `version` of model, as made at its
 * origin: an Ed25519 signature (64 bytes) by the key public_pem (PEM
 * "PUBLIC KEY") over the version's manifest, at signed_ms by signer
 * (1..MLOPS_REGISTRY_NAME_MAX bytes). It must verify over the manifest
 * this store computes for the version (else MLOPS_ESIGNATURE): nothing
 * unverified comes in. Another signature by that key already on the
 * version: MLOPS_ECONFLICT. Recorded as version.sign with an import
 * payload. The manifest covers the version's run inputs: import the run's
 * lineage first. Errors: MLOPS_EINVAL, MLOPS_EFORMAT (not a PEM public
 * key), MLOPS_EUNSUPPORTED (not Ed25519), MLOPS_ENOTFOUND,
 * MLOPS_ECONFLICT, MLOPS_ESIGNATURE, MLOPS_EREADONLY. */
MLOPS_API int mlops_signature_import(mlops_store *s, const mlops_import_opts *opts,
                                     const char *model, int64_t version, const char *public_pem,
                                     const unsigned char signature[64], int64_t signed_ms,
                                     const char *signer);

/* Brings in one entry of an alias's history: at time_ms (at the origin)
 * the alias of model was set to version `version` (>= 1), or removed
 * (version 0). Entries of one alias come in time order: an entry at a
 * time the alias already has with another target, or older than the
 * alias's last entry, is MLOPS_ECONFLICT (one call's entry is the first
 * at its time; several entries in one millisecond come in by bundle or
 * store copy: doc/import.md). An entry that changes nothing is a no-op. The alias's signing policy (mlops_model_alias_policy_set)
 * is enforced as for mlops_model_alias_set. Recorded as alias.set,
 * alias.move or alias.delete with an import payload. Errors:
 * MLOPS_EINVAL, MLOPS_ENOTFOUND (model or version), MLOPS_ECONFLICT,
 * MLOPS_ESIGNATURE, MLOPS_EREADONLY. */
MLOPS_API int mlops_alias_import(mlops_store *s, const mlops_import_opts *opts,
                                 const char *model, const char *alias, int64_t version,
                                 int64_t time_ms);

/* ---- Store copy ---------------------------------------------------------- */

#define MLOPS_STORE_COPY_OPTS_VERSION 1

typedef struct mlops_store_copy_opts {
    unsigned version; /* MLOPS_STORE_COPY_OPTS_VERSION */
} mlops_store_copy_opts;

#define MLOPS_STORE_COPY_OPTS_INIT { MLOPS_STORE_COPY_OPTS_VERSION }

MLOPS_API int mlops_store_copy_opts_init(mlops_store_copy_opts *opts, unsigned version);

#define MLOPS_STORE_COPY_REPORT_VERSION 1

/* What a copy did. */
typedef struct mlops_store_copy_report {
    unsigned version;        /* MLOPS_STORE_COPY_REPORT_VERSION */
    uint64_t objects_copied; /* object files the destination lacked */
    uint64_t objects_present;
    uint64_t bytes_copied;   /* decoded bytes of the objects copied */
    uint64_t rows_written;   /* records inserted or updated */
    uint64_t events_copied;  /* audit events appended */
    int64_t head_seq;        /* the destination's audit head afterwards */
    mlops_digest head_hash;
} mlops_store_copy_report;

#define MLOPS_STORE_COPY_REPORT_INIT { MLOPS_STORE_COPY_REPORT_VERSION, 0, 0, 0, 0, 0, 0, \
                                       { { 0 } } }

MLOPS_API int mlops_store_copy_report_init(mlops_store_copy_report *report, unsigned version);

/* Copies everything of src into dst: objects by digest (only those dst
 * lacks, each verified as read), experiments and runs with their ids,
 * metric points, lineage, models, version numbers, aliases, signatures,
 * refs, and the audit chain event for event, each event's hash checked
 * as it is appended, so dst then verifies with src's head. dst must be
 * empty or an earlier copy of src (the store id it was copied from is
 * recorded in it); there the source's current records replace the copy's
 * and nothing is added twice. Anything else, or a dst whose audit chain
 * is not a prefix of src's, is MLOPS_ECONFLICT. Records are copied in one
 * transaction after the objects: an interrupted copy leaves at most
 * unreferenced objects, and a rerun completes it. The backends may
 * differ (SQLite, PostgreSQL). report (may be NULL) gets the counts.
 * Errors: MLOPS_EINVAL, MLOPS_ECONFLICT, MLOPS_ECORRUPT (an object or
 * event of src fails its check), MLOPS_EREADONLY, MLOPS_EIO. */
MLOPS_API int mlops_store_copy(mlops_store *src, mlops_store *dst,
                               const mlops_store_copy_opts *opts,
                               mlops_store_copy_report *report);

MLOPS_END_DECLS

#endif /* MLOPS_IMPORT_H */
