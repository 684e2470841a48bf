/* Internal: the PostgreSQL driver's store-level functions
 * (store_schema.c; see mlops__db_driver in lib/db/driver.h). */
#ifndef MLOPS_DB_POSTGRES_STORE_SCHEMA_H
#define MLOPS_DB_POSTGRES_STORE_SCHEMA_H

#include "db/driver.h"

int mlops__pg_prepare_store(mlops__conn *c, const char *where, uint32_t busy_ms);
int mlops__pg_read_format(mlops__conn *c, const char *where, int *version);
int mlops__pg_begin_migration(mlops__conn *c);
int mlops__pg_write_format(mlops__conn *c, int version);
int mlops__pg_create_base(mlops__conn *c, int *version);
int mlops__pg_check_target(const mlops__db_target *t, const char *fn);

#endif
