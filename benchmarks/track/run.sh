#!/bin/sh
# Experiment-records benchmarks beside their anchors, measured in the same
# run: bench_track (libmlops and a raw-SQLite baseline in one C program)
# and MLflow 3.x (pip-installed here into a virtual environment) logging
# the same points and searching the same runs. Prints each figure beside
# its anchor and the ratio. Not part of the test command.
#
# usage: benchmarks/track/run.sh [-q] [WORKDIR]
#   -q        a tenth of every size (a quick smoke run)
#   WORKDIR   scratch space (default build/bench-track); needs ~1 GB
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=""
if [ "${1:-}" = "-q" ]; then quick=-q; shift; fi
work=${1:-$root/build/bench-track}
mkdir -p "$work"
cd "$root"

scripts/install-deps.sh main >/dev/null
if ! command -v python3 >/dev/null; then
    apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
[ -f build/build.ninja ] || scripts/setup-build.sh build >/dev/null
scripts/compile.sh build benchmarks/track/bench_track

venv=$work/venv
if ! "$venv/bin/python" -c "import mlflow, sys; sys.exit(mlflow.__version__.split('.')[0] != '3')" 2>/dev/null; then
    echo "== installing MLflow 3.x into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "mlflow>=3,<4"
fi

echo "== libmlops (bench_track)"
build/benchmarks/track/bench_track $quick -j "$work/c" | tee "$work/ours.txt"
echo "== MLflow $("$venv/bin/python" -c 'import mlflow; print(mlflow.__version__)') (mlflow_bench.py; SQLite tracking store)"
MLFLOW_TRACKING_URI= "$venv/bin/python" benchmarks/track/mlflow_bench.py $quick "$work/py" \
    2>"$work/mlflow.log" | tee "$work/mlflow.txt"

echo "== side by side"
"$venv/bin/python" - "$work/ours.txt" "$work/mlflow.txt" <<'PY'
import json, sys
def lines(p):
    out = {}
    for l in open(p):
        if l.startswith("{"):
            d = json.loads(l); out[d["bench"]] = d
    return out
ours, ml = lines(sys.argv[1]), lines(sys.argv[2])
w = next(v for k, v in ours.items() if k == "write points/s")
mw = ml["mlflow log_batch points/s"]
print("write: libmlops %.0f points/s vs MLflow log_batch %.0f points/s (%d points): %.0fx faster (goal >= 50x)"
      % (w["value"], mw["value"], mw["points"], w["value"] / mw["value"]))
s = next(v for k, v in ours.items() if k.startswith("search"))
ms = ml["mlflow search_runs ms"]
print("search: libmlops %.2f ms vs MLflow search_runs %.2f ms (%d runs, %d returned): %.0fx faster (goal >= 20x)"
      % (s["value"], ms["value"], ms["runs"], ms["returned"], ms["value"] / s["value"]))
PY
