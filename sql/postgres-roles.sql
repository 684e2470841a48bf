-- Three roles for a libmlops store on PostgreSQL (doc/shared-stores.md,
-- "Roles"): a reader, a trainer and a registry admin. Run it as a
-- superuser, or as the store's owner (the role that created the store)
-- if it may create roles (CREATEROLE), once per store, and again after
-- an upgrade that adds tables:
--
--   psql -v schema=mlops -f postgres-roles.sql 'postgresql://owner@db/mlops'
--
-- Variables: schema (required) names the store's schema; reader, trainer
-- and admin name the group roles (default mlops_reader, mlops_trainer,
-- mlops_registry_admin). Roles belong to the whole server: stores that
-- must not share their people get roles of their own, e.g.
-- -v reader=vision_reader -v trainer=vision_trainer -v admin=vision_admin.
--
-- The group roles are created NOLOGIN when missing; people log in as
-- their own roles and are made members (GRANT mlops_trainer TO alice).
-- The trainer is a member of the reader, the admin of the trainer, so
-- each section below grants only what a role adds to the one beneath.
-- All of it is one transaction, and it starts by revoking what these
-- roles held on the store's tables: the file is the whole truth, and
-- running it twice changes nothing.
--
-- No role below may UPDATE or DELETE audit_events, TRUNCATE anything, or
-- run DDL: the audit log only grows, and format migrations (a newer
-- library opening the store) need the owner.

\set ON_ERROR_STOP on
\if :{?schema}
\else
  -- An error, so that psql exits with a failure (ON_ERROR_STOP).
  DO $$ BEGIN RAISE EXCEPTION 'name the store''s schema: psql -v schema=NAME -f postgres-roles.sql'; END $$;
\endif
\if :{?reader}
\else
  \set reader mlops_reader
\endif
\if :{?trainer}
\else
  \set trainer mlops_trainer
\endif
\if :{?admin}
\else
  \set admin mlops_registry_admin
\endif

BEGIN;
SET LOCAL client_min_messages TO warning;

-- The checks below read the names from settings: psql does not
-- substitute variables inside a DO block.
SELECT set_config('mlops.roles_schema', :'schema', true) AS roles_schema,
       set_config('mlops.roles_reader', :'reader', true) AS roles_reader \gset

-- The store must exist: grants on a schema that is not a store would
-- hide a typo in its name.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                    WHERE schemaname = current_setting('mlops.roles_schema')
                      AND tablename = 'meta') THEN
        RAISE EXCEPTION 'schema "%" holds no libmlops store',
            current_setting('mlops.roles_schema');
    END IF;
END
$$;

SELECT format('CREATE ROLE %I NOLOGIN', r) FROM unnest(ARRAY[:'reader', :'trainer', :'admin']) AS r
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) \gexec

GRANT :"reader" TO :"trainer";
GRANT :"trainer" TO :"admin";

SET LOCAL search_path TO :"schema";
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"reader", :"trainer", :"admin";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM :"reader", :"trainer", :"admin";
GRANT USAGE ON SCHEMA :"schema" TO :"reader";

-- gc keeps its lists in temporary tables. PUBLIC may create them unless
-- the database's administrator took that away; the admin needs it.
SELECT format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), :'admin') \gexec

-- One section per table: what the reader, the trainer and the admin may
-- do to it. Identity columns draw from their sequences without a grant.
-- Column lists are the columns the library's own statements change, so
-- that a trainer's UPDATE cannot reach the rest.

-- meta: the store's facts, fixed at creation.
GRANT SELECT ON meta TO :"reader";

-- Content-addressed store. A trainer puts artifacts (new rows, and a
-- fresher touched_ms for content put again or referenced); gc (admin)
-- deletes, fsck (admin) records verified_ms. Chunks and a tree's
-- children go with their content (ON DELETE CASCADE runs as the owner).
GRANT SELECT ON cas_object TO :"reader";
GRANT INSERT, UPDATE (stored, encoding, touched_ms) ON cas_object TO :"trainer";
GRANT UPDATE (verified_ms), DELETE ON cas_object TO :"admin";

-- Object removals (format 12): gc and fsck (admin) record each removal
-- of object files; every put reads them (doc/format.md, "Object
-- removals").
GRANT SELECT ON cas_removing, cas_removals TO :"reader";
GRANT INSERT, DELETE ON cas_removing TO :"admin";
GRANT UPDATE (done) ON cas_removals TO :"admin";

GRANT SELECT ON cas_content TO :"reader";
GRANT INSERT, UPDATE (touched_ms) ON cas_content TO :"trainer";
GRANT DELETE ON cas_content TO :"admin";

GRANT SELECT ON cas_chunk TO :"reader";
GRANT INSERT ON cas_chunk TO :"trainer";

GRANT SELECT ON cas_tree_child TO :"reader";
GRANT INSERT ON cas_tree_child TO :"trainer";

-- References name content and keep it from gc: a trainer sets and moves
-- them, the admin deletes them.
GRANT SELECT ON cas_ref TO :"reader";
GRANT INSERT, UPDATE (digest, updated_ms) ON cas_ref TO :"trainer";
GRANT DELETE ON cas_ref TO :"admin";

-- Experiments: a trainer creates, renames and tags them; deleting and
-- restoring (deleted_ms) is the admin's.
GRANT SELECT ON experiments TO :"reader";
GRANT INSERT, UPDATE (name, updated_ms) ON experiments TO :"trainer";
GRANT UPDATE (deleted_ms) ON experiments TO :"admin";

GRANT SELECT ON experiment_tags TO :"reader";
GRANT INSERT, UPDATE (value), DELETE ON experiment_tags TO :"trainer";

-- Runs: a trainer starts and ends them (status, end_ms) and logs params,
-- tags, metrics and lineage; deleting and restoring is the admin's.
GRANT SELECT ON runs TO :"reader";
GRANT INSERT, UPDATE (status, end_ms) ON runs TO :"trainer";
GRANT UPDATE (deleted_ms) ON runs TO :"admin";

GRANT SELECT ON run_params TO :"reader";
GRANT INSERT ON run_params TO :"trainer";

GRANT SELECT ON run_tags TO :"reader";
GRANT INSERT, UPDATE (value, num), DELETE ON run_tags TO :"trainer";

GRANT SELECT ON metric_series TO :"reader";
GRANT INSERT, UPDATE (count, last, last_bits, last_step, last_ts, min, max, tail)
  ON metric_series TO :"trainer";

GRANT SELECT ON metric_blocks TO :"reader";
GRANT INSERT ON metric_blocks TO :"trainer";

GRANT SELECT ON run_lineage TO :"reader";
GRANT INSERT ON run_lineage TO :"trainer";

-- Search rows and their dictionaries (format 10): derived from runs,
-- params, tags and metrics by triggers that run as the store's owner
-- (SECURITY DEFINER), so a trainer's writes keep them current without any
-- grant here and no role can write them directly; readers search them.
GRANT SELECT ON search_rows, search_facets, search_metric_keys TO :"reader";

-- Models: a trainer creates, describes and tags them; renaming and
-- deleting is the admin's.
GRANT SELECT ON reg_models TO :"reader";
GRANT INSERT, UPDATE (description, updated_ms) ON reg_models TO :"trainer";
GRANT UPDATE (name, deleted_ms) ON reg_models TO :"admin";

GRANT SELECT ON reg_model_tags TO :"reader";
GRANT INSERT, UPDATE (value), DELETE ON reg_model_tags TO :"trainer";

-- Versions: a trainer creates (an INSERT: the number, artifact, run and
-- creator are fixed from then on), describes and tags them; the status
-- (ready, archived) and deleting are the admin's.
GRANT SELECT ON reg_versions TO :"reader";
GRANT INSERT, UPDATE (description, updated_ms) ON reg_versions TO :"trainer";
GRANT UPDATE (status, deleted_ms, delete_seq) ON reg_versions TO :"admin";

GRANT SELECT ON reg_version_tags TO :"reader";
GRANT INSERT, UPDATE (value), DELETE ON reg_version_tags TO :"trainer";

-- Aliases (which version serves as "production"): the admin's alone.
GRANT SELECT ON reg_aliases TO :"reader";
GRANT INSERT, UPDATE (version_id, updated_ms, event_seq, split), DELETE ON reg_aliases
  TO :"admin";

-- Signing policies (which keys an alias requires): the admin's alone.
GRANT SELECT ON reg_policy_keys TO :"reader";
GRANT INSERT, DELETE ON reg_policy_keys TO :"admin";

-- Signatures: a trainer (a release pipeline) signs versions. A signature
-- counts toward a policy only when its key is one the admin trusts.
GRANT SELECT ON reg_signatures TO :"reader";
GRANT INSERT ON reg_signatures TO :"trainer";

-- Evaluations (format 3): an evaluation pipeline records a version's
-- metrics on a dataset; records are never changed or removed.
GRANT SELECT ON reg_evaluations, reg_evaluation_metrics TO :"reader";
GRANT INSERT ON reg_evaluations, reg_evaluation_metrics TO :"trainer";

-- Gates (format 4): which conditions a version must meet before an
-- alias may point at it are the admin's to set, as aliases are. Routing
-- salts are made with an alias's first setting and never change.
GRANT SELECT ON reg_gates TO :"reader";
GRANT INSERT, UPDATE (conditions, dataset, updated_ms, event_seq), DELETE ON reg_gates TO :"admin";
GRANT SELECT ON reg_alias_salts TO :"reader";
GRANT INSERT ON reg_alias_salts TO :"admin";

-- Monitors (format 5): the registry admin creates and deletes monitors;
-- trainers ingest production data (windows and their profiles) and run
-- checks (judgments, the alert's state and its events); readers read.
GRANT SELECT ON mon_monitors, mon_columns, mon_windows, mon_window_columns,
                mon_window_metrics, mon_events TO :"reader";
GRANT INSERT, UPDATE ON mon_windows, mon_window_columns, mon_window_metrics TO :"trainer";
GRANT UPDATE (judged_to_ms, state, history, history_count, streak, windows_judged, last_seq)
      ON mon_monitors TO :"trainer";
GRANT INSERT ON mon_events TO :"trainer";
GRANT INSERT, DELETE ON mon_monitors, mon_columns TO :"admin";
GRANT DELETE ON mon_windows, mon_window_columns, mon_window_metrics, mon_events TO :"admin";

-- Monitors' delayed labels and row windows (format 6): the admin creates a
-- monitor's settings with it; trainers record predictions as they ingest,
-- number rows of row windows, and ingest labels (marking predictions
-- labeled, adding to windows' confusion counts, counting unknown ids).
GRANT SELECT ON mon_label_settings, mon_predictions, mon_window_confusion TO :"reader";
GRANT UPDATE (rows_assigned, unknown_labels) ON mon_label_settings TO :"trainer";
GRANT INSERT ON mon_predictions TO :"trainer";
GRANT UPDATE (labeled) ON mon_predictions TO :"trainer";
GRANT INSERT, UPDATE ON mon_window_confusion TO :"trainer";
GRANT INSERT, DELETE ON mon_label_settings TO :"admin";
GRANT DELETE ON mon_predictions, mon_window_confusion TO :"admin";

-- Request ids (format 3): every write transaction records one with its
-- COMMIT and now and then prunes old ones (doc/shared-stores.md,
-- "Failures"); a reader never writes.
GRANT SELECT ON tx_requests TO :"reader";
GRANT INSERT, DELETE ON tx_requests TO :"trainer";

-- The audit log: every registry change appends an event (the chain's
-- head is its last row, read, never stored apart). Appending only: no
-- role may rewrite or delete an event.
GRANT SELECT ON audit_events TO :"reader";
GRANT INSERT ON audit_events TO :"trainer";

-- Every table of the store must have its section above: a table added by
-- a newer format and forgotten here would be one no reader can read.
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(tablename, ', ' ORDER BY tablename) INTO missing
      FROM pg_catalog.pg_tables
     WHERE schemaname = current_setting('mlops.roles_schema')
       AND NOT has_table_privilege(current_setting('mlops.roles_reader'),
                                   format('%I.%I', schemaname, tablename), 'SELECT');
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'postgres-roles.sql has no section for table(s) %', missing;
    END IF;
END
$$;

COMMIT;
