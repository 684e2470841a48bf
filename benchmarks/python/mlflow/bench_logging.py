#!/usr/bin/env python3
"""Wall time of train_sklearn.py's logging with MLflow (SQLite store)
against mlops.mlflow_compat (an mlops store), the script run unchanged but
for its import line.

Each run is a fresh process. The script's `import mlflow` line is kept, or
swapped for `import mlops.mlflow_compat as mlflow`; the module it imports
is wrapped so that the time spent inside its calls (outermost calls only:
the script's own, `with start_run()` blocks' entry and exit included) is
summed: that is the logging time. The whole script's time and the module's
import time are reported too. MLflow's SQLite tables are made once before
timing (its migrations take seconds) and each MLflow run starts from a copy
of that empty database; each mlops run from an empty folder.

usage: bench_logging.py [-r REPS] WORKDIR     (needs mlflow, scikit-learn)"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "train_sklearn.py")

CHILD = r'''
import sys, time, types, runpy
variant, script = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if variant == "mlflow":
    import mlflow as real
    name = "mlflow"
else:
    import mlops.mlflow_compat as real
    name = "mlops.mlflow_compat"
import_s = time.perf_counter() - t
spent = [0.0]
depth = [0]

def timed(fn):
    def call(*a, **k):
        depth[0] += 1
        t0 = time.perf_counter()
        try:
            out = fn(*a, **k)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent[0] += time.perf_counter() - t0
        if hasattr(out, "__exit__") and hasattr(out, "info"):
            return Ctx(out)
        return out
    return call

class Ctx:
    def __init__(self, run): self._run = run
    def __getattr__(self, k): return getattr(self._run, k)
    def __enter__(self): timed(self._run.__enter__)(); return self
    def __exit__(self, *e): return timed(self._run.__exit__)(*e)

class Proxy(types.ModuleType):
    def __getattr__(self, k):
        v = getattr(real, k)
        if callable(v) and not isinstance(v, type):
            return timed(v)
        if isinstance(v, types.ModuleType):
            return Proxy2(v)
        return v

class Proxy2:
    def __init__(self, m): self._m = m
    def __getattr__(self, k):
        v = getattr(self._m, k)
        return timed(v) if callable(v) and not isinstance(v, type) else v

proxy = Proxy(name)
sys.modules[name] = proxy
if variant != "mlflow":
    import mlops
    mlops.mlflow_compat = proxy
src = open(script).read()
if variant != "mlflow":
    assert src.count("\nimport mlflow\n") == 1
    src = src.replace("\nimport mlflow\n", "\nimport mlops.mlflow_compat as mlflow\n")
t = time.perf_counter()
code = compile(src, script, "exec")
try:
    exec(code, {"__name__": "__main__", "__file__": script})
except SystemExit:
    pass
total = time.perf_counter() - t
print("RESULT", import_s, spent[0], total, file=sys.stderr)
'''


def run(variant, work, template):
    env = dict(os.environ, MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
    env.pop("MLFLOW_EXPERIMENT_ID", None)
    if variant == "mlflow":
        db = os.path.join(work, "mlflow.db")
        shutil.copyfile(template, db)
        env["MLFLOW_TRACKING_URI"] = f"sqlite:///{db}"
        # MLflow's default artifact root is ./mlartifacts beside the process.
    else:
        store = os.path.join(work, "store")
        shutil.rmtree(store, ignore_errors=True)
        env["MLFLOW_TRACKING_URI"] = store
    p = subprocess.run([sys.executable, "-c", CHILD, variant, SCRIPT], cwd=work, env=env,
                       capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"{variant} failed:\n{p.stdout}\n{p.stderr}")
    line = [x for x in p.stderr.splitlines() if x.startswith("RESULT ")][-1]
    imp, logging, total = map(float, line.split()[1:])
    return {"import_s": imp, "logging_s": logging, "script_s": total}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-r", "--reps", type=int, default=5)
    ap.add_argument("work")
    a = ap.parse_args()
    import mlflow
    os.makedirs(a.work, exist_ok=True)
    template = os.path.join(a.work, "empty-mlflow.db")
    if not os.path.exists(template):
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        mlflow.MlflowClient(tracking_uri=f"sqlite:///{template}").search_experiments()
    results = {"mlflow": [], "mlops": []}
    for i in range(a.reps):
        for variant in ("mlflow", "mlops"):  # alternated, so load hits both
            d = os.path.join(a.work, f"{variant}-{i}")
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            results[variant].append(run(variant, d, template))
    out = {"mlflow_version": mlflow.__version__, "reps": a.reps,
           "epochs": int(os.environ.get("EPOCHS", "200"))}
    for variant, rs in results.items():
        for k in ("import_s", "logging_s", "script_s"):
            out[f"{variant}_{k}_median"] = round(statistics.median(r[k] for r in rs), 3)
    out["logging_ratio_mlflow_over_mlops"] = round(
        out["mlflow_logging_s_median"] / out["mlops_logging_s_median"], 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
