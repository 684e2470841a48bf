"""What batching saves mlops.integrations' callbacks: XGBoost training of
ROUNDS rounds (default 1,000) on a small data set with two evals and two
metrics (4 points a round), timed without a callback, with
XGBoostCallback (its defaults: a transaction per 100 rounds) and with a
callback committing every point on its own (Run.log_metric), in a store of
the given durability ("normal", the default, or "full": each commit
synced to the disk). The sides alternate in each
repetition; medians of the wall time are printed, and the overhead of each
side over training alone. Not part of the test command.

    python benchmarks/python/bench_callbacks.py [-r REPS] [-d DIR] [-D DURABILITY] [ROUNDS]

DIR: where the store is made (default: the system's temporary folder);
a commit's sync costs what that file system charges.

Needs xgboost-cpu and numpy (the venv scripts/test-python.sh makes has
them) and finds libmlops as the package does (MLOPS_LIBRARY...).
"""
import argparse
import statistics
import tempfile
import time

import numpy as np
import xgboost

import mlops
from mlops.integrations.xgboost import XGBoostCallback


class PointByPoint(xgboost.callback.TrainingCallback):
    """The unbatched way: one committed point per metric and round."""

    def __init__(self, run):
        super().__init__()
        self.run = run

    def after_iteration(self, model, epoch, evals_log):
        for data, per_metric in evals_log.items():
            for metric, hist in per_metric.items():
                self.run.log_metric(f"{data}-{metric}", hist[-1], step=epoch)
        return False


def train(rounds, dtrain, dvalid, callbacks):
    params = {"objective": "binary:logistic", "eval_metric": ["logloss", "error"],
              "max_depth": 2, "nthread": 1, "seed": 0}
    t = time.perf_counter()
    xgboost.train(params, dtrain, rounds, evals=[(dtrain, "train"), (dvalid, "valid")],
                  verbose_eval=False, callbacks=callbacks)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-r", "--reps", type=int, default=5)
    ap.add_argument("-d", "--dir", default=None)
    ap.add_argument("-D", "--durability", default="normal", choices=["normal", "full"])
    ap.add_argument("rounds", type=int, nargs="?", default=1000)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    y = (x[:, 0] + rng.normal(scale=0.5, size=400) > 0).astype(np.int32)
    dtrain = xgboost.DMatrix(x[:300], label=y[:300])
    dvalid = xgboost.DMatrix(x[300:], label=y[300:])
    times = {"none": [], "batched": [], "per point": []}
    with tempfile.TemporaryDirectory(dir=a.dir) as tmp, \
            mlops.Store(f"{tmp}/store", durability=a.durability) as store:
        for rep in range(a.reps):
            sides = list(times)
            for side in sides[rep % 3:] + sides[:rep % 3]:
                if side == "none":
                    times[side].append(train(a.rounds, dtrain, dvalid, []))
                    continue
                with store.start_run("bench", f"{side}-{rep}") as run:
                    cb = XGBoostCallback(run) if side == "batched" else PointByPoint(run)
                    times[side].append(train(a.rounds, dtrain, dvalid, [cb]))
                assert store.get_run(run.id).metrics["valid-error"].count == a.rounds
    base = statistics.median(times["none"])
    print(f"xgboost {xgboost.__version__}, {a.rounds} rounds x 4 metrics, "
          f"median of {a.reps}, durability {a.durability}")
    for side, ts in times.items():
        m = statistics.median(ts)
        print(f"{side:>10}: {m:7.3f} s   logging {m - base:+7.3f} s "
              f"({(m - base) / (4 * a.rounds) * 1e6:8.1f} us a point)")


if __name__ == "__main__":
    main()
