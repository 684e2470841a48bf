"""Monitor ingest from Python (numpy arrays, and a pandas DataFrame with a
datetime time column) beside the C benchmark (benchmarks/monitor/
bench_monitor) in the same run: the binding's overhead over the C call.
Each repetition runs the C program once and each Python side once, in a
rotating order, each into a fresh monitor of its own store; medians of
rows/s are printed. Not part of the test command.

    python benchmarks/python/bench_monitor.py BENCH_MONITOR [-r REPS] [ROWS [COLUMNS [HOURS]]]

BENCH_MONITOR is the built C program (meson -Dbenchmarks=true:
BUILD/benchmarks/monitor/bench_monitor). ROWS (default 1,000,000) rows of
COLUMNS (default 20) float64 columns, times spread over HOURS (default 24)
hourly windows, as the C program makes them. MLOPS_THREADS caps the
threads of both. Finds libmlops as the package does (MLOPS_LIBRARY...).
"""
import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

import mlops
from mlops import _frames, drift

T0 = 1767225600000  # 2026-01-01T00:00:00Z, the C program's start


def run_c(prog, rows, cols, hours):
    d = tempfile.mkdtemp(prefix="bench-monitor-c-")
    try:
        out = subprocess.run([prog, d + "/s", str(rows), str(cols), str(hours), "1"], check=True,
                             capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)
    m = re.search(r"median ([0-9.]+) s", out)
    return rows / float(m.group(1))


def run_py(side, data, rows, hours):
    d = tempfile.mkdtemp(prefix="bench-monitor-py-")
    try:
        with mlops.Store(d + "/s", durability="none") as s:
            cols = {}
            for name, values in data["columns"].items():
                p = drift.Profile("numeric").add(values[:100000])
                cols[name] = drift.put_profile(s, p)
            s.create_monitor("bench", columns=cols)
            t0 = time.perf_counter()
            if side == "numpy":
                r = s.ingest_monitor("bench", data["columns"], data["times"])
            else:
                r = s.ingest_monitor("bench", data["frame"], time_column="ts")
            dt = time.perf_counter() - t0
            assert r.rows == rows and r.windows == hours, r
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return rows / dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("prog")
    ap.add_argument("-r", "--reps", type=int, default=5)
    ap.add_argument("rows", type=int, nargs="?", default=1_000_000)
    ap.add_argument("columns", type=int, nargs="?", default=20)
    ap.add_argument("hours", type=int, nargs="?", default=24)
    a = ap.parse_args()
    rng = np.random.default_rng(12345)
    # As the C program: times spread evenly over the hours, column c uniform on [c, c + 1).
    times = T0 + (np.arange(a.rows) / a.rows * a.hours * 3600000.0).astype(np.int64)
    columns = {f"f{c}": rng.random(a.rows) + c for c in range(a.columns)}
    frame = pd.DataFrame({"ts": pd.to_datetime(times, unit="ms", utc=True), **columns})
    data = {"times": times, "columns": columns, "frame": frame}
    lent = _frames.stats["lent"]
    sides = ["c", "numpy", "pandas"]
    rates = {k: [] for k in sides}
    for i in range(a.reps):
        for side in sides[i % 3:] + sides[:i % 3]:
            if side == "c":
                rates[side].append(run_c(a.prog, a.rows, a.columns, a.hours))
            else:
                rates[side].append(run_py(side, data, a.rows, a.hours))
    assert _frames.stats["lent"] - lent == a.reps * a.columns  # pandas columns read in place
    c = statistics.median(rates["c"])
    print(f"monitor ingest, {a.rows} rows x {a.columns} float64 columns into {a.hours} hourly "
          f"windows, medians of {a.reps} (rows/s):")
    for side in sides:
        m = statistics.median(rates[side])
        print(f"  {side:7s} {m / 1e6:7.2f} M rows/s  ({m / c:.2f} x C)")


if __name__ == "__main__":
    main()
