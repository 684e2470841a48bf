/* Internal interface of experiment records (include/mlops/track.h): what
 * other subsystems may call, and what the files of lib/track share. */
#ifndef MLOPS_TRACK_INTERNAL_H
#define MLOPS_TRACK_INTERNAL_H

#include "mlops/track.h"
#include "db/db.h"

/* ---- For other subsystems ---------------------------------------------- */

/* This subsystem's part of schema version 1 (listed in lib/store/schema.c). */
extern const char mlops__track_schema_v1[];

/* Format 7: on PostgreSQL, the indexes and statistics that searches plan
 * with (lib/track/schema.c); nothing on SQLite. */
int mlops__track_migrate_v7(mlops__conn *c);

/* Format 8: on PostgreSQL, the covering (run, key) index of metric series
 * and the index of live runs, so that a search's sort keys and runs test
 * read no table (lib/track/schema.c); nothing on SQLite. */
int mlops__track_migrate_v8(mlops__conn *c);

/* Format 10, PostgreSQL: the search rows and the triggers keeping them
 * (lib/track/schema_rows.c); on SQLite nothing. */
int mlops__track_migrate_v10(mlops__conn *c);

/* Format 11, PostgreSQL: search rows are not rewritten unchanged
 * (lib/track/schema_rows.c); on SQLite nothing. */
int mlops__track_migrate_v11(mlops__conn *c);

/* On PostgreSQL a param's or tag's value shorter than this many characters
 * is in the (key, value, run) index of format 7: a B-tree entry holds at
 * most 2704 bytes, and 399 characters of UTF-8 and a key of MLOPS_KEY_MAX
 * bytes fit. The search renderer names the same bound (filter_sql.c). */
#define MLOPS__PG_SHORT_VALUE 400

/* Whether a run with this id exists (soft-deleted runs count: they can be
 * restored), read through the caller's connection, so inside the caller's
 * transaction. run_id must be 32 lowercase hex digits.
 * Returns MLOPS_OK with *exists 0 or 1; MLOPS_EINVAL (with a message) for
 * a NULL argument or a malformed id (naming fn, the public caller); a
 * mapped SQLite error otherwise. */
int mlops__run_exists(mlops__conn *c, const char *fn, const char *run_id, int *exists);

/* ---- Shared inside lib/track -------------------------------------------- */

struct mlops_run {
    mlops_store *store;
    int64_t seq;           /* runs.seq: the row the run's data hangs on */
    int64_t experiment_id;
    char id[MLOPS_RUN_ID_LEN + 1];
};

/* 1 when s is exactly 32 lowercase hex digits. */
int mlops__track_run_id_valid(const char *s);
/* MLOPS_EINVAL naming func unless run_id is well formed. */
int mlops__track_check_run_id(const char *func, const char *run_id);
/* Checks a key (param, tag, metric): see mlops__check_name. */
int mlops__track_check_key(const char *func, const char *what, const char *key);
/* Checks a value: not NULL, at most max bytes, valid UTF-8. */
int mlops__track_check_value(const char *func, const char *what, const char *value, size_t max);

/* Looks a run up by id: its seq (and, when not NULL, experiment id).
 * MLOPS_ENOTFOUND with a message naming func and the id when absent. */
int mlops__track_run_seq(mlops__conn *c, const char *func, const char *run_id, int64_t *seq,
                         int64_t *experiment_id);

/* Inside a write transaction: refuses writes to a run that is deleted
 * (MLOPS_ECONFLICT), or, when need_running, that has ended
 * (MLOPS_ECONFLICT). MLOPS_ENOTFOUND when the row is gone. */
int mlops__track_run_writable(mlops__conn *c, const mlops_run *r, const char *func,
                              int need_running);

/* Confirms experiment id exists (MLOPS_ENOTFOUND naming func otherwise);
 * *deleted tells whether it is soft-deleted. */
int mlops__track_experiment_state(mlops__conn *c, const char *func, int64_t id, int *deleted);

/* The i-th of n (key, value) pairs into *key and *value (either may be
 * NULL); MLOPS_EINVAL naming func when i is not below n. */
int mlops__track_kv_at(const char *func, const mlops_kv *kv, size_t n, size_t i,
                       const char **key, const char **value);
/* The value of key among n pairs sorted by key (byte order), or NULL. */
const char *mlops__track_kv_find(const mlops_kv *kv, size_t n, const char *key);

/* List objects (lib/track/lists.c) taking ownership of an array of n
 * snapshots allocated with malloc: on success *out owns them; on failure
 * (MLOPS_ENOMEM) they are freed. */
int mlops__experiments_new(mlops_experiment **items, size_t n, mlops_experiments **out);
int mlops__run_infos_new(mlops_run_info **items, size_t n, mlops_run_infos **out);

/* Status text as stored <-> MLOPS_RUN_* value (-1 when unknown). */
int mlops__track_status_from_name(const char *name);

/* 1 and *out when text is wholly a finite decimal number ("1", "-2.5e3"),
 * else 0. Params and tags keep this beside their text for numeric filters. */
int mlops__track_parse_number(const char *text, double *out);
/* Binds that number, or NULL when text is not one. */
int mlops__track_bind_number_or_null(mlops__conn *c, mlops__stmt *st, int idx, const char *text);

#endif
