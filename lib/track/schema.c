/* Schema version 1, experiment records' part (doc/format.md, "Experiment
 * records"). */
#include "track/track_internal.h"

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
