"""MLflow anchor for benchmarks/track (run by run.sh, not by the tests).

Logs the same metric points and builds the same search data set as
bench_track.c, through MLflow's client into a SQLite-backed tracking
store, and prints one JSON line per figure:

  write   10 keys x 10,000 steps (a tenth of bench_track's million points)
          with log_batch in batches of 1,000: points per second
  search  10,000 runs x 20 metrics x 10 params, then search_runs with the
          same three-clause filter, ORDER BY and max_results=100: median ms

usage: python mlflow_bench.py [-q] [-r REPS] WORKDIR [write] [search]
"""
import json
import os
import shutil
import statistics
import sys
import time

import mlflow
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

KEYS10 = ["loss", "acc", "lr", "val_loss", "val_acc", "grad_norm", "epoch", "drift.x", "top5", "f1"]
LRS = ["0.001", "0.003", "0.01", "0.03", "0.1"]
FILTER = "metrics.acc > 0.5 AND params.lr = '0.01' AND tags.team LIKE 'vision%'"
ORDER = ["metrics.loss ASC"]


def emit(name, value, unit, **extra):
    line = {"bench": name, "value": value, "unit": unit, "mlflow": mlflow.__version__}
    line.update(extra)
    print(json.dumps(line), flush=True)


def client_for(workdir, name):
    path = os.path.join(workdir, name)
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return MlflowClient(tracking_uri="sqlite:///" + os.path.join(path, "mlflow.db"))


def bench_write(workdir, quick, reps):
    steps = 1000 if quick else 10000
    rates = []
    for rep in range(max(1, min(reps, 3))):
        # a new database each time: MLflow caches its engine per URI
        client = client_for(workdir, "mlflow-write-%d" % rep)
        exp = client.create_experiment("bench")
        run_id = client.create_run(exp).info.run_id
        ts = 1700000000000
        t0 = time.perf_counter()
        for base in range(0, steps, 100):
            batch = [Metric(k, s * 0.001 + i, ts + s, s)
                     for s in range(base, base + 100) for i, k in enumerate(KEYS10)]
            client.log_batch(run_id, metrics=batch)
        rates.append(steps * 10 / (time.perf_counter() - t0))
    emit("mlflow log_batch points/s", statistics.median(rates), "pt/s", points=steps * 10)


def metric_value(run, k):
    return ((run * 7919 + k * 104729) % 1000) / 1000.0


def bench_search(workdir, quick, reps):
    nruns = 1000 if quick else 10000
    client = client_for(workdir, "mlflow-search")
    exp = client.create_experiment("bench")
    t0 = time.perf_counter()
    for i in range(nruns):
        team = "nlp-core" if i % 2 else "vision-core"
        run_id = client.create_run(exp, tags={"team": team}).info.run_id
        params = [Param("lr", LRS[i % 5])] + [Param("p%d" % k, "v%d" % ((i * 31 + k) % 7))
                                               for k in range(1, 10)]
        names = ["acc", "loss"] + ["m%d" % k for k in range(2, 20)]
        metrics = [Metric(names[k], metric_value(i, k), 1700000000000 + i, 0) for k in range(20)]
        client.log_batch(run_id, metrics=metrics, params=params)
        client.set_terminated(run_id)
    build = time.perf_counter() - t0
    times, got = [], 0
    for r in range(reps + 1):  # the first warms caches
        t = time.perf_counter()
        runs = client.search_runs([exp], filter_string=FILTER, order_by=ORDER, max_results=100)
        if r:
            times.append((time.perf_counter() - t) * 1000)
        got = len(runs)
    emit("mlflow search_runs ms", statistics.median(times), "ms", runs=nruns, returned=got,
         build_s=build)


def main(argv):
    quick = "-q" in argv
    reps = 5
    args = [a for a in argv if a != "-q"]
    if "-r" in args:
        i = args.index("-r")
        reps = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    workdir, tests = args[0], args[1:] or ["write", "search"]
    os.makedirs(workdir, exist_ok=True)
    if "write" in tests:
        bench_write(workdir, quick, reps)
    if "search" in tests:
        bench_search(workdir, quick, reps)


if __name__ == "__main__":
    main(sys.argv[1:])
