"""Bundle export and import timing: an origin store of RUNS runs x 10
metrics x STEPS points and one model version with a MODEL_MIB MiB artifact
(random bytes: nothing to compress) made by the first run and aliased is
bundled (`mlops bundle export FILE model:m@champion run:...` for every run)
and imported into an empty store, then imported again (nothing to add).
Export and import run as the `mlops` command under /usr/bin/time, so the
peak memory is theirs alone. Each line is JSON; medians of REPEAT rounds.

    python bench_bundle.py WORKDIR MLOPS_BIN [RUNS] [STEPS] [MODEL_MIB] [REPEAT]

Run it with the package of a build: MLOPS_LIBRARY=BUILD/lib/libmlops.so.1
PYTHONPATH=bindings/python (or BUILD/python-venv).
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import mlops

KEYS = ["loss", "acc", "lr", "val_loss", "val_acc", "grad_norm", "epoch", "top5", "f1", "auc"]


def fill(store, runs, steps, model_mib):
    ids = []
    for r in range(runs):
        with store.start_run("bench", f"r{r}") as run:
            run.log_params({"lr": str(0.001 * (r + 1)), "depth": str(r % 7)})
            for s in range(0, steps, 100):
                run.log_metric_arrays({k: [float(s + i + r) for i in range(100)] for k in KEYS},
                                      steps=list(range(s, s + 100)))
            if r == 0:
                d = store.put(os.urandom(model_mib << 20))
                run.log_output(d, "model.bin")
        ids.append(run.id)
    store.create_model("m")
    v = store.create_model_version("m", d, ids[0])
    store.set_alias("m", "champion", v)
    return ids


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode:
        sys.exit(f"{cmd}: {p.returncode}\n{p.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return dt, rss, json.loads(p.stdout)


def main():
    work, exe = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    model_mib = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    repeat = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src = os.path.join(work, "src")
    with mlops.Store(src, durability="none") as s:
        t = time.perf_counter()
        ids = fill(s, runs, steps, model_mib)
        print(json.dumps({"filled": f"{runs} runs x {len(KEYS)} metrics x {steps} steps + "
                                    f"{model_mib} MiB model", "seconds": round(time.perf_counter() - t, 1)}))
    sels = ["model:m@champion"] + [f"run:{i}" for i in ids]
    path = os.path.join(work, "b.mlb")
    ex, im, again = [], [], []
    for _ in range(repeat):
        ex.append(timed([exe, "-C", src, "bundle", "export", path, *sels, "--json"]))
        dst = os.path.join(work, "dst")
        shutil.rmtree(dst, ignore_errors=True)
        subprocess.run([exe, "init", dst], check=True, capture_output=True)
        im.append(timed([exe, "-C", dst, "bundle", "import", path, "--json"]))
        again.append(timed([exe, "-C", dst, "bundle", "import", path, "--json"]))
    rep = ex[0][2]
    print(json.dumps({"bundle_bytes": os.path.getsize(path), "runs": rep["runs"],
                      "metric_points": rep["metric_points"], "objects": rep["objects"],
                      "events": rep["events"]}))
    for name, rows in (("export", ex), ("import", im), ("import again", again)):
        print(json.dumps({name: {"median_s": round(statistics.median(r[0] for r in rows), 2),
                                 "all_s": [round(r[0], 2) for r in rows],
                                 "peak_rss_mib": round(max(r[1] for r in rows) / 1024, 1),
                                 "records_added": rows[0][2].get("records_added")}}))


if __name__ == "__main__":
    main()
