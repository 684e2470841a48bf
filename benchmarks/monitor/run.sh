#!/bin/sh
# Monitor ingest beside NannyML and Evidently on the same data, in the same
# run (bench_anchors.py): builds bench_monitor and mlops, makes the anchors'
# venv from requirements-anchors.txt once, and prints medians and ratios.
# Not part of the tests.
#   usage: benchmarks/monitor/run.sh [BUILD_DIR [bench_anchors.py options]]
#   (default build; e.g. --rows 10000000 --anchor-rows 1000000,2000000)
#   MONITOR_BENCH_VENV: the venv to use or make (default benchmarks/monitor/.venv)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case "$build" in /*) ;; *) build="$root/$build" ;; esac
if [ ! -f "$build/build.ninja" ]; then
    "$root/scripts/setup-build.sh" "$build" -Dbenchmarks=true >/dev/null
elif [ ! -x "$build/benchmarks/monitor/bench_monitor" ]; then
    meson configure "$build" -Dbenchmarks=true >/dev/null
fi
"$root/scripts/compile.sh" "$build" benchmarks/monitor/bench_monitor tools/mlops
venv=${MONITOR_BENCH_VENV:-$here/.venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$here/requirements-anchors.txt"
fi
exec "$venv/bin/python" "$here/bench_anchors.py" --build "$build" "$@"
