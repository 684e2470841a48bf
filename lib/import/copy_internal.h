/* Internal to store copy (copy.c, copy_tables.c, copy_objects.c). */
#ifndef MLOPS_IMPORT_COPY_INTERNAL_H
#define MLOPS_IMPORT_COPY_INTERNAL_H

#include "import/import_internal.h"

/* Copies the object files src has and dst lacks, each read verified
 * from src and written (re-encoded at dst's level) to dst, committing
 * their rows in batches. Counts go to r. */
int mlops__copy_objects(const char *fn, mlops_store *src, mlops_store *dst,
                        mlops_store_copy_report *r);

/* Copies the records of every table but meta, cas_object and
 * audit_events from src to dst (both inside the caller's transactions):
 * rows dst lacks are inserted with their ids; rows it has are compared
 * (a difference in what never changes is MLOPS_ECONFLICT) and updated to
 * src's current values; and in the tables of current state (tags,
 * aliases, policies, refs) rows src no longer has are removed. Adds the
 * rows written to *rows. fresh: dst holds no records (an empty store), so
 * rows are inserted without being looked up first. */
int mlops__copy_tables(const char *fn, mlops__conn *src, mlops__conn *dst, int fresh,
                       uint64_t *rows);

/* Moves PostgreSQL's identity sequences past the ids a copy inserted
 * (nothing on SQLite, whose rowids follow the table). */
int mlops__copy_sequences(mlops__conn *dst);

#endif
