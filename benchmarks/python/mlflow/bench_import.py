#!/usr/bin/env python3
"""Import of an MLflow store with RUNS runs x 20 metrics x 1,000 steps
(python -m mlops.mlflow_import's code, in process) and the count check:
every point arrived, bit for bit, with its step and timestamp.

The MLflow store is written by MLflow itself (SQLite, MlflowClient.log_batch
of 1,000 points per call, MLflow's limit); its writing time is reported
too, and the time MLflow's client alone takes to read every history (the
part of the import that is MLflow's). The values are a seeded generator's, so the check regenerates them
instead of reading MLflow's store again.

With --from-sql the store is built faster: MLflow makes the (migrated)
tables, the experiment, the runs with their tags and params and their end
(MlflowClient calls), and the metric points go straight into MLflow's own
tables `metrics` and `latest_metrics` by SQL, rows as MLflow's
SqlAlchemyStore writes them (NaN as value 0 with is_nan; the latest point
of each key is the one of greatest (step, timestamp, value)); a few runs
are then read back through MlflowClient and compared bit for bit.

usage: bench_import.py [--runs N] [--keep] [--from-sql] [--analyze] [--no-second]
                       [--no-mlflow-read] WORKDIR   (needs mlflow, numpy)"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

KEYS = [f"metric_{k:02d}" for k in range(20)]
STEPS = 1000
T0 = 1_700_000_000_000


def series(run, k):
    """Values and timestamps of metric k of run number run."""
    rng = np.random.default_rng(run * 100 + k)
    values = rng.standard_normal(STEPS) * 10.0 ** rng.integers(-300, 300)
    ts = T0 + run * 10_000_000 + np.arange(STEPS, dtype=np.int64) * 1000 + k
    if k == len(KEYS) - 1:  # a few odd values: NaN, subnormals, the largest double
        values[1:6] = [np.nan, 5e-324, -5e-324, 1.7976931348623157e308, -2.2250738585072014e-308]
    return values, ts


def write_mlflow_sql(uri, db, runs):
    """The same store as write_mlflow, the points written by SQL."""
    import sqlite3

    import mlflow

    c = mlflow.MlflowClient(tracking_uri=uri)
    exp = c.create_experiment("bench")
    ids = []
    for r in range(runs):
        run = c.create_run(exp, run_name=f"run-{r}", start_time=T0 + r * 10_000_000,
                           tags={"bench.run": str(r)})
        rid = run.info.run_id
        c.log_batch(rid, params=[mlflow.entities.Param(f"p{i}", f"{r}-{i}") for i in range(5)])
        c.set_terminated(rid, "FINISHED", end_time=T0 + r * 10_000_000 + STEPS * 1000)
        ids.append(rid)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-4000000")
    ins = ("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)"
           " VALUES (?, ?, ?, ?, ?, ?)")
    lat = ("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)"
           " VALUES (?, ?, ?, ?, ?, ?)")
    steps = list(range(STEPS))
    for r, rid in enumerate(ids):
        rows = []
        latest = []
        for k, key in enumerate(KEYS):
            values, ts = series(r, k)
            nan = np.isnan(values)
            stored = np.where(nan, 0.0, values).tolist()
            rows += zip([key] * STEPS, stored, ts.tolist(), [rid] * STEPS, steps,
                        nan.tolist())
            # steps and timestamps both grow: the last point is the latest
            latest.append((key, stored[-1], int(ts[-1]), STEPS - 1, bool(nan[-1]), rid))
        con.executemany(ins, rows)
        con.executemany(lat, latest)
        if r % 50 == 49:
            con.commit()
    con.commit()
    con.close()
    # MLflow reads back what was written, bit for bit, on a few runs.
    for r in sorted({0, 1, runs // 2, runs - 1}):
        run = c.get_run(ids[r])
        assert run.info.run_name == f"run-{r}" and run.info.status == "FINISHED"
        assert run.data.params["p3"] == f"{r}-3"
        for k, key in enumerate(KEYS):
            values, ts = series(r, k)
            h = c.get_metric_history(ids[r], key)
            assert np.array_equal(np.array([m.value for m in h]).view(np.uint64),
                                  values.view(np.uint64)), (r, key)
            assert [m.step for m in h] == list(range(STEPS))
            assert [m.timestamp for m in h] == ts.tolist()
            lv = run.data.metrics[key]
            assert np.float64(lv).view(np.uint64) == values[-1:].view(np.uint64)[0], (r, key)
    return c, exp, ids


def write_mlflow(uri, runs):
    import mlflow
    from mlflow.entities import Metric

    c = mlflow.MlflowClient(tracking_uri=uri)
    exp = c.create_experiment("bench")
    ids = []
    for r in range(runs):
        run = c.create_run(exp, run_name=f"run-{r}", start_time=T0 + r * 10_000_000)
        rid = run.info.run_id
        pts = []
        for k, key in enumerate(KEYS):
            values, ts = series(r, k)
            pts += [Metric(key, float(v), int(t), s)
                    for s, (v, t) in enumerate(zip(values, ts))]
        for i in range(0, len(pts), 1000):
            c.log_batch(rid, metrics=pts[i:i + 1000])
        c.set_terminated(rid, "FINISHED", end_time=T0 + r * 10_000_000 + STEPS * 1000)
        ids.append(rid)
    return c, exp, ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--keep", action="store_true", help="reuse WORKDIR/mlflow.db if there")
    ap.add_argument("--from-sql", action="store_true",
                    help="write the metric points into MLflow's tables by SQL")
    ap.add_argument("--analyze", action="store_true",
                    help="run SQLite's ANALYZE on the MLflow store once written (MLflow never"
                    " does; without it SQLite reads a metric history through the primary"
                    " key, key first, scanning that key's points of every run)")
    ap.add_argument("--no-second", action="store_true", help="skip the second import")
    ap.add_argument("--no-mlflow-read", action="store_true",
                    help="skip timing MLflow's client alone reading every history")
    ap.add_argument("work")
    a = ap.parse_args()
    import mlflow
    import mlops
    from mlops.mlflow_import import import_mlflow

    os.makedirs(a.work, exist_ok=True)
    a.work = os.path.abspath(a.work)
    os.chdir(a.work)  # whatever MLflow puts in the working folder stays there
    db = os.path.join(a.work, "mlflow.db")
    uri = f"sqlite:///{db}"
    out = {"runs": a.runs, "metrics": len(KEYS), "steps": STEPS, "mlflow": mlflow.__version__,
           "points": a.runs * len(KEYS) * STEPS}
    if not (a.keep and os.path.exists(db)):
        if os.path.exists(db):
            os.remove(db)
        mlflow.MlflowClient(tracking_uri=uri).search_experiments()  # tables (migrations)
        t = time.perf_counter()
        if a.from_sql:
            write_mlflow_sql(uri, db, a.runs)
            out["store_built_by"] = "sql"
        else:
            write_mlflow(uri, a.runs)
        out["mlflow_write_s"] = round(time.perf_counter() - t, 1)
        if a.analyze:
            import sqlite3
            t = time.perf_counter()
            con = sqlite3.connect(db)
            con.execute("ANALYZE")
            con.close()
            out["analyze_s"] = round(time.perf_counter() - t, 1)
    store_dir = os.path.join(a.work, "store")
    shutil.rmtree(store_dir, ignore_errors=True)
    with mlops.Store(store_dir) as s:
        t = time.perf_counter()
        rep = import_mlflow(uri, s)
        out["import_s"] = round(time.perf_counter() - t, 1)
        out["imported"] = rep.imported
        out["skipped"] = len(rep.skipped)
        print(json.dumps(out), flush=True)
        # The count check: every point, bit for bit, with step and time.
        t = time.perf_counter()
        bad = 0
        total = 0
        runs = sorted(s.runs("bench"), key=lambda r: r.start_ms)
        assert len(runs) == a.runs, len(runs)
        for r_no, ri in enumerate(runs):
            assert ri.name == f"run-{r_no}"
            for k, key in enumerate(KEYS):
                h = s.metric_history(ri.id, key)
                values, ts = series(r_no, k)
                total += len(h)
                ok = (len(h) == STEPS
                      and np.array_equal(np.asarray(h.values).view(np.uint64),
                                         values.view(np.uint64))
                      and np.array_equal(np.asarray(h.steps), np.arange(STEPS))
                      and np.array_equal(np.asarray(h.timestamps_ms), ts))
                bad += not ok
        out["check_s"] = round(time.perf_counter() - t, 1)
        out["points_in_store"] = total
        out["series_differing"] = bad
        print(json.dumps(out), flush=True)
        if not a.no_second:
            t = time.perf_counter()
            again = import_mlflow(uri, s)
            out["second_import_s"] = round(time.perf_counter() - t, 1)
            out["second_import_added"] = again.imported
            print(json.dumps(out), flush=True)
    # How much of the import is MLflow's own reading: every history read
    # through MlflowClient alone, as the importer reads them.
    if not a.no_mlflow_read:
        c = mlflow.MlflowClient(tracking_uri=uri)
        t = time.perf_counter()
        n = 0
        for e in c.search_experiments():
            for r in c.search_runs([e.experiment_id], max_results=1000):
                for key in r.data.metrics:
                    n += len(c.get_metric_history(r.info.run_id, key))
        out["mlflow_read_only_s"] = round(time.perf_counter() - t, 1)
        assert n == out["points"], n
    print(json.dumps(out))
    return 0 if bad == 0 and total == out["points"] else 1


if __name__ == "__main__":
    sys.exit(main())
