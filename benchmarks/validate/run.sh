#!/bin/sh
# Runs the data-validation benchmark: 1 M rows x 100 columns against a
# schema with every check, median of 5 runs, for three mixes of column
# kinds (20 categorical, none, all), on the thread pool (MLOPS_THREADS=1:
# the caller's thread only). Not part of the tests.
#   usage: benchmarks/validate/run.sh [BUILD_DIR] [ROWS] [REPEATS]   (default: build 1000000 5)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
if [ ! -x "$build/benchmarks/validate/bench_validate" ]; then
    "$root/scripts/setup-build.sh" "$build" >/dev/null
fi
"$root/scripts/compile.sh" "$build" benchmarks/validate/bench_validate
for cat in 20 0 100; do
    "$build/benchmarks/validate/bench_validate" "${2:-1000000}" 100 "$cat" "${3:-5}"
done
