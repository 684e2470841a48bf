/* Internal to the SQLite backend (lib/db/sqlite/). */
#ifndef MLOPS_DB_SQLITE_INTERNAL_H
#define MLOPS_DB_SQLITE_INTERNAL_H

#include "db/driver.h"

#include <sqlite3.h>

sqlite3 *mlops__sqlite_db(mlops__conn *c);
/* SQLite result code -> MLOPS code, message "<what>: <SQLite's message>". */
int mlops__sqlite_error(mlops__conn *c, int rc, const char *what);

/* The driver's store-level functions (store_file.c). */
int mlops__sqlite_prepare_store(mlops__conn *c, const char *where, uint32_t busy_ms);
int mlops__sqlite_read_format(mlops__conn *c, const char *where, int *version);
int mlops__sqlite_begin_migration(mlops__conn *c);
int mlops__sqlite_write_format(mlops__conn *c, int version);

#endif
