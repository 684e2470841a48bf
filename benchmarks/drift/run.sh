#!/bin/sh
# Runs the drift benchmark beside its anchors (scipy, numpy, Evidently's
# DataDriftPreset) on the same data, in the same run, and prints each figure
# with its anchor and the ratio. Not part of the tests.
#   usage: benchmarks/drift/run.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
if [ ! -x "$build/benchmarks/drift/bench_drift" ]; then
    "$root/scripts/setup-build.sh" "$build" >/dev/null
fi
"$root/scripts/compile.sh" "$build" benchmarks/drift/bench_drift
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy==2.1.3 scipy==1.14.1 pandas==2.2.3 evidently==0.7.23
fi
exec "$venv/bin/python" "$here/bench.py" "$build/benchmarks/drift/bench_drift"
