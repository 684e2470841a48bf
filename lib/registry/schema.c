/* The registry's tables (schema version 1; documented in doc/format.md,
 * section "Model registry"). Rows are never removed: deleting a model or a
 * version marks it, so the history stays whole. */
#include "registry/registry_internal.h"

const char mlops__registry_schema_v1[] =
    /* A name is unique among models that are not deleted. */
    "CREATE TABLE reg_models("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL,"
    "  deleted_ms INTEGER"
    ");"
    "CREATE UNIQUE INDEX reg_models_live_name ON reg_models(name) WHERE deleted_ms IS NULL;"
    "CREATE INDEX reg_models_name ON reg_models(name, id);"

    "CREATE TABLE reg_model_tags("
    "  model_id INTEGER NOT NULL REFERENCES reg_models(id),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY(model_id, key)"
    ") WITHOUT ROWID;"

    /* create_seq / delete_seq: the audit events that created and deleted
     * the version, so that mlops_audit_verify can check the row. */
    "CREATE TABLE reg_versions("
    "  id INTEGER PRIMARY KEY,"
    "  model_id INTEGER NOT NULL REFERENCES reg_models(id),"
    "  number INTEGER NOT NULL,"
    "  artifact BLOB NOT NULL CHECK(length(artifact) = 32),"
    "  run_id TEXT,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  creator TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL,"
    "  deleted_ms INTEGER,"
    "  create_seq INTEGER NOT NULL UNIQUE,"
    "  delete_seq INTEGER,"
    "  UNIQUE(model_id, number)"
    ");"
    /* Garbage-collection roots: the artifacts of versions not deleted. */
    "CREATE INDEX reg_versions_live_artifact ON reg_versions(artifact)"
    "  WHERE deleted_ms IS NULL;"

    "CREATE TABLE reg_version_tags("
    "  version_id INTEGER NOT NULL REFERENCES reg_versions(id),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY(version_id, key)"
    ") WITHOUT ROWID;"

    /* event_seq: the alias.set/alias.move event that put it there. */
    "CREATE TABLE reg_aliases("
    "  model_id INTEGER NOT NULL REFERENCES reg_models(id),"
    "  alias TEXT NOT NULL,"
    "  version_id INTEGER NOT NULL REFERENCES reg_versions(id),"
    "  updated_ms INTEGER NOT NULL,"
    "  event_seq INTEGER NOT NULL,"
    "  PRIMARY KEY(model_id, alias)"
    ") WITHOUT ROWID;"

    /* The keys a signing policy on an alias trusts (raw Ed25519 public keys). */
    "CREATE TABLE reg_policy_keys("
    "  model_id INTEGER NOT NULL REFERENCES reg_models(id),"
    "  alias TEXT NOT NULL,"
    "  fingerprint BLOB NOT NULL CHECK(length(fingerprint) = 32),"
    "  public_key BLOB NOT NULL CHECK(length(public_key) = 32),"
    "  PRIMARY KEY(model_id, alias, fingerprint)"
    ") WITHOUT ROWID;"

    "CREATE TABLE reg_signatures("
    "  version_id INTEGER NOT NULL REFERENCES reg_versions(id),"
    "  fingerprint BLOB NOT NULL CHECK(length(fingerprint) = 32),"
    "  public_key BLOB NOT NULL CHECK(length(public_key) = 32),"
    "  signature BLOB NOT NULL CHECK(length(signature) = 64),"
    "  manifest BLOB NOT NULL,"
    "  signed_ms INTEGER NOT NULL,"
    "  signer TEXT NOT NULL,"
    "  PRIMARY KEY(version_id, fingerprint)"
    ");"

    /* The hash chain: hash = SHA-256(previous hash || canonical msgpack of
     * the other columns). model is the name at the time; model_id follows
     * the model through renames. */
    "CREATE TABLE audit_events("
    "  seq INTEGER PRIMARY KEY,"
    "  time_ms INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  model_id INTEGER NOT NULL,"
    "  model TEXT NOT NULL,"
    "  version INTEGER,"
    "  key TEXT,"
    "  old_value TEXT,"
    "  new_value TEXT,"
    "  reason TEXT,"
    "  hash BLOB NOT NULL"
    ");"
    "CREATE INDEX audit_events_model ON audit_events(model_id, seq);"
    "CREATE INDEX audit_events_key ON audit_events(model_id, key, seq) WHERE key IS NOT NULL;";

/* Version 2: events from here on are written in audit format 2, which adds
 * a payload (doc/format.md, "Audit events"). Events already stored keep
 * format 1 and the bytes their hashes cover, so the chain verifies across
 * the migration. ADD COLUMN with a constant default rewrites no rows; the
 * index reads the log once and holds only the few events verification
 * rebuilds model names and policies from (without it, verify looked up
 * every event of a model to find its last rename). */
int mlops__registry_migrate_v2(mlops__conn *c)
{
    return mlops__conn_exec(c,
                            "ALTER TABLE audit_events ADD COLUMN format INTEGER NOT NULL "
                            "  DEFAULT 1;"
                            "ALTER TABLE audit_events ADD COLUMN payload BLOB;"
                            "CREATE INDEX audit_events_state ON audit_events(action, model_id, seq)"
                            "  WHERE action IN " MLOPS__AUDIT_STATE_ACTIONS ";");
}

/* Version 3: evaluation records (doc/format.md, "Evaluation records"). An
 * evaluation belongs to a version row (deleted or not: rows are never
 * removed) and names the dataset it ran on by digest; its metrics are rows
 * of their own. Values and interval bounds are stored as the 64 bits of
 * the double (value_bits): SQLite stores a NaN REAL as NULL and PostgreSQL
 * keeps NaN but not its payload, and an evaluation must read back
 * bit-exact. low_bits and high_bits are both NULL when no interval was
 * recorded. The index serves "the latest evaluation of a version on a
 * dataset" (promotion gates) and the version's listing. The types differ
 * by backend (see lib/db/postgres/schema.c for the mapping), so the DDL is
 * picked by dialect; the tables are the same. */
static const char evaluations_sqlite[] =
    "CREATE TABLE reg_evaluations("
    "  id INTEGER PRIMARY KEY,"
    "  version_id INTEGER NOT NULL REFERENCES reg_versions(id),"
    "  dataset BLOB NOT NULL CHECK(length(dataset) = 32),"
    "  created_ms INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  reason TEXT"
    ");"
    "CREATE INDEX reg_evaluations_by_version ON reg_evaluations(version_id, dataset, id);"
    "CREATE TABLE reg_evaluation_metrics("
    "  evaluation_id INTEGER NOT NULL REFERENCES reg_evaluations(id),"
    "  name TEXT NOT NULL,"
    "  value_bits INTEGER NOT NULL,"
    "  reason INTEGER NOT NULL,"
    "  low_bits INTEGER,"
    "  high_bits INTEGER,"
    "  PRIMARY KEY(evaluation_id, name)"
    ") WITHOUT ROWID;";

static const char evaluations_postgres[] =
    "CREATE TABLE reg_evaluations("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  version_id BIGINT NOT NULL REFERENCES reg_versions(id),"
    "  dataset BYTEA NOT NULL CHECK(length(dataset) = 32),"
    "  created_ms BIGINT NOT NULL,"
    "  actor TEXT COLLATE \"C\" NOT NULL,"
    "  reason TEXT COLLATE \"C\""
    ");"
    "CREATE INDEX reg_evaluations_by_version ON reg_evaluations(version_id, dataset, id);"
    "CREATE TABLE reg_evaluation_metrics("
    "  evaluation_id BIGINT NOT NULL REFERENCES reg_evaluations(id),"
    "  name TEXT COLLATE \"C\" NOT NULL,"
    "  value_bits BIGINT NOT NULL,"
    "  reason BIGINT NOT NULL,"
    "  low_bits BIGINT,"
    "  high_bits BIGINT,"
    "  PRIMARY KEY(evaluation_id, name)"
    ");";

int mlops__registry_migrate_v3(mlops__conn *c)
{
    return mlops__conn_exec(c, mlops__conn_dialect(c) == MLOPS__POSTGRES ? evaluations_postgres
                                                                        : evaluations_sqlite);
}

/* Version 4: promotion gates and weighted aliases (doc/format.md,
 * "Gates and splits"; doc/gates.md, doc/delivery.md).
 * - reg_gates: an alias's gate. conditions is the canonical text of each
 *   condition (lib/registry/gate.h), one per line in the order given (a
 *   canonical condition never holds a newline); dataset is the 32-byte
 *   digest of the dataset whose evaluations "metrics.X" reads, NULL when
 *   the gate reads the producing run's metrics. event_seq: the
 *   alias.gate.set event that set it.
 * - reg_aliases.split: the canonical split text (lib/registry/split.h,
 *   "3:90,4:10+shadow:5", the shadow included), NULL for a plain alias
 *   (one version at 100%, no shadow). version_id stays the primary leg
 *   (largest share, the lower number on a tie), so readers of 1.0 keep
 *   working. ADD COLUMN without a default rewrites no rows.
 * - reg_alias_salts: the routing salt of (model, alias), made when the
 *   alias is first set and kept for good (deleting and setting the alias
 *   again keeps it), so that a key's route stays where it was. */
static const char gates_sqlite[] =
    "CREATE TABLE reg_gates("
    "  model_id INTEGER NOT NULL REFERENCES reg_models(id),"
    "  alias TEXT NOT NULL,"
    "  conditions TEXT NOT NULL,"
    "  dataset BLOB CHECK(dataset IS NULL OR length(dataset) = 32),"
    "  updated_ms INTEGER NOT NULL,"
    "  event_seq INTEGER NOT NULL,"
    "  PRIMARY KEY(model_id, alias)"
    ") WITHOUT ROWID;"
    "ALTER TABLE reg_aliases ADD COLUMN split TEXT;"
    "CREATE TABLE reg_alias_salts("
    "  model_id INTEGER NOT NULL REFERENCES reg_models(id),"
    "  alias TEXT NOT NULL,"
    "  salt TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(model_id, alias)"
    ") WITHOUT ROWID;";

static const char gates_postgres[] =
    "CREATE TABLE reg_gates("
    "  model_id BIGINT NOT NULL REFERENCES reg_models(id),"
    "  alias TEXT COLLATE \"C\" NOT NULL,"
    "  conditions TEXT COLLATE \"C\" NOT NULL,"
    "  dataset BYTEA CHECK(dataset IS NULL OR length(dataset) = 32),"
    "  updated_ms BIGINT NOT NULL,"
    "  event_seq BIGINT NOT NULL,"
    "  PRIMARY KEY(model_id, alias)"
    ");"
    "ALTER TABLE reg_aliases ADD COLUMN split TEXT COLLATE \"C\";"
    "CREATE TABLE reg_alias_salts("
    "  model_id BIGINT NOT NULL REFERENCES reg_models(id),"
    "  alias TEXT COLLATE \"C\" NOT NULL,"
    "  salt TEXT COLLATE \"C\" NOT NULL,"
    "  created_ms BIGINT NOT NULL,"
    "  PRIMARY KEY(model_id, alias)"
    ");";

int mlops__registry_migrate_v4(mlops__conn *c)
{
    return mlops__conn_exec(c, mlops__conn_dialect(c) == MLOPS__POSTGRES ? gates_postgres
                                                                        : gates_sqlite);
}
