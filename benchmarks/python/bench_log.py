"""The Python side of the binding's overhead benchmark: logs metric points
through the mlops package exactly as bench_log.c does through the C API,
and prints one JSON line with the wall time of one repetition.

    python bench_log.py WORKDIR arrays|dict|single N

arrays  N points: 10 keys x N/10 steps, one run.log_metric_arrays call per
        100 steps (1,000 points), from float64 arrays made beforehand
dict    N points: one run.log_metrics({10 keys}, step=) call per step
single  N run.log_metric calls, each committed on return
"""
import json
import sys
import time
from array import array

import mlops

KEYS = ["loss", "acc", "lr", "val_loss", "val_acc", "grad_norm", "epoch", "drift.x", "top5", "f1"]
TS = 1700000000000


def main() -> None:
    workdir, workload, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with mlops.Store(workdir) as store:
        exp = store.create_experiment("bench")
        run = store.start_run(exp, "py")
        if workload == "arrays":
            steps = n // 10
            step_arr = memoryview(array("q", range(steps)))
            cols = {k: memoryview(array("d", [st * 0.001 + i for st in range(steps)]))
                    for i, k in enumerate(KEYS)}
            t0 = time.perf_counter()
            for base in range(0, steps, 100):
                run.log_metric_arrays({k: v[base:base + 100] for k, v in cols.items()},
                                      step_arr[base:base + 100], TS)
            t = time.perf_counter() - t0
        elif workload == "dict":
            t0 = time.perf_counter()
            for st in range(n // 10):
                run.log_metrics({k: st * 0.001 + i for i, k in enumerate(KEYS)}, step=st,
                                timestamp_ms=TS + st)
            t = time.perf_counter() - t0
        elif workload == "single":
            log = run.log_metric
            t0 = time.perf_counter()
            for st in range(n):
                log("loss", 1.0 / (st + 1), st, TS + st)
            t = time.perf_counter() - t0
        else:
            raise SystemExit(f"unknown workload {workload}")
        run.close()
    print(json.dumps({"side": "python", "workload": workload, "points": n, "seconds": t}))


if __name__ == "__main__":
    main()
