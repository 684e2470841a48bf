#!/bin/sh
# Overhead of the Python binding: logs the same metric points through the
# binding (bench_log.py) and through the C API (bench_log, built by meson),
# alternating the two sides in the same run, and prints the median times
# side by side with their ratio (goal: the binding within 2x of C for 1M
# points). Not part of the test command.
#
# usage: benchmarks/python/run.sh [-q] [-r REPS] [WORKDIR]
#   -q        a tenth of every size (a quick smoke run)
#   -r REPS   repetitions per side and workload (default 5)
#   WORKDIR   scratch space (default build/bench-python)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=1
reps=5
while [ $# -gt 0 ]; do
    case "$1" in
    -q) scale=10; shift ;;
    -r) reps=$2; shift 2 ;;
    *) break ;;
    esac
done
work=${1:-$root/build/bench-python}
mkdir -p "$work"
cd "$root"

scripts/install-deps.sh main >/dev/null
[ -f build/build.ninja ] || scripts/setup-build.sh build >/dev/null
scripts/compile.sh build
venv=$work/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
rm -rf "$work/python-src" && mkdir -p "$work/python-src"
cp -R bindings/python/pyproject.toml bindings/python/README.md bindings/python/mlops \
    "$work/python-src/"
CC=false "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall \
    "$work/python-src"
export MLOPS_LIBRARY="$root/build/lib/libmlops.so.1"
"$venv/bin/python" -c 'import mlops; print("binding on libmlops", mlops.library_version(), "at", mlops.library_path)'

results=$work/results.jsonl
: > "$results"
for spec in "arrays 1000000" "dict 1000000" "single 100000"; do
    set -- $spec
    n=$(( $2 / scale ))
    i=0
    while [ $i -lt "$reps" ]; do
        rm -rf "$work/c" "$work/py"
        build/benchmarks/python/bench_log "$work/c" "$1" "$n" >> "$results"
        "$venv/bin/python" benchmarks/python/bench_log.py "$work/py" "$1" "$n" >> "$results"
        i=$((i + 1))
    done
done
rm -rf "$work/c" "$work/py"

"$venv/bin/python" - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
what = {"arrays": "run.log_metric_arrays, 1,000 points a call",
        "dict": "run.log_metrics({10 keys}, step=) per step",
        "single": "run.log_metric per point, each committed"}
print(f"{'workload':8} {'points':>9} {'C median s':>11} {'Python median s':>16} {'ratio':>6}  goal <= 2x")
for w in ("arrays", "dict", "single"):
    c = [r["seconds"] for r in rows if r["workload"] == w and r["side"] == "c"]
    p = [r["seconds"] for r in rows if r["workload"] == w and r["side"] == "python"]
    if not c or not p:
        continue
    mc, mp = statistics.median(c), statistics.median(p)
    n = next(r["points"] for r in rows if r["workload"] == w)
    print(f"{w:8} {n:9d} {mc:11.3f} {mp:16.3f} {mp / mc:6.2f}  ({what[w]}; "
          f"{n / mp:,.0f} points/s through Python)")
PY
