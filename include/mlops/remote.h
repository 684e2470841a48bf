/*
 * libmlops: remotes, push and pull (doc/remotes.md).
 *
 * A remote is a place that keeps objects for several stores: a directory
 * or an S3 location (s3://bucket/prefix), laid out as a store's objects
 * are (doc/format.md, "Remotes"). A store knows its remotes by name
 * (remotes.conf in the store directory). Push copies what a selection
 * reaches (trees, manifests, chunks) to a remote, each object the remote
 * lacks once; pull copies it back into a store, each object verified, each
 * blob proven by its digest, before any of it becomes visible.
 *
 * Selections (doc/remotes.md, "Selections"), one string each:
 *   sha256:<64 hex>     a blob or a tree, and what it holds
 *   ref:NAME            the content the ref names (pull sets the ref)
 *   run:ID              the run's outputs and inputs (its lineage)
 *   model:NAME@ALIAS    the version the alias names: its artifact and the
 *   model:NAME/N        lineage of the run that made it
 * Push resolves a selection in the store and writes on the remote, after
 * every object it reaches, a record under the selection's text naming
 * that content; pull reads that record, so it pulls what the selection
 * named when it was last pushed. Metadata (runs, versions, audit events)
 * does not travel by push or pull.
 *
 * Threads: every function may be called from several threads at once;
 * pushes and pulls of the same content to one remote may run at once
 * (objects are named by their content; a record is replaced whole).
 */
#ifndef MLOPS_REMOTE_H
#define MLOPS_REMOTE_H

#include "common.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

MLOPS_BEGIN_DECLS

/* Adds the remote `name` (1..64 bytes of [A-Za-z0-9._-]) at url: an
 * s3://bucket[/prefix] location or a directory (an absolute path; a
 * relative one is taken from the current directory and recorded
 * absolute), in remotes.conf in the store directory. Makes no request and
 * no directory. Errors: MLOPS_EINVAL (a bad name or url, or a relative
 * url that made absolute is over 1024 bytes), MLOPS_EEXIST (the name is
 * taken), MLOPS_EFORMAT or MLOPS_EUNSUPPORTED (a malformed or newer
 * remotes.conf, left unchanged), MLOPS_EREADONLY, MLOPS_EIO,
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_remote_add(mlops_store *s, const char *name, const char *url);

/* Forgets the remote `name` (nothing on the remote changes).
 * MLOPS_ENOTFOUND when there is none; MLOPS_EINVAL, MLOPS_EREADONLY,
 * MLOPS_EIO. */
MLOPS_API int mlops_remote_remove(mlops_store *s, const char *name);

/* The store's remotes, sorted by name. */
typedef struct mlops_remotes mlops_remotes;

/* *out (free with mlops_remotes_free) lists the remotes. MLOPS_EINVAL,
 * MLOPS_EFORMAT (a malformed remotes.conf), MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_remote_list(mlops_store *s, mlops_remotes **out);
/* 0 for NULL. */
MLOPS_API size_t mlops_remotes_count(const mlops_remotes *l);
/* The i-th remote's name and url (live as long as l). MLOPS_EINVAL when
 * l is NULL or i is out of range. */
MLOPS_API int mlops_remotes_at(const mlops_remotes *l, size_t i, const char **name,
                               const char **url);
/* NULL is a no-op. */
MLOPS_API void mlops_remotes_free(mlops_remotes *l);

#define MLOPS_TRANSFER_REPORT_VERSION 1

/* What a push or a pull did. */
typedef struct mlops_transfer_report {
    unsigned version;         /* MLOPS_TRANSFER_REPORT_VERSION */
    uint64_t contents;        /* blobs and trees the selections reach */
    uint64_t objects;         /* distinct objects they reach */
    uint64_t objects_sent;    /* objects copied by this call */
    uint64_t objects_present; /* objects the destination had already */
    uint64_t bytes_sent;      /* stored bytes of the objects copied (header included) */
    uint64_t lookups;         /* objects asked for one by one (HEAD, stat) */
    uint64_t listed;          /* objects seen by listing the remote instead (push) */
} mlops_transfer_report;

#define MLOPS_TRANSFER_REPORT_INIT { MLOPS_TRANSFER_REPORT_VERSION, 0, 0, 0, 0, 0, 0, 0 }

MLOPS_API int mlops_transfer_report_init(mlops_transfer_report *report, unsigned version);

/* Copies to the remote `remote` every object the n selections reach and
 * the remote lacks, then records each selection there (see above). An
 * interrupted push leaves objects without a record, which a second push
 * finds and does not send again. report (may be NULL) gets the counts.
 * Errors: MLOPS_EINVAL (a malformed selection, n == 0), MLOPS_ENOTFOUND
 * (no such remote, ref, run, model, version or alias; content the store
 * does not hold), MLOPS_ECORRUPT (a local object fails its check),
 * MLOPS_EIO, MLOPS_EPERM (S3 refused), MLOPS_ENOMEM. */
MLOPS_API int mlops_remote_push(mlops_store *s, const char *remote,
                                const char *const *selections, size_t n,
                                mlops_transfer_report *report);

/* Copies into the store what the n selections named on the remote when
 * they were pushed: each object the store lacks is fetched, its header,
 * decoding and digest checked, each chunked blob's chunks hashed together
 * against the blob's digest and each tree decoded, and only then the
 * content and, for ref:NAME, the ref NAME (set or moved) are committed
 * in one transaction. Objects fetched by an interrupted pull are kept
 * and not fetched again. report (may be NULL) gets the counts. Errors:
 * MLOPS_EINVAL, MLOPS_ENOTFOUND (no such remote, a directory remote's
 * folder missing, or the remote has no record of a selection),
 * MLOPS_ECORRUPT (a fetched object or blob fails
 * its check: nothing of it is visible), MLOPS_ECONFLICT (content the
 * store held was removed while the pull ran, by a gc: pull again),
 * MLOPS_EREADONLY, MLOPS_EIO, MLOPS_EPERM, MLOPS_ENOMEM. */
MLOPS_API int mlops_remote_pull(mlops_store *s, const char *remote,
                                const char *const *selections, size_t n,
                                mlops_transfer_report *report);

MLOPS_END_DECLS

#endif /* MLOPS_REMOTE_H */
