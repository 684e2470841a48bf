#!/bin/sh
# Runs the evaluation benchmark beside scikit-learn on the same arrays, in
# the same run, and prints each figure with its anchor and the ratio. Not
# part of the tests.
#   usage: benchmarks/eval/run.sh [BUILD_DIR] [N] [REPEATS]   (default: build 10000000 5)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
if [ ! -x "$build/benchmarks/eval/bench_eval" ]; then
    "$root/scripts/setup-build.sh" "$build" >/dev/null
fi
"$root/scripts/compile.sh" "$build" benchmarks/eval/bench_eval
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy==2.1.3 scipy==1.14.1 scikit-learn==1.7.2
fi
exec "$venv/bin/python" "$here/bench.py" "$build/benchmarks/eval/bench_eval" "${2:-10000000}" "${3:-5}"
