#!/usr/bin/env python3
"""Runs bench_eval (libmlops) and scikit-learn on the same 10 million
predictions and prints median times, ratios and both values. Not part of
the tests. Usage: bench.py BENCH_EVAL [N] [REPEATS]"""
import numpy as np
import sklearn
from sklearn import metrics as M

from bench_common import args, median_of_3, run_c


def main():
    exe, n, repeats = args()
    rng = np.random.default_rng(19)
    y = rng.integers(0, 2, n).astype(np.int32)
    # scores in [0, 1], positives higher; rounded to 1e-6 so that ties occur
    s = np.clip(np.round(0.3 * y + 0.7 * rng.uniform(size=n), 6), 1e-6, 1 - 1e-6)
    yt = rng.integers(0, 10, n).astype(np.int32)
    yp = np.where(rng.uniform(size=n) < 0.7, yt, rng.integers(0, 10, n)).astype(np.int32)
    ours = {}
    for name, _, secs, value in run_c(exe, {"y.i32": y, "s.f64": s, "yt.i32": yt, "yp.i32": yp}, repeats):
        ours[name] = (float(secs), float(value))
    anchors = {
        "roc_auc": lambda: M.roc_auc_score(y, s),
        "average_precision": lambda: M.average_precision_score(y, s),
        "log_loss": lambda: M.log_loss(y, s),
        "f1_macro": lambda: M.f1_score(yt, yp, average="macro"),
    }
    print(f"# n = {n}, medians of {repeats} runs (libmlops) and 3 runs (scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__})")
    print(f"{'metric':<18} {'libmlops s':>11} {'sklearn s':>10} {'ratio':>7}  rel. diff of values")
    for name, fn in anchors.items():
        sk, v = median_of_3(fn)
        mine, mv = ours[name]
        diff = abs(mv - v) / max(abs(v), 1e-300)
        print(f"{name:<18} {mine:>11.3f} {sk:>10.3f} {sk / mine:>6.1f}x  {diff:.1e}")


if __name__ == "__main__":
    main()
