/*
 * libmlops: bundles, one file that carries runs, models and the content
 * they reach from one store to another (doc/remotes.md, "Bundles"; the
 * file format: doc/format.md, "Bundles").
 *
 * A bundle holds, for a list of selections (the grammar of push and pull,
 * include/mlops/remote.h): the runs they name (experiment, params, tags,
 * metric points, lineage; parent runs' records too), the model versions
 * (tags, signatures) and the history of the aliases they name, the audit
 * events of the origin store about those models and runs, each with the
 * hash that links it into the origin's chain, the origin's store id and
 * audit head, and every object the selections reach.
 *
 * Import checks all of it before anything becomes visible (every frame of
 * the file by its CRC-32C, objects by digest, chunked blobs and trees as
 * pull does, signatures over the manifests the bundle's records make,
 * events by their hashes and links),
 * then brings the records in through the import API (include/mlops/
 * import.h) with the origin "bundle:<store id>@<head seq>:sha256:<head
 * hash>", so the
 * destination's audit chain records each as an imported event carrying
 * the origin's head hash. Importing the same bundle again adds nothing.
 *
 * Threads: both functions may be called from several threads at once.
 */
#ifndef MLOPS_BUNDLE_H
#define MLOPS_BUNDLE_H

#include "common.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

MLOPS_BEGIN_DECLS

/* Longest rename prefix, in bytes. */
#define MLOPS_BUNDLE_PREFIX_MAX 64

#define MLOPS_BUNDLE_IMPORT_OPTS_VERSION 1

typedef struct mlops_bundle_import_opts {
    unsigned version;          /* MLOPS_BUNDLE_IMPORT_OPTS_VERSION */
    const char *rename_prefix; /* NULL: a version number or alias name taken
                                  here with other content is MLOPS_ECONFLICT.
                                  Else such a version is given the next free
                                  number (or the number of the version here
                                  that matches it in all but its number), and
                                  such an alias the name prefix+alias
                                  (1..MLOPS_BUNDLE_PREFIX_MAX bytes of
                                  [A-Za-z0-9._-]) */
    const char *actor;         /* the import events' actor; NULL: the store's */
} mlops_bundle_import_opts;

#define MLOPS_BUNDLE_IMPORT_OPTS_INIT { MLOPS_BUNDLE_IMPORT_OPTS_VERSION, NULL, NULL }

/* Fills opts with the defaults of the given version. MLOPS_EINVAL when
 * opts is NULL or the version is unknown. */
MLOPS_API int mlops_bundle_import_opts_init(mlops_bundle_import_opts *opts, unsigned version);

#define MLOPS_BUNDLE_REPORT_VERSION 1

/* What an export wrote or an import found and added. */
typedef struct mlops_bundle_report {
    unsigned version;           /* MLOPS_BUNDLE_REPORT_VERSION */
    uint64_t runs;              /* run records carried */
    uint64_t metric_points;     /* metric points carried */
    uint64_t versions;          /* model versions carried */
    uint64_t alias_entries;     /* alias history entries carried (those an
                                   import brings in: not moves to splits) */
    uint64_t signatures;        /* signatures carried */
    uint64_t events;            /* origin audit events carried */
    uint64_t objects;           /* objects carried */
    uint64_t objects_added;     /* import: objects the store lacked */
    uint64_t bytes;             /* export: the file's size; import: stored
                                   bytes of the objects added */
    uint64_t records_added;     /* import: records that were new here */
    uint64_t renumbered;        /* import: versions given another number */
    uint64_t renamed;           /* import: aliases given the prefix */
    uint64_t signatures_skipped; /* import: signatures of renumbered versions
                                    (they sign the origin's number) */
    int64_t origin_head_seq;    /* the origin's audit head when exported */
    mlops_digest origin_head_hash;
} mlops_bundle_report;

#define MLOPS_BUNDLE_REPORT_INIT { MLOPS_BUNDLE_REPORT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
                                   0, 0, 0, 0, { { 0 } } }

MLOPS_API int mlops_bundle_report_init(mlops_bundle_report *report, unsigned version);

/* Writes the bundle of the n selections to path (replaced whole when
 * done: a failed export leaves no file there). report (may be NULL) gets
 * the counts. Memory stays bounded by the largest record, not the file.
 * Errors: MLOPS_EINVAL (a malformed selection, n == 0),
 * MLOPS_ENOTFOUND (a ref, run, model, version or alias missing),
 * MLOPS_EUNSUPPORTED (more than 64 ancestor runs), MLOPS_ECORRUPT (a
 * local object fails its check), MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_bundle_export(mlops_store *s, const char *path,
                                  const char *const *selections, size_t n,
                                  mlops_bundle_report *report);

/* Brings the bundle at path into the store (see above). Nothing is
 * visible before every check passed: a damaged bundle (a changed byte, a
 * truncated file, a forged event, a bad signature) is MLOPS_ECORRUPT
 * (MLOPS_ESIGNATURE for a signature, MLOPS_EFORMAT for a file that is not
 * a bundle, MLOPS_EUNSUPPORTED for a newer format) and adds no record.
 * A collision (see rename_prefix) is MLOPS_ECONFLICT naming what
 * collided, found before anything is written. The objects go in first
 * (an import that then fails leaves them unreferenced, for gc); then the
 * records, all in one transaction: any failure keeps none of them. An
 * alias entry the alias's signing policy or gate refuses here is
 * MLOPS_EPOLICY for the whole import. Entries moving an alias to a split
 * are left out. opts NULL: the defaults. report (may be NULL) gets the
 * counts. Errors: also MLOPS_ENOTFOUND (no file at path), MLOPS_EINVAL,
 * MLOPS_EIO, MLOPS_EREADONLY, MLOPS_ENOMEM. */
MLOPS_API int mlops_bundle_import(mlops_store *s, const char *path,
                                  const mlops_bundle_import_opts *opts,
                                  mlops_bundle_report *report);

MLOPS_END_DECLS

#endif /* MLOPS_BUNDLE_H */
