"""A drift report on pandas DataFrames and on pyarrow Tables against the same
report on the numpy arrays they hold (goal: DataFrames within 10% of
arrays). The sides alternate, in a rotating order, in each repetition;
medians are printed, of the wall time and of the process's CPU time (all
threads: steadier than the wall time on a shared machine), with the time
the binding spends handing the columns to C (the only part that differs
between the sides: the library reads float64 buffers alike; pa.table even
wraps the numpy arrays' own memory). Not part of the test command.

    python benchmarks/python/bench_frames.py [-r REPS] [-t THREADS] [ROWS [COLUMNS]]

ROWS (default 1,000,000) rows of COLUMNS (default 20) float64 columns on
each side (reference: normal; current: shifted in every other column),
THREADS as drift.report's (default 0: every CPU). Needs numpy, pandas and
pyarrow (the venv scripts/test-python.sh makes has them) and finds
libmlops as the package does (MLOPS_LIBRARY...).
"""
import argparse
import statistics
import time

import numpy as np
import pandas as pd
import pyarrow as pa

import mlops
from mlops import _buffer, _frames, drift


def lend_all(reference, current):
    """What report() does with the columns before the C call, timed alone."""
    ref, cur = _frames.columns(reference), _frames.columns(current)
    for n in ref:
        with _buffer.float64(ref[n]), _buffer.float64(cur[n]):
            pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-r", "--reps", type=int, default=7)
    ap.add_argument("-t", "--threads", type=int, default=0)
    ap.add_argument("rows", type=int, nargs="?", default=1_000_000)
    ap.add_argument("columns", type=int, nargs="?", default=20)
    a = ap.parse_args()
    rng = np.random.default_rng(42)
    names = [f"c{i}" for i in range(a.columns)]
    ref = {n: rng.normal(size=a.rows) for n in names}
    cur = {n: rng.normal(0.05 * (i % 2), 1.0, a.rows) for i, n in enumerate(names)}
    inputs = {
        "numpy": (ref, cur),
        "pandas": (pd.DataFrame(ref), pd.DataFrame(cur)),
        "arrow": (pa.table(ref), pa.table(cur)),
    }
    times = {k: [] for k in inputs}
    cpu = {k: [] for k in inputs}
    lend = {k: [] for k in inputs}
    results = {}
    sides = list(inputs)
    for i in range(a.reps):
        for side in sides[i % 3:] + sides[:i % 3]:
            r, c = inputs[side]
            t0 = time.perf_counter()
            for _ in range(100):
                lend_all(r, c)
            lend[side].append((time.perf_counter() - t0) / 100)
            before = dict(_frames.stats)
            t0, c0 = time.perf_counter(), time.process_time()
            rep = drift.report(r, c, threads=a.threads)
            times[side].append(time.perf_counter() - t0)
            cpu[side].append(time.process_time() - c0)
            copied = _frames.stats["copied"] - before["copied"]
            if copied:
                raise SystemExit(f"{side}: {copied} columns copied")
            results[side] = rep.to_json()
            rep.close()
    if len(set(results.values())) != 1:
        raise SystemExit("the reports differ")
    base = statistics.median(times["numpy"])
    cbase = statistics.median(cpu["numpy"])
    print(f"libmlops {mlops.library_version()}, pandas {pd.__version__}, pyarrow {pa.__version__}; "
          f"{a.rows:,} rows x {a.columns} float64 columns per side, threads={a.threads}, "
          f"{a.reps} runs each, alternating")
    print(f"{'input':8} {'wall median s':>13} {'min s':>6} {'vs numpy':>8} "
          f"{'CPU median s':>12} {'vs numpy':>8} {'lending ms':>10}")
    for side, t in times.items():
        m, cm = statistics.median(t), statistics.median(cpu[side])
        print(f"{side:8} {m:13.3f} {min(t):6.3f} {m / base:7.3f}x "
              f"{cm:12.3f} {cm / cbase:7.3f}x {statistics.median(lend[side]) * 1e3:10.3f}")


if __name__ == "__main__":
    main()
