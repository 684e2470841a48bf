-- For benchmarks/pg/run.sh with SEARCH_FILL=sql: grows the search data
-- set of benchmarks/search_data.h (runs i = :first .. :n - 1) in a
-- libmlops store on PostgreSQL whose first :first runs were made through
-- the API (bench_pg fill), with the rows the API writes for them:
-- psql -v first=F -v n=N, with search_path set to the store's schema.
-- The metric blocks' bytes (which no search reads) and the system tags
-- are copied from run i = 0; everything a search reads is computed as
-- search_data.h does. Checked at the end: the rows these formulas give
-- for runs 0 .. :first - 1 equal the API's (the counts printed are 0).
BEGIN;
CREATE TEMP TABLE gen ON COMMIT DROP AS
    SELECT i, md5(random()::text || i::text) AS run_id
    FROM generate_series(:first, :n - 1) AS i;
-- run i = 0: its seq, the template of times and system tags
CREATE TEMP TABLE t0 ON COMMIT DROP AS
    SELECT run AS seq FROM metric_series WHERE key = 'acc' AND last_ts = 1700000000000;
INSERT INTO runs(run_id, experiment_id, name, parent_id, status, start_ms, end_ms)
    SELECT g.run_id, r.experiment_id, NULL, NULL, 'FINISHED', r.start_ms + g.i, r.end_ms + g.i
    FROM gen g, runs r WHERE r.seq = (SELECT seq FROM t0) ORDER BY g.i;
CREATE TEMP TABLE m ON COMMIT DROP AS SELECT g.i, r.seq FROM gen g JOIN runs r USING (run_id);
CREATE FUNCTION pg_temp.metric(i bigint, k int) RETURNS float8 IMMUTABLE LANGUAGE sql
    AS 'SELECT ((i * 7919 + k * 104729) % 1000)::float8 / 1000.0::float8';
CREATE FUNCTION pg_temp.metric_key(k int) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$SELECT CASE k WHEN 0 THEN 'acc' WHEN 1 THEN 'loss' ELSE 'm' || k END$$;
CREATE FUNCTION pg_temp.lr(i bigint) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$SELECT (ARRAY['0.001', '0.003', '0.01', '0.03', '0.1'])[i % 5 + 1]$$;
INSERT INTO run_params(run, key, value, num)
    SELECT m.seq, p.key, p.value, p.num FROM m, LATERAL (
        SELECT 'lr' AS key, pg_temp.lr(m.i) AS value, pg_temp.lr(m.i)::float8 AS num
        UNION ALL
        SELECT 'p' || k, 'v' || ((m.i * 31 + k) % 7), NULL FROM generate_series(1, 9) AS k) p
    ORDER BY m.i, p.key;
INSERT INTO run_tags(run, key, value, num)
    SELECT m.seq, t.key, t.value, t.num FROM m, LATERAL (
        SELECT key, value, num FROM run_tags WHERE run = (SELECT seq FROM t0) AND key <> 'team'
        UNION ALL
        SELECT 'team', CASE WHEN m.i % 2 = 1 THEN 'nlp-core' ELSE 'vision-core' END, NULL) t
    ORDER BY m.i, t.key;
INSERT INTO metric_series(run, key, count, last, last_bits, last_step, last_ts, min, max, tail)
    SELECT m.seq, pg_temp.metric_key(k), 1, v,
           ('x' || encode(float8send(v), 'hex'))::bit(64)::bigint, 0, 1700000000000 + m.i, v, v, NULL
    FROM m, generate_series(0, 19) AS k, LATERAL (SELECT pg_temp.metric(m.i, k) AS v) x
    ORDER BY m.i, k;
INSERT INTO metric_blocks(series, first_step, last_step, n, data)
    SELECT s.id, b.first_step, b.last_step, b.n, b.data
    FROM m JOIN metric_series s ON s.run = m.seq
    JOIN metric_series s0 ON s0.run = (SELECT seq FROM t0) AND s0.key = s.key
    JOIN metric_blocks b ON b.series = s0.id
    ORDER BY s.id;
-- The check: what the formulas give for the API's runs, against their rows.
CREATE TEMP TABLE api ON COMMIT DROP AS
    SELECT run AS seq, last_ts - 1700000000000 AS i FROM metric_series
    WHERE key = 'acc' AND last_ts < 1700000000000 + :first;
SELECT 'params differing', count(*) FROM (
    (SELECT api.i, p.key, p.value, p.num FROM api JOIN run_params p ON p.run = api.seq
     EXCEPT
     SELECT api.i, q.key, q.value, q.num FROM api, LATERAL (
        SELECT 'lr' AS key, pg_temp.lr(api.i) AS value, pg_temp.lr(api.i)::float8 AS num
        UNION ALL
        SELECT 'p' || k, 'v' || ((api.i * 31 + k) % 7), NULL FROM generate_series(1, 9) AS k) q)) d;
SELECT 'tags differing', count(*) FROM (
    SELECT api.i, t.key, t.value, t.num FROM api JOIN run_tags t ON t.run = api.seq
    EXCEPT
    SELECT api.i, t.key, t.value, t.num FROM api, LATERAL (
        SELECT key, value, num FROM run_tags WHERE run = (SELECT seq FROM t0) AND key <> 'team'
        UNION ALL
        SELECT 'team', CASE WHEN api.i % 2 = 1 THEN 'nlp-core' ELSE 'vision-core' END, NULL) t) d;
SELECT 'metrics differing', count(*) FROM (
    SELECT api.i, s.key, s.count, s.last, s.last_bits, s.last_step, s.last_ts, s.min, s.max, s.tail
    FROM api JOIN metric_series s ON s.run = api.seq
    EXCEPT
    SELECT api.i, pg_temp.metric_key(k), 1, v, ('x' || encode(float8send(v), 'hex'))::bit(64)::bigint,
           0, 1700000000000 + api.i, v, v, NULL
    FROM api, generate_series(0, 19) AS k, LATERAL (SELECT pg_temp.metric(api.i, k) AS v) x) d;
SELECT 'runs', count(*) FROM runs;
COMMIT;
