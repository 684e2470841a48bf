/* Internal: what a put's commit must know about object removals.
 *
 * A put places its objects (a file renamed into place, a PUT on S3)
 * before the write transaction that records them, and only a remover (gc
 * removing objects without rows, fsck moving a damaged one aside) takes
 * an object file away. So the commit must know whether an object it
 * placed went meanwhile. Asking the backend for each object meant one
 * request per object on S3, one after the other under the write lock.
 * Instead, on remote objects (S3), a remover leaves a trace in the
 * database (format 12, doc/format.md "Object removals"):
 *   cas_removing  a row per removal under way, committed before any file
 *                 goes, deleted by the transaction that removed the files;
 *   cas_removals  the number of removals done, counted by that same
 *                 transaction.
 * A put reads the number before it places anything, and its commit asks
 * the backend about its objects only when the number moved since or a
 * removal is under way (or died: its row stays until a gc drops rows
 * older than an hour). Both reads are inside transactions, so a removal
 * is either seen or had not begun. */
#ifndef MLOPS_CAS_REMOVALS_H
#define MLOPS_CAS_REMOVALS_H

#include "db/db.h"
#include "mlops/store.h"

#include <stdint.h>

typedef struct mlops__removals_seen {
    uint64_t done; /* cas_removals when the put began */
    int known;     /* 0: it could not be read, so the commit checks every object */
} mlops__removals_seen;

/* Before placing: the removals done so far, when the store's objects are
 * remote (S3); unknown for local objects, whose lookups cost less than
 * this read, and when the read fails (the commit then looks up every
 * object, as before format 12). Never fails. */
void mlops__removals_seen_now(mlops_store *s, mlops__removals_seen *out);
/* The same, inside the caller's transaction on c (a put that reads other
 * rows first does both in one round trip); out->known is 0 on an error,
 * which is returned. */
int mlops__removals_read(mlops__conn *c, mlops__removals_seen *out);

/* In a commit's write transaction: *check = 1 when objects placed since
 * `seen` (NULL: unknown) may have been removed and must be looked for. */
int mlops__removals_check_needed(mlops__conn *c, const mlops__removals_seen *seen, int *check);

/* For a remover, in a write transaction committed before any file goes:
 * records a removal under way (*id names it) and drops the rows of
 * removals that died more than an hour ago. */
int mlops__removal_begin(mlops__conn *c, int64_t *id);

/* In the write transaction that removed the files (or in one of its own,
 * when the removal failed): the removal is done and counted. */
int mlops__removal_end(mlops__conn *c, int64_t id);

/* The DDL of format 12 (both dialects). */
int mlops__cas_migrate_v12(mlops__conn *c);

#endif
