/* What an attacker with the sqlite3 shell and this library's source can do
 * to the audit log, for the audit suites: recompute every hash after an
 * edit, and turn a store back into a 1.0 one (schema version 1, every
 * event in format 1). The store must be closed while these run. */
#ifndef MLOPS_TEST_AUDIT_HELPERS_H
#define MLOPS_TEST_AUDIT_HELPERS_H

#include "registry_helpers.h"

#include "registry/registry_internal.h"

/* Recomputes the hash of every event from its columns, in seq order, so
 * the chain is consistent again. v1_schema: the table has no format and
 * payload columns and every event is encoded in format 1. */
static inline void rt_rehash(const char *dir, int v1_schema)
{
    char *path = tu_path(dir, "mlops.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st, *up;
    const char *sql = v1_schema ? "SELECT seq, time_ms, actor, action, model_id, model, version, "
                                  "key, old_value, new_value, reason, 1, NULL "
                                  "FROM audit_events ORDER BY seq"
                                : "SELECT seq, time_ms, actor, action, model_id, model, version, "
                                  "key, old_value, new_value, reason, format, payload "
                                  "FROM audit_events ORDER BY seq";
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_prepare_v2(db, "UPDATE audit_events SET hash = ?2 WHERE seq = ?1", -1, &up, NULL),
        SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    mlops_digest prev = { { 0 } };
    while (sqlite3_step(st) == SQLITE_ROW) {
        mlops__audit_row r = {
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            sqlite3_column_int64(st, 4), (const char *)sqlite3_column_text(st, 5),
            sqlite3_column_int64(st, 6), (const char *)sqlite3_column_text(st, 7),
            (const char *)sqlite3_column_text(st, 8), (const char *)sqlite3_column_text(st, 9),
            (const char *)sqlite3_column_text(st, 10), sqlite3_column_int(st, 11),
            sqlite3_column_blob(st, 12), (size_t)sqlite3_column_bytes(st, 12),
        };
        msgpack_sbuffer b;
        msgpack_sbuffer_init(&b);
        TU_OK(mlops__audit_encode(&b, &r));
        unsigned char *buf = malloc(32 + b.size);
        memcpy(buf, prev.bytes, 32);
        memcpy(buf + 32, b.data, b.size);
        TU_OK(mlops_digest_compute(buf, 32 + b.size, &prev));
        sqlite3_bind_int64(up, 1, r.seq);
        sqlite3_bind_blob(up, 2, prev.bytes, 32, SQLITE_TRANSIENT);
        ck_assert_int_eq(sqlite3_step(up), SQLITE_DONE);
        sqlite3_reset(up);
        free(buf);
        msgpack_sbuffer_destroy(&b);
    }
    ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    sqlite3_close(db);
    free(path);
}

/* Makes the store at dir what libmlops 1.0 would have written: schema
 * version 1, events in format 1 (none may have a payload). */
static inline void rt_make_v1_store(const char *dir)
{
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events WHERE payload IS NOT NULL"),
                     0);
    rt_shell(dir, "DROP INDEX audit_events_state;"
                  "ALTER TABLE audit_events DROP COLUMN payload;"
                  "ALTER TABLE audit_events DROP COLUMN format;"
                  "PRAGMA user_version = 1;");
    rt_rehash(dir, 1);
}

/* Opens the store at dir again (actor "tester", no fsync). */
static inline mlops_store *rt_reopen(const char *dir)
{
    mlops_store_opts o;
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = "tester";
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

#endif
