/* Internal: the PostgreSQL form of the store's tables (lib/db/postgres/schema.c). */
#ifndef MLOPS_DB_POSTGRES_SCHEMA_H
#define MLOPS_DB_POSTGRES_SCHEMA_H

/* The format version mlops__pg_schema_v2 creates, recorded in the schema
 * as meta row 'format_version'. schema.c asserts at compile time that it
 * equals MLOPS__FORMAT_VERSION (lib/store/store_internal.h). */
#define MLOPS__PG_SCHEMA_VERSION 3

/* The whole schema at format version 2 (SQLite's version 1 with the
 * version 2 migration applied): DDL statements separated by ';', for one
 * PQexec inside the transaction that holds the store's migration lock.
 * Names are unqualified: the caller has set search_path to the store's
 * schema. Also inserts the meta rows 'application_id' and
 * 'format_version'; the creation facts (store_id, created_ms, chunk
 * sizes) are the caller's to insert, as on SQLite. A new schema gets
 * this, then each later version's migration, which is written in SQL
 * that both backends run (version 3: mlops__store_schema_v3,
 * lib/store/schema.h), so both get the same tables. */
extern const char mlops__pg_schema_v2[];

#endif
