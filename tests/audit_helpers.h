/* What an attacker with the sqlite3 shell and this library's source can do
 * to the audit log, for the audit suites: recompute every hash after an
 * edit, and turn a store back into a 1.0 one (schema version 1, every
 * event in format 1). The store must be closed while these run. */
#ifndef MLOPS_TEST_AUDIT_HELPERS_H
#define MLOPS_TEST_AUDIT_HELPERS_H

#include "registry_helpers.h"

#include "db/db.h"
#include "registry/registry_internal.h"

/* Recomputes the hash of every event from its columns, in seq order, so
 * the chain is consistent again. v1_schema: the table has no format and
 * payload columns and every event is encoded in format 1. */
static inline void rt_rehash(const char *dir, int v1_schema)
{
    tu_db *db = tu_db_open(dir);
    mlops__conn *c = NULL;
    const char *sql = v1_schema ? "SELECT seq, time_ms, actor, action, model_id, model, version, "
                                  "key, old_value, new_value, reason, 1, NULL "
                                  "FROM audit_events ORDER BY seq"
                                : "SELECT seq, time_ms, actor, action, model_id, model, version, "
                                  "key, old_value, new_value, reason, format, payload "
                                  "FROM audit_events ORDER BY seq";
    /* Every event's new hash, computed first, written after. */
    int64_t n = tu_db_int(db, "SELECT count(*) FROM audit_events");
    int64_t *seqs = calloc((size_t)n + 1, sizeof *seqs);
    mlops_digest *hashes = calloc((size_t)n + 1, sizeof *hashes);
    c = tu_db_conn(db);
    mlops__stmt *st = NULL;
    TU_OK(mlops__conn_prepare(c, sql, &st));
    mlops_digest prev = { { 0 } };
    int64_t k = 0;
    while (mlops__step(st) == MLOPS__ROW) {
        ck_assert_int_lt(k, n);
#define RT_TEXT(i) (mlops__col_null(st, i) ? NULL : mlops__col_text(st, i))
        mlops__audit_row r = {
            mlops__col_int64(st, 0), mlops__col_int64(st, 1), RT_TEXT(2), RT_TEXT(3),
            mlops__col_int64(st, 4), RT_TEXT(5), mlops__col_int64(st, 6), RT_TEXT(7),
            RT_TEXT(8), RT_TEXT(9), RT_TEXT(10), mlops__col_int(st, 11),
            mlops__col_null(st, 12) ? NULL : mlops__col_blob(st, 12),
            mlops__col_null(st, 12) ? 0 : (size_t)mlops__col_bytes(st, 12),
        };
#undef RT_TEXT
        msgpack_sbuffer b;
        msgpack_sbuffer_init(&b);
        TU_OK(mlops__audit_encode(&b, &r));
        unsigned char *buf = malloc(32 + b.size);
        memcpy(buf, prev.bytes, 32);
        memcpy(buf + 32, b.data, b.size);
        TU_OK(mlops_digest_compute(buf, 32 + b.size, &prev));
        seqs[k] = r.seq;
        hashes[k++] = prev;
        free(buf);
        msgpack_sbuffer_destroy(&b);
    }
    mlops__stmt_finalize(st);
    TU_OK(mlops__conn_prepare(c, "UPDATE audit_events SET hash = ?2 WHERE seq = ?1", &st));
    TU_OK(mlops__conn_begin(c, 1));
    for (int64_t i = 0; i < k; i++) {
        TU_OK(mlops__bind_int64(c, st, 1, seqs[i]));
        TU_OK(mlops__bind_blob(c, st, 2, hashes[i].bytes, 32));
        ck_assert_int_eq(mlops__step(st), MLOPS__DONE);
        mlops__reset(st);
    }
    TU_OK(mlops__conn_commit(c));
    mlops__stmt_finalize(st);
    free(seqs);
    free(hashes);
    tu_db_close(db);
}

/* Makes the store at dir what libmlops 1.0 would have written: schema
 * version 1 (without version 3's evaluation tables and tx_requests, and
 * version 2's audit columns), events in format 1 (none may have a payload). */
/* Turns the SQLite store at dir back into a format 3 store: the tables
 * and the column of format 4 go (every alias must be plain), and the
 * monitors of format 5. */
static inline void rt_make_v3_store(const char *dir)
{
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM reg_aliases WHERE split IS NOT NULL"),
                     0);
    rt_shell(dir, "DROP TABLE mon_window_confusion; DROP TABLE mon_predictions;"
                  "DROP TABLE mon_label_settings;"
                  "DROP TABLE mon_events; DROP TABLE mon_window_metrics;"
                  "DROP TABLE mon_window_columns; DROP TABLE mon_windows;"
                  "DROP TABLE mon_columns; DROP TABLE mon_monitors;"
                  "DROP TABLE reg_gates;"
                  "DROP TABLE reg_alias_salts;"
                  "ALTER TABLE reg_aliases DROP COLUMN split;"
                  "PRAGMA user_version = 3;");
}

static inline void rt_make_v1_store(const char *dir)
{
    rt_make_v3_store(dir);
    ck_assert_int_eq(rt_db_int(dir, "SELECT count(*) FROM audit_events WHERE payload IS NOT NULL"),
                     0);
    rt_shell(dir, "DROP TABLE reg_evaluation_metrics;"
                  "DROP TABLE reg_evaluations;"
                  "DROP TABLE tx_requests;"
                  "DROP INDEX audit_events_state;"
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
    o.actor = tu_actor("tester");
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    return s;
}

#endif
