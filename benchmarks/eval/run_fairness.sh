#!/bin/sh
# Runs the fairness frame benchmark beside fairlearn's MetricFrame on the
# same arrays, in the same run, and prints each figure with the ratio. Not
# part of the tests.
#   usage: benchmarks/eval/run_fairness.sh [BUILD_DIR] [N] [REPEATS]   (default: build 10000000 5)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
if [ ! -x "$build/benchmarks/eval/bench_fairness" ]; then
    "$root/scripts/setup-build.sh" "$build" >/dev/null
fi
"$root/scripts/compile.sh" "$build" benchmarks/eval/bench_fairness
venv="$here/.venv-fairness"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy==2.1.3 scipy==1.14.1 scikit-learn==1.7.2 pandas==3.1.1 fairlearn==0.15.0
fi
exec "$venv/bin/python" "$here/bench_fairness.py" "$build/benchmarks/eval/bench_fairness" "${2:-10000000}" "${3:-5}"
