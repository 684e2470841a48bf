/* Shared fixture of the track suites: a fresh store per test, and helpers
 * that read its database directly (to check what was really written). */
#ifndef MLOPS_TRACK_FIXTURE_H
#define MLOPS_TRACK_FIXTURE_H

#include "testutil.h"
#include "tu_db.h"

#include "store/store_internal.h"

#include <mlops.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *g_dir;
static mlops_store *g_store;

static inline void setup(void)
{
    g_dir = tu_tmpdir();
    TU_OK(mlops_store_open(g_dir, NULL, &g_store));
}

static inline void teardown(void)
{
    mlops_store_close(g_store);
    g_store = NULL;
    tu_rmrf(g_dir);
    free(g_dir);
    g_dir = NULL;
}

/* One integer from the store's database, read with a separate connection. */
static inline int64_t db_int(const char *sql)
{
    return tu_sql_int64(g_dir, sql);
}

/* A new experiment and a RUNNING run in it. */
static inline mlops_run *new_run(const char *experiment)
{
    mlops_experiment *e = NULL;
    int64_t id;
    if (mlops_experiment_get_by_name(g_store, experiment, &e) == MLOPS_OK) {
        id = mlops_experiment_id(e);
        mlops_experiment_free(e);
    } else {
        TU_OK(mlops_experiment_create(g_store, experiment, &id));
    }
    mlops_run *r;
    TU_OK(mlops_run_start(g_store, id, NULL, &r));
    return r;
}

static inline uint64_t bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static inline double double_of(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Marks the closed store as made at `format` (db, its database, is
 * closed here), then: a read-only open is refused, and a read-write one
 * migrates it to the current format (g_store). */
static inline void reopen_from_format(tu_db *db, int pg, int format)
{
    char sql[96];
    snprintf(sql, sizeof sql,
             pg ? "UPDATE meta SET value = '%d' WHERE key = 'format_version'" : "PRAGMA user_version = %d",
             format);
    tu_db_exec(db, sql);
    tu_db_close(db);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = 1;
    TU_RC(MLOPS_EUNSUPPORTED, mlops_store_open(g_dir, &o, &g_store));
    TU_OK(mlops_store_open(g_dir, NULL, &g_store));
    int v = 0;
    TU_OK(mlops_store_format_version(g_store, &v));
    ck_assert_int_eq(v, MLOPS__FORMAT_VERSION);
}

#endif
