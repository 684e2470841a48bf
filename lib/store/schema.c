#include "registry/registry_internal.h"
#include "monitor/monitor_internal.h"
#include "store/schema.h"
#include "cas/removals.h"
#include "cas/cas_internal.h"
#include "store/store_internal.h"
#include "track/track_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

/* Version 1, the store's own part: key/value facts fixed at creation. */
static const char store_schema_v1[] =
    "CREATE TABLE meta("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;";

/* Version 1 is the union of every subsystem's tables, created in this
 * order. It shipped with 1.0 and is frozen: a change to any part is a new
 * version with its own migration below, never an edit here. */
static const char *const schema_v1_parts[] = {
    store_schema_v1,
    mlops__cas_schema_v1,
    mlops__track_schema_v1,
    mlops__registry_schema_v1,
};

static int create_v1(mlops__conn *c)
{
    for (size_t i = 0; i < sizeof schema_v1_parts / sizeof schema_v1_parts[0]; i++) {
        int rc = mlops__conn_exec(c, schema_v1_parts[i]);
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* Version 3, the store's own part: the request ids of write transactions
 * on PostgreSQL (lib/store/store.c, "Transactions, retried"), so that a
 * retry after a lost COMMIT acknowledgement can tell whether the first
 * attempt committed. An id is the call's start time and a random
 * number: the key grows with time, so new ids go at the index's end and
 * old ones are pruned as one range, with no second index. SQL that both
 * backends run: an existing store of either kind is migrated by it. On
 * SQLite the table stays empty. */
static const char store_schema_v3[] =
    "CREATE TABLE tx_requests("
    "  started_ms BIGINT NOT NULL,"
    "  nonce BIGINT NOT NULL,"
    "  PRIMARY KEY(started_ms, nonce)"
    ");";

/* migrate_to[v] upgrades a database at version v-1 to version v; all the
 * steps an open needs run in the one transaction of migrate(), so a store
 * is at its old version or at the new one, never in between.
 * Version 2: audit events carry the format of their encoding and a
 * payload (lib/registry/schema.c).
 * Version 3: evaluation records of model versions (lib/registry/schema.c)
 * and the request ids of write transactions (tx_requests above).
 * Version 4: promotion gates, the splits of weighted aliases and routing
 * salts (lib/registry/schema.c).
 * Version 5: monitors (lib/monitor/schema.c).
 * Version 6: monitors' packed windows, delayed labels and row windows
 * (lib/monitor/schema.c).
 * Version 7: on PostgreSQL, the indexes and statistics searches plan with
 * (lib/track/schema.c); on SQLite the number alone.
 * Version 8: on PostgreSQL, metric series' (run, key) index covering the
 * last value in place of the UNIQUE constraint's, metric_series_by_key
 * dropped, and an index of live runs (lib/track/schema.c); on SQLite the
 * number alone.
 * Version 9: the meta row chunk_rule, written when a store is created
 * (record_creation_facts); the step itself changes nothing, so a migrated
 * store has no row and keeps cutting by the rule it was made with.
 * Version 10: on PostgreSQL, one row per run of what searches test and
 * sort by, kept by triggers (lib/track/schema_rows.c); on SQLite the
 * number alone.
 * Version 11: on PostgreSQL, search rows written denser (lib/track); on
 * SQLite the number alone.
 * Version 12: object removals that puts' commits look at
 * (lib/cas/removals.h).
 * A step runs on either backend: a PostgreSQL store made at version 2 (a
 * new one is created at 2, lib/db/postgres/schema.c) is brought forward by
 * the same steps, each picking its DDL by dialect. */
static int migrate_v3(mlops__conn *c)
{
    int rc = mlops__registry_migrate_v3(c);
    return rc ? rc : mlops__conn_exec(c, store_schema_v3);
}

/* One step, two features of format 6: packed windows and delayed labels. */
static int migrate_v6(mlops__conn *c)
{
    int rc = mlops__monitor_schema_v6_windows(c);
    return rc ? rc : mlops__monitor_schema_v6_labels(c);
}

/* Format 9 adds only a meta row of new stores: nothing to migrate. */
static int migrate_v9(mlops__conn *c)
{
    (void)c;
    return MLOPS_OK;
}

typedef int (*migration_fn)(mlops__conn *c);
static const migration_fn migrate_to[] = { NULL, create_v1, mlops__registry_migrate_v2,
                                           migrate_v3, mlops__registry_migrate_v4,
                                           mlops__monitor_migrate_v5, migrate_v6,
                                           mlops__track_migrate_v7, mlops__track_migrate_v8, migrate_v9,
                                           mlops__track_migrate_v10, mlops__track_migrate_v11,
                                           mlops__cas_migrate_v12 };

_Static_assert(sizeof migrate_to / sizeof migrate_to[0] == MLOPS__FORMAT_VERSION + 1,
               "one migration per format version");

/* A version this library cannot read. */
static int check_version(int version, const char *path)
{
    if (version > MLOPS__FORMAT_VERSION)
        return mlops__err(MLOPS_EUNSUPPORTED,
                          "store '%s' has format version %d; this library (%s) reads "
                          "format version %d and older",
                          path, version, MLOPS_VERSION_STRING, MLOPS__FORMAT_VERSION);
    return MLOPS_OK;
}

static int insert_meta(mlops__conn *c, const char *key, const char *value)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "INSERT INTO meta(key, value) VALUES (?1, ?2)", &st);
    if (rc) return rc;
    rc = mlops__bind_text(c, st, 1, key);
    if (!rc) rc = mlops__bind_text(c, st, 2, value);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording store facts");
    return rc;
}

static int record_creation_facts(mlops__conn *c, const mlops_store_opts *opts)
{
    char buf[64];
    unsigned char id[16];
    char id_hex[33];
    int rc = mlops__random_bytes(id, sizeof id);
    if (rc) return rc;
    mlops__hex_encode(id, sizeof id, id_hex);
    rc = insert_meta(c, "store_id", id_hex);
    snprintf(buf, sizeof buf, "%lld", (long long)mlops__now_ms());
    if (!rc) rc = insert_meta(c, "created_ms", buf);
    snprintf(buf, sizeof buf, "%u", opts->chunk_min_size);
    if (!rc) rc = insert_meta(c, "chunk_min_size", buf);
    snprintf(buf, sizeof buf, "%u", opts->chunk_avg_size);
    if (!rc) rc = insert_meta(c, "chunk_avg_size", buf);
    snprintf(buf, sizeof buf, "%u", opts->chunk_max_size);
    if (!rc) rc = insert_meta(c, "chunk_max_size", buf);
    /* Since format 9 a new store cuts by normalized chunking level 1,
     * whose cuts fall back onto the old ones sooner after an edit
     * (lib/cas/chunker.h). */
    if (!rc) rc = insert_meta(c, "chunk_rule", mlops__cdc_rule_name(MLOPS__CDC_GEAR_NC1));
    return rc;
}

static int migrate(mlops__conn *c, const char *path, const mlops_store_opts *opts,
                   int *version_out)
{
    /* The first opener migrates while the others wait, then find the work
     * done. */
    int rc = mlops__db_begin_migration(c);
    if (rc) return rc;
    int version = 0;
    rc = mlops__db_read_format(c, path, &version);
    if (!rc) rc = check_version(version, path);
    /* PostgreSQL creates a new store at its base version in one step; the
     * later steps run as on an older store, so new and migrated stores
     * have the same tables. */
    int base = 0;
    if (!rc && version == 0) rc = mlops__db_create_base(c, &base);
    for (int v = (base ? base : version) + 1; !rc && v <= MLOPS__FORMAT_VERSION; v++)
        rc = migrate_to[v](c);
    if (!rc && version == 0) rc = record_creation_facts(c, opts);
    if (!rc && version != MLOPS__FORMAT_VERSION) rc = mlops__db_write_format(c, MLOPS__FORMAT_VERSION);
    if (!rc) rc = mlops__conn_commit(c);
    else mlops__conn_rollback(c);
    if (!rc) *version_out = MLOPS__FORMAT_VERSION;
    return rc;
}

int mlops__schema_prepare(mlops__conn *c, const char *path, int read_only,
                          const mlops_store_opts *opts, int *version_out)
{
    int version = 0;
    int rc = mlops__db_read_format(c, path, &version);
    if (!rc) rc = check_version(version, path);
    if (rc) return rc;
    if (version == MLOPS__FORMAT_VERSION) {
        *version_out = version;
        return MLOPS_OK;
    }
    if (read_only) {
        if (version == 0)
            return mlops__err(MLOPS_ENOTFOUND, "'%s' is not an initialised store", path);
        return mlops__err(MLOPS_EUNSUPPORTED,
                          "store '%s' has format version %d and needs migrating to %d; "
                          "open it read-write once",
                          path, version, MLOPS__FORMAT_VERSION);
    }
    return migrate(c, path, opts, version_out);
}
