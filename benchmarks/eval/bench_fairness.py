#!/usr/bin/env python3
"""Runs bench_fairness (libmlops) and fairlearn's MetricFrame on the same
10 million rows and 50 groups and prints median times, ratios and the
relative differences of the between-groups differences. Not part of the
tests. Usage: bench_fairness.py BENCH_FAIRNESS [N] [REPEATS]"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import fairlearn
import numpy as np
from fairlearn.metrics import MetricFrame, selection_rate
from sklearn import metrics as M


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    rng = np.random.default_rng(19)
    g = rng.integers(0, 50, n).astype(np.int32)
    y = (rng.uniform(size=n) < 0.2 + g / 100).astype(np.int32)
    p = np.where(rng.uniform(size=n) < 0.8, y, 1 - y).astype(np.int32)
    with tempfile.TemporaryDirectory() as d:
        for name, a in (("y.i32", y), ("p.i32", p), ("g.i32", g)):
            a.tofile(os.path.join(d, name))
        out = subprocess.run([exe, d, str(repeats)], check=True, capture_output=True, text=True).stdout
    ours = {}
    for line in out.splitlines():
        name, _, secs, diff, overall = line.split()
        ours[name] = (float(secs), float(diff))
    anchors = {"accuracy": M.accuracy_score, "recall": M.recall_score, "selection_rate": selection_rate}
    print(f"# n = {n}, 50 groups, medians of {repeats} runs (libmlops) and 3 runs (fairlearn "
          f"{fairlearn.__version__} MetricFrame + .difference())")
    print(f"{'frame of':<16} {'libmlops s':>11} {'fairlearn s':>12} {'ratio':>7}  rel. diff of differences")
    for name, fn in anchors.items():
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            v = MetricFrame(metrics=fn, y_true=y, y_pred=p, sensitive_features=g).difference()
            times.append(time.perf_counter() - t0)
        fl = statistics.median(times)
        mine, mv = ours[name]
        rel = abs(mv - v) / max(abs(v), 1e-300)
        print(f"{name:<16} {mine:>11.3f} {fl:>12.3f} {fl / mine:>6.1f}x  {rel:.1e}")


if __name__ == "__main__":
    main()
