#!/usr/bin/env python3
"""Runs bench_fairness (libmlops) and fairlearn's MetricFrame on the same
10 million rows and 50 groups and prints median times, ratios and the
relative differences of the between-groups differences. Not part of the
tests. Usage: bench_fairness.py BENCH_FAIRNESS [N] [REPEATS]"""
import fairlearn
import numpy as np
from fairlearn.metrics import MetricFrame, selection_rate
from sklearn import metrics as M

from bench_common import args, median_of_3, run_c


def main():
    exe, n, repeats = args()
    rng = np.random.default_rng(19)
    g = rng.integers(0, 50, n).astype(np.int32)
    y = (rng.uniform(size=n) < 0.2 + g / 100).astype(np.int32)
    p = np.where(rng.uniform(size=n) < 0.8, y, 1 - y).astype(np.int32)
    ours = {}
    for name, _, secs, diff, overall in run_c(exe, {"y.i32": y, "p.i32": p, "g.i32": g}, repeats):
        ours[name] = (float(secs), float(diff))
    anchors = {"accuracy": M.accuracy_score, "recall": M.recall_score, "selection_rate": selection_rate}
    print(f"# n = {n}, 50 groups, medians of {repeats} runs (libmlops) and 3 runs (fairlearn "
          f"{fairlearn.__version__} MetricFrame + .difference())")
    print(f"{'frame of':<16} {'libmlops s':>11} {'fairlearn s':>12} {'ratio':>7}  rel. diff of differences")
    for name, fn in anchors.items():
        fl, v = median_of_3(lambda: MetricFrame(metrics=fn, y_true=y, y_pred=p, sensitive_features=g).difference())
        mine, mv = ours[name]
        rel = abs(mv - v) / max(abs(v), 1e-300)
        print(f"{name:<16} {mine:>11.3f} {fl:>12.3f} {fl / mine:>6.1f}x  {rel:.1e}")


if __name__ == "__main__":
    main()
