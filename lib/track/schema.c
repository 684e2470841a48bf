/* Schema version 1, experiment records' part (doc/format.md, "Experiment
 * records"). */
#include "track/track_internal.h"
#include "util/str.h"

const char mlops__track_schema_v1[] =
    "CREATE TABLE experiments("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL,"
    "  deleted_ms INTEGER"
    ");"
    "CREATE TABLE experiment_tags("
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY(experiment_id, key)"
    ") WITHOUT ROWID;"
    /* seq is the compact handle that params, tags and metrics hang on;
     * run_id is the public id. */
    "CREATE TABLE runs("
    "  seq INTEGER PRIMARY KEY,"
    "  run_id TEXT NOT NULL UNIQUE CHECK(length(run_id) = 32),"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
    "  name TEXT,"
    "  parent_id TEXT REFERENCES runs(run_id),"
    "  status TEXT NOT NULL CHECK(status IN ('RUNNING','FINISHED','FAILED','KILLED')),"
    "  start_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"
    "  deleted_ms INTEGER"
    ");"
    "CREATE INDEX runs_by_experiment ON runs(experiment_id, start_ms);"
    "CREATE INDEX runs_by_parent ON runs(parent_id) WHERE parent_id IS NOT NULL;"
    /* num: the value parsed as a number when all of it is one, so that a
     * filter can compare params and tags numerically. */
    "CREATE TABLE run_params("
    "  run INTEGER NOT NULL REFERENCES runs(seq),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  num REAL,"
    "  PRIMARY KEY(run, key)"
    ") WITHOUT ROWID;"
    "CREATE INDEX run_params_by_key ON run_params(key, value);"
    "CREATE TABLE run_tags("
    "  run INTEGER NOT NULL REFERENCES runs(seq),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  num REAL,"
    "  PRIMARY KEY(run, key)"
    ") WITHOUT ROWID;"
    "CREATE INDEX run_tags_by_key ON run_tags(key, value);"
    /* One row per (run, key): the series, its summary and its tail (the
     * newest points not yet sealed in a block, so that logging one point
     * rewrites one row). last is NULL when the last value is NaN (SQLite
     * cannot hold NaN); last_bits keeps it exactly. min and max cover
     * non-NaN values (NULL: none). */
    "CREATE TABLE metric_series("
    "  id INTEGER PRIMARY KEY,"
    "  run INTEGER NOT NULL REFERENCES runs(seq),"
    "  key TEXT NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  last REAL,"
    "  last_bits INTEGER NOT NULL,"
    "  last_step INTEGER NOT NULL,"
    "  last_ts INTEGER NOT NULL,"
    "  min REAL,"
    "  max REAL,"
    "  tail BLOB,"
    "  UNIQUE(run, key)"
    ");"
    /* Not on the values: an index on them would be rewritten by every
     * point logged. */
    "CREATE INDEX metric_series_by_key ON metric_series(key);"
    /* Sealed blocks of points (lib/track/metric_internal.h). */
    "CREATE TABLE metric_blocks("
    "  id INTEGER PRIMARY KEY,"
    "  series INTEGER NOT NULL REFERENCES metric_series(id),"
    "  first_step INTEGER NOT NULL,"
    "  last_step INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  data BLOB NOT NULL"
    ");"
    "CREATE INDEX metric_blocks_by_series ON metric_blocks(series, first_step, last_step);"
    /* Lineage: what a run read (direction 0) and wrote (1), by digest.
     * Outputs are gc roots (lib/cas/gc_roots.c). */
    "CREATE TABLE run_lineage("
    "  run INTEGER NOT NULL REFERENCES runs(seq),"
    "  direction INTEGER NOT NULL CHECK(direction IN (0, 1)),"
    "  digest BLOB NOT NULL CHECK(length(digest) = 32),"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(run, direction, digest, name)"
    ") WITHOUT ROWID;"
    "CREATE INDEX run_lineage_by_digest ON run_lineage(digest, direction);";

/* Format 7, PostgreSQL: what a search needs to be planned well at 100,000
 * runs (doc/search.md, "On PostgreSQL"; doc/format.md).
 * - metric_series(key, last, run): a metric clause is a range of this
 *   index read without the table, and an order by a metric's last value
 *   can walk it. It makes an update of a series (one per key per batch
 *   logged) a non-HOT one, which writes its index entries again.
 * - run_params and run_tags (key, value, run) for values shorter than
 *   MLOPS__PG_SHORT_VALUE characters (a B-tree entry holds 2704 bytes and
 *   a value may hold 8000): an equality on such a value, rendered with
 *   that length bound, is a range of this index read without the table.
 * - Statistics of (key, value) together: each key has its own values, and
 *   the planner, multiplying the two frequencies, took a clause for 10x
 *   rarer than it was. From PostgreSQL 14 on, also statistics of the
 *   values' length, for the length bound's share of rows (without them
 *   the planner guesses a third).
 * - ANALYZE, so that a migrated store plans with them at once.
 * IF NOT EXISTS: a schema whose owner made any of them by hand migrates. */
static const char track_v7_postgres[] =
    "CREATE INDEX IF NOT EXISTS metric_series_by_value ON metric_series(key, last, run);"
    "CREATE INDEX IF NOT EXISTS run_params_by_value ON run_params(key, value, run)"
    "  WHERE length(value) < " MLOPS__STR(MLOPS__PG_SHORT_VALUE) ";"
    "CREATE INDEX IF NOT EXISTS run_tags_by_value ON run_tags(key, value, run)"
    "  WHERE length(value) < " MLOPS__STR(MLOPS__PG_SHORT_VALUE) ";"
    "CREATE STATISTICS IF NOT EXISTS run_params_key_value (mcv, dependencies)"
    "  ON key, value FROM run_params;"
    "CREATE STATISTICS IF NOT EXISTS run_tags_key_value (mcv, dependencies)"
    "  ON key, value FROM run_tags;"
    "DO $$ BEGIN"
    "  IF current_setting('server_version_num')::int >= 140000 THEN"
    "    EXECUTE 'CREATE STATISTICS IF NOT EXISTS run_params_value_length"
    "      ON (length(value)) FROM run_params';"
    "    EXECUTE 'CREATE STATISTICS IF NOT EXISTS run_tags_value_length"
    "      ON (length(value)) FROM run_tags';"
    "  END IF;"
    "END $$;"
    "ANALYZE runs, run_params, run_tags, metric_series;";

int mlops__track_migrate_v7(mlops__conn *c)
{
    if (mlops__conn_dialect(c) != MLOPS__POSTGRES) return MLOPS_OK;
    return mlops__conn_exec(c, track_v7_postgres);
}

/* Format 8, PostgreSQL: what a search still read from the tables at
 * 100,000 runs, read from indexes instead (doc/search.md, "On
 * PostgreSQL"; doc/format.md; benchmarks/pg/RESULTS).
 * - metric_series(run, key) INCLUDE (last), unique, in place of the
 *   UNIQUE(run, key) constraint's index: a metric sort key (one probe per
 *   run that passes the filter) and a metric clause tested run by run are
 *   read without the table. An update of a series is already a non-HOT one
 *   (format 7 indexes last), so carrying last costs no new index write.
 * - metric_series_by_key(key) dropped: metric_series_by_value(key, last,
 *   run) of format 7 serves every lookup by key, and one index fewer is
 *   one write fewer for each series a batch updates; so the table keeps
 *   three indexes, one fewer than format 7.
 * - runs(seq) WHERE deleted_ms IS NULL: the test that a run is not
 *   deleted, made once per run that passes the filter, reads this index
 *   alone. Only the runs' creation and deletion write it (deleted_ms is
 *   the only column it names besides seq), so ending a run or setting its
 *   status stays a HOT update.
 * - run_params and run_tags (key) for values of MLOPS__PG_SHORT_VALUE
 *   characters or more: a search asks, in its snapshot, whether a key it
 *   tests holds such a value (one probe of an index that is empty in most
 *   stores); when none, its tests of that key, a LIKE too, say so with
 *   the length bound and read format 7's partial index without the table.
 *   Only long values are written to it; value is already an indexed
 *   column (format 7), so no update loses HOT for it.
 * The unique index is made before the constraint is dropped, so the pair
 * (run, key) is never unguarded; IF [NOT] EXISTS: a schema whose owner
 * made any of them by hand migrates. */
static const char track_v8_postgres[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS metric_series_by_run ON metric_series(run, key)"
    "  INCLUDE (last);"
    "ALTER TABLE metric_series DROP CONSTRAINT IF EXISTS metric_series_run_key_key;"
    "DROP INDEX IF EXISTS metric_series_by_key;"
    "CREATE INDEX IF NOT EXISTS runs_live ON runs(seq) WHERE deleted_ms IS NULL;"
    "CREATE INDEX IF NOT EXISTS run_params_long_values ON run_params(key)"
    "  WHERE length(value) >= " MLOPS__STR(MLOPS__PG_SHORT_VALUE) ";"
    "CREATE INDEX IF NOT EXISTS run_tags_long_values ON run_tags(key)"
    "  WHERE length(value) >= " MLOPS__STR(MLOPS__PG_SHORT_VALUE) ";"
    "ANALYZE runs, metric_series;";

int mlops__track_migrate_v8(mlops__conn *c)
{
    if (mlops__conn_dialect(c) != MLOPS__POSTGRES) return MLOPS_OK;
    return mlops__conn_exec(c, track_v8_postgres);
}
