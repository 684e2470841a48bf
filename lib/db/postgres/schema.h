/* Internal: the PostgreSQL form of the store's tables (lib/db/postgres/schema.c). */
#ifndef MLOPS_DB_POSTGRES_SCHEMA_H
#define MLOPS_DB_POSTGRES_SCHEMA_H

/* The format version mlops__pg_schema_v2 creates (a new schema's base:
 * the steps of the later versions follow, lib/store/schema.c), recorded in
 * the schema as meta row 'format_version' until they update it. */
#define MLOPS__PG_SCHEMA_VERSION 2

/* The whole schema at format version 2 (SQLite's version 1 with the
 * version 2 migration applied): DDL statements separated by ';', for one
 * PQexec inside the transaction that holds the store's migration lock.
 * It records format version 2; the steps of later versions follow it
 * (they pick their PostgreSQL DDL themselves: lib/store/schema.c).
 * Names are unqualified: the caller has set search_path to the store's
 * schema. Also inserts the meta rows 'application_id' and
 * 'format_version'; the creation facts (store_id, created_ms, chunk
 * sizes) are the caller's to insert, as on SQLite. */
extern const char mlops__pg_schema_v2[];

#endif
