-- For benchmarks/pg/search_layout.sh (issue 16): builds, beside a filled
-- store schema :src, a schema :dst holding the physical design a store
-- format 10 could give searches on PostgreSQL, so that its queries can be
-- timed against the store's own on the same server and data:
--   facet(id, kind, key, value)  every short param ('p') and tag ('t')
--                                (key, value) pair, numbered;
--   mkey(id, key)                every metric key, numbered;
--   run_row(run, deleted_ms, facets int[], mlast float8[])
--                                one row per run: the ids of its pairs
--                                (GIN-indexed) and its metrics' last
--                                values, mlast[mkey.id] (NULL: missing or
--                                NaN, as metric_series.last).
-- A search then reads one bitmap of run_row (the equality and LIKE
-- clauses on params and tags, intersected inside the GIN index) and tests
-- and sorts by the metric values on the same rows, instead of joining one
-- index per clause. Nothing here changes :src.
-- psql -v src=SCHEMA -v dst=SCHEMA_layout -f search_layout.sql
\set ON_ERROR_STOP on
SET jit = off;
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS :"dst" CASCADE;
CREATE SCHEMA :"dst";
SET search_path TO :"dst";
CREATE TABLE facet AS SELECT (row_number() OVER (ORDER BY kind, key, value))::int AS id, kind, key, value
    FROM (SELECT DISTINCT 'p'::text AS kind, key, value FROM :"src".run_params WHERE length(value) < 400
          UNION SELECT DISTINCT 't', key, value FROM :"src".run_tags WHERE length(value) < 400) x;
CREATE UNIQUE INDEX facet_by_value ON facet (kind, key, value);
CREATE TABLE mkey AS SELECT (row_number() OVER (ORDER BY key))::int AS id, key
    FROM (SELECT DISTINCT key FROM :"src".metric_series) x;
CREATE TABLE run_row AS
    SELECT r.seq AS run, r.deleted_ms,
           (SELECT array_agg(f.id ORDER BY f.id)
            FROM (SELECT 'p' AS kind, key, value FROM :"src".run_params p WHERE p.run = r.seq
                  UNION ALL SELECT 't', key, value FROM :"src".run_tags t WHERE t.run = r.seq) kv
            JOIN facet f USING (kind, key, value)) AS facets,
           (SELECT array_agg(s.last ORDER BY k.id) FROM mkey k
            LEFT JOIN :"src".metric_series s ON s.run = r.seq AND s.key = k.key) AS mlast
    FROM :"src".runs r;
ALTER TABLE run_row ADD PRIMARY KEY (run);
CREATE INDEX run_row_facets ON run_row USING gin (facets);
VACUUM ANALYZE facet;
VACUUM ANALYZE mkey;
VACUUM ANALYZE run_row;
SELECT 'run_row', count(*), pg_size_pretty(pg_total_relation_size('run_row')) FROM run_row;
