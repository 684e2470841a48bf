"""MLflow's side of benchmarks/pg (run by run.sh, not by the tests).

MLflow 3.x runs as a tracking server (`mlflow server --backend-store-uri
postgresql+psycopg2://...`) on the same PostgreSQL server as libmlops's
store; every figure goes through its REST API with MlflowClient, as a
team's processes would. Each mode prints "result NAME VALUE" lines.

  log URL NPROC NBATCH
      NPROC processes, each with its own run, call log_batch NBATCH times
      with 1,000 metrics (10 keys x 100 steps), released together:
      points/s over the wall time from release to the last one's end.
  fill URL DB NRUNS
      The search data set of bench_pg (runs x 20 metrics x 10 params and a
      tag). Run 0 is made through the API (create_run, log_batch,
      set_terminated); the other runs are written straight into MLflow's
      tables with COPY, as rows generated from run 0's: the script checks
      first that its generator reproduces run 0's rows exactly (runs, tags,
      params, metrics, latest_metrics), so the database holds what
      log_batch would have written, without hours of REST calls.
  search URL REPS
      search_runs with the same three clauses, ORDER BY and max_results=100:
      the median of REPS after one warm-up.
  registry URL NPROC NOPS
      NPROC processes each call create_model_version NOPS times on one
      model, then set_registered_model_alias NOPS times (each its own
      alias, between versions 1 and 2): operations per second of each.

usage: python mlflow_pg.py MODE ARGS...   (DB: a libpq conninfo for psycopg2)
"""
import io
import multiprocessing as mp
import statistics
import sys
import time
import uuid

KEYS10 = ["loss", "acc", "lr", "val_loss", "val_acc", "grad_norm", "epoch", "drift.x", "top5", "f1"]
LRS = ["0.001", "0.003", "0.01", "0.03", "0.1"]
FILTER = "metrics.acc > 0.5 AND params.lr = '0.01' AND tags.team LIKE 'vision%'"
ORDER = ["metrics.loss ASC"]
METRIC_NAMES = ["acc", "loss"] + ["m%d" % k for k in range(2, 20)]


def client(url):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=url, registry_uri=url)


def parallel(nproc, target, args):
    """Starts nproc processes that run target(i, barrier, *args); each
    passes the barrier once set up. Returns the wall time from the release
    to the last one's end."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(nproc + 1)
    procs = [ctx.Process(target=target, args=(i, barrier) + args) for i in range(nproc)]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    for p in procs:
        p.join()
    t = time.perf_counter() - t0
    if any(p.exitcode for p in procs):
        sys.exit("mlflow_pg: a process failed")
    return t


# ---- log ----

def log_worker(i, barrier, url, exp, nbatch):
    from mlflow.entities import Metric

    c = client(url)
    run_id = c.create_run(exp).info.run_id
    ts = 1700000000000
    batches = [[Metric(k, s * 0.001 + j, ts + s, s) for s in range(b * 100, b * 100 + 100)
                for j, k in enumerate(KEYS10)] for b in range(nbatch)]
    barrier.wait()
    for batch in batches:
        c.log_batch(run_id, metrics=batch)


def mode_log(url, nproc, nbatch):
    c = client(url)
    exp = c.create_experiment("bench-log-%s" % uuid.uuid4().hex[:8])
    t = parallel(nproc, log_worker, (url, exp, nbatch))
    print("result mlflow_log_points_per_s %.0f" % (nproc * nbatch * 1000 / t), flush=True)


# ---- fill ----

def metric_value(run, k):
    return ((run * 7919 + k * 104729) % 1000) / 1000.0


def run_rows(i, tmpl, run_uuid, name, start, end):
    """The rows MLflow holds for search run i, modelled on run 0's."""
    run = dict(tmpl)
    run.update(run_uuid=run_uuid, name=name, start_time=start, end_time=end,
               artifact_uri=tmpl["artifact_uri"].replace(tmpl["run_uuid"], run_uuid))
    team = "nlp-core" if i % 2 else "vision-core"
    tags = {("team", team, run_uuid), ("mlflow.runName", name, run_uuid)}
    params = {("lr", LRS[i % 5], run_uuid)} | {
        ("p%d" % k, "v%d" % ((i * 31 + k) % 7), run_uuid) for k in range(1, 10)}
    metrics = {(METRIC_NAMES[k], metric_value(i, k), 1700000000000 + i, run_uuid, 0, False)
               for k in range(20)}
    latest = {(m[0], m[1], m[2], m[4], m[5], m[3]) for m in metrics}
    return run, tags, params, metrics, latest


def stored_rows(cur, run_uuid):
    cur.execute("SELECT * FROM runs WHERE run_uuid = %s", (run_uuid,))
    cols = [d[0] for d in cur.description]
    run = dict(zip(cols, cur.fetchone()))
    out = [run]
    for sql in ("SELECT key, value, run_uuid FROM tags WHERE run_uuid = %s",
                "SELECT key, value, run_uuid FROM params WHERE run_uuid = %s",
                "SELECT key, value, timestamp, run_uuid, step, is_nan FROM metrics "
                "WHERE run_uuid = %s",
                "SELECT key, value, timestamp, step, is_nan, run_uuid FROM latest_metrics "
                "WHERE run_uuid = %s"):
        cur.execute(sql, (run_uuid,))
        out.append(set(cur.fetchall()))
    return out


def copy_rows(cur, table, columns, rows):
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join("\\N" if v is None else repr(v) if isinstance(v, float)
                            else str(v).lower() if isinstance(v, bool) else str(v)
                            for v in r))
        buf.write("\n")
    buf.seek(0)
    cur.copy_expert("COPY %s (%s) FROM STDIN" % (table, ", ".join(columns)), buf)


def mode_fill(url, db, nruns):
    import psycopg2
    from mlflow.entities import Metric, Param

    c = client(url)
    exp = c.create_experiment("bench")
    run0 = c.create_run(exp, tags={"team": "vision-core"}).info.run_id
    params = [Param("lr", LRS[0])] + [Param("p%d" % k, "v%d" % ((0 * 31 + k) % 7))
                                      for k in range(1, 10)]
    metrics = [Metric(METRIC_NAMES[k], metric_value(0, k), 1700000000000, 0) for k in range(20)]
    c.log_batch(run0, metrics=metrics, params=params)
    c.set_terminated(run0)

    conn = psycopg2.connect(db)
    cur = conn.cursor()
    stored = stored_rows(cur, run0)
    tmpl = stored[0]
    mine = run_rows(0, tmpl, run0, tmpl["name"], tmpl["start_time"], tmpl["end_time"])
    if mine[0] != tmpl or list(mine[1:]) != stored[1:]:
        sys.exit("mlflow_pg: the generated rows of run 0 differ from MLflow's:\n%r\n%r"
                 % (mine, stored))
    t0 = time.perf_counter()
    cols = list(tmpl.keys())
    now = tmpl["start_time"]
    chunk = 5000
    for base in range(1, nruns, chunk):
        runs, tags, prms, mets, lats = [], [], [], [], []
        for i in range(base, min(nruns, base + chunk)):
            u = uuid.uuid4().hex
            run, t, p, m, lm = run_rows(i, tmpl, u, "bench-%d" % i, now + i, now + i + 1)
            runs.append([run[k] for k in cols])
            tags += t
            prms += p
            mets += m
            lats += lm
        copy_rows(cur, "runs", cols, runs)
        copy_rows(cur, "tags", ["key", "value", "run_uuid"], tags)
        copy_rows(cur, "params", ["key", "value", "run_uuid"], prms)
        copy_rows(cur, "metrics", ["key", "value", "timestamp", "run_uuid", "step", "is_nan"], mets)
        copy_rows(cur, "latest_metrics",
                  ["key", "value", "timestamp", "step", "is_nan", "run_uuid"], lats)
        conn.commit()
    conn.close()
    print("# mlflow fill: %d runs (run 0 through the API, the rest by COPY) in %.1f s"
          % (nruns, time.perf_counter() - t0), flush=True)


# ---- search ----

def mode_search(url, reps):
    c = client(url)
    exp = c.get_experiment_by_name("bench").experiment_id
    times, got = [], 0
    for r in range(reps + 1):  # the first warms the caches
        t = time.perf_counter()
        runs = c.search_runs([exp], filter_string=FILTER, order_by=ORDER, max_results=100)
        if r:
            times.append((time.perf_counter() - t) * 1000)
        got = len(runs)
    print("# mlflow search returned %d runs" % got)
    print("result mlflow_search_ms %.3f" % statistics.median(times), flush=True)


# ---- registry ----

def create_worker(i, barrier, url, name, nops):
    c = client(url)
    barrier.wait()
    for _ in range(nops):
        c.create_model_version(name, source="s3://bench-bucket/models/m", run_id=None)


def move_worker(i, barrier, url, name, nops):
    c = client(url)
    barrier.wait()
    for k in range(nops):
        c.set_registered_model_alias(name, "stage%d" % i, str(1 + k % 2))


def mode_registry(url, nproc, nops):
    c = client(url)
    name = "m-%s" % uuid.uuid4().hex[:8]
    c.create_registered_model(name)
    t = parallel(nproc, create_worker, (url, name, nops))
    print("result mlflow_version_create_per_s %.1f" % (nproc * nops / t), flush=True)
    t = parallel(nproc, move_worker, (url, name, nops))
    print("result mlflow_alias_move_per_s %.1f" % (nproc * nops / t), flush=True)


def main(argv):
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    if len(argv) < 2:
        sys.exit(__doc__)
    mode, url = argv[0], argv[1]
    if mode == "log" and len(argv) == 4:
        mode_log(url, int(argv[2]), int(argv[3]))
    elif mode == "fill" and len(argv) == 4:
        mode_fill(url, argv[2], int(argv[3]))
    elif mode == "search" and len(argv) == 3:
        mode_search(url, int(argv[2]))
    elif mode == "registry" and len(argv) == 4:
        mode_registry(url, int(argv[2]), int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
