/* Internal: the database schema and its forward migrations. */
#ifndef MLOPS_STORE_SCHEMA_H
#define MLOPS_STORE_SCHEMA_H

#include "mlops/store.h"
#include "db/db.h"

/* Brings the database on c to MLOPS__FORMAT_VERSION: checks that it is a
 * libmlops database (or a new, empty one), refuses a newer version, and
 * migrates an older one forward inside one exclusive transaction, so that
 * concurrent openers never race. New stores record opts' chunk sizes.
 * read_only handles never migrate. *version_out receives the version. */
int mlops__schema_prepare(mlops__conn *c, const char *path, int read_only,
                          const mlops_store_opts *opts, int *version_out);

/* Format version 3's part of the store itself (tx_requests), in SQL both
 * backends run: SQLite's migration and PostgreSQL's DDL execute it. */
extern const char mlops__store_schema_v3[];

#endif
