/* SQL on a store's metadata database from outside the store handle, on
 * whichever backend the store uses (its mlops.conf, see testutil.h): what
 * the suites use to check what was really written, and to play an
 * attacker with write access to the database. Statements are written in
 * the SQL both backends run (doc/conventions.md, "SQL"); where they
 * cannot be, the caller picks the text with tu_db_dialect. Two SQLite
 * spellings of blobs that tamper statements use are translated for
 * PostgreSQL outside string literals: X'<hex>' and zeroblob(<number>).
 *
 * The connection is a raw one, as the sqlite3 shell or psql would open:
 * foreign keys are not enforced (SQLite's default; PostgreSQL's
 * session_replication_role = replica), nothing of the store's own
 * machinery runs. Every failure aborts the test with the database's
 * message. */
#ifndef MLOPS_TU_DB_H
#define MLOPS_TU_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct tu_db tu_db;

/* A connection to the database of the store at dir (which must exist). */
tu_db *tu_db_open(const char *dir);
void tu_db_close(tu_db *db);
/* 1: SQLite, 2: PostgreSQL (enum mlops__dialect). */
int tu_db_dialect(tu_db *db);
/* The connection itself, for statements with other parameters (db/db.h). */
struct mlops__conn *tu_db_conn(tu_db *db);

/* Runs SQL without results; several statements separated by ';' (none in
 * a literal). Parameters ?1 and ?2, where a statement has them, are bound
 * to the blobs a and b (32 bytes each; NULL: none). */
void tu_db_exec(tu_db *db, const char *sql);
void tu_db_exec_blobs(tu_db *db, const char *sql, const void *a, const void *b);

/* The first column of the one row sql returns. ?1, when blob is not NULL,
 * is bound to blob (n bytes). */
int64_t tu_db_int(tu_db *db, const char *sql);
int64_t tu_db_int_blob(tu_db *db, const char *sql, const void *blob, int n);
/* NULL for SQL NULL or no row; malloc'd. */
char *tu_db_text(tu_db *db, const char *sql);
/* Copies a blob column of the one row (bound as for tu_db_int_blob) to
 * out; its length must be n. */
void tu_db_blob(tu_db *db, const char *sql, const void *arg, int arg_n, void *out, int n);

/* One-shot forms: open, run, close. */
void tu_sql_exec(const char *dir, const char *sql);
int64_t tu_sql_int64(const char *dir, const char *sql);
char *tu_sql_text(const char *dir, const char *sql);

#endif
