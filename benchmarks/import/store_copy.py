"""Store copy timing: a source store of RUNS runs x 10 metrics x STEPS
points (plus one model version per run, aliased) is copied into an empty
store, then copied again (nothing to add); each line is JSON.

    python store_copy.py WORKDIR [RUNS] [STEPS] [--pg URI]

With --pg URI (a libpq URI; scripts/with-pg.sh exports MLOPS_TEST_PG) the
copy goes local -> PostgreSQL -> local, the figure the issue asks for
("Local -> PostgreSQL and back"), and the three audit heads are compared.
Run it with the package of a build: scripts/test-python.sh makes
BUILD/python-venv; MLOPS_LIBRARY=BUILD/lib/libmlops.so.1.
"""
import json
import os
import sys
import time
import uuid

import mlops

KEYS = ["loss", "acc", "lr", "val_loss", "val_acc", "grad_norm", "epoch", "top5", "f1", "auc"]


def fill(store, runs, steps):
    store.create_model("m")
    for r in range(runs):
        with store.start_run("bench", f"r{r}") as run:
            run.log_params({"lr": str(0.001 * (r + 1)), "depth": str(r % 7)})
            for s in range(0, steps, 100):
                run.log_metric_arrays({k: [float(s + i + r) for i in range(100)] for k in KEYS},
                                      steps=list(range(s, s + 100)))
        d = store.put(f"model {r}".encode() * 100)
        v = store.create_model_version("m", d, run.id)
        store.set_alias("m", "champion", v)


def timed_copy(src, dst, what):
    t = time.perf_counter()
    rep = src.copy(dst)
    dt = time.perf_counter() - t
    print(json.dumps({"copy": what, "seconds": round(dt, 3), "objects": rep.objects_copied,
                      "records": rep.records_written, "events": rep.events_copied,
                      "head_seq": rep.head_seq}))
    return rep


def main():
    args = [a for a in sys.argv[1:] if a != "--pg"]
    pg = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else None
    if pg:
        args.remove(pg)
    work = args[0]
    runs = int(args[1]) if len(args) > 1 else 200
    steps = int(args[2]) if len(args) > 2 else 1000
    os.makedirs(work, exist_ok=True)
    with mlops.Store(os.path.join(work, "src"), durability="none") as src:
        t = time.perf_counter()
        fill(src, runs, steps)
        print(json.dumps({"filled": f"{runs} runs x {len(KEYS)} metrics x {steps} steps",
                          "seconds": round(time.perf_counter() - t, 3)}))
        if pg:
            schema = "bench_" + uuid.uuid4().hex[:10]
            mid = mlops.Store.create(os.path.join(work, "pg"), metadata=pg, schema=schema,
                                     durability="none")
        else:
            mid = mlops.Store(os.path.join(work, "mid"), durability="none")
        with mid, mlops.Store(os.path.join(work, "back"), durability="none") as back:
            timed_copy(src, mid, "local -> " + ("PostgreSQL" if pg else "local"))
            timed_copy(src, mid, "again (nothing new)")
            timed_copy(mid, back, ("PostgreSQL" if pg else "local") + " -> local")
            same = src.audit_head() == mid.audit_head() == back.audit_head()
            print(json.dumps({"same_audit_head": same}))
            if not same:
                sys.exit(1)


if __name__ == "__main__":
    main()
