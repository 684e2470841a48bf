#!/bin/sh
# Runs the registry benchmark (benchmarks/registry/bench_registry.c) and its
# anchors side by side: raw SQLite in the C program, then MLflow's registry
# and a Python verifier of the audit format (anchors.py, in a virtualenv).
# usage: benchmarks/registry/run.sh [-q]      (-q: a tenth of the sizes)
# Not part of the test command. Needs the network for pip the first time.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
quick=""
[ "${1:-}" = "-q" ] && quick="-q"

scripts/install-deps.sh main
apt_missing=""
for p in python3-venv python3-pip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_missing="$apt_missing $p"
done
if [ -n "$apt_missing" ] && ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $apt_missing
fi

build=build-bench
scripts/setup-build.sh "$build" -Dtests=false -Dbuildtype=release -Dwerror=false >/dev/null
work="$root/$build/registry-work"
mkdir -p "$work"

venv="$root/$build/venv-registry"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q mlflow-skinny sqlalchemy alembic msgpack
fi

"$build/benchmarks/registry/bench_registry" $quick "$work" | tee "$work/ours.txt"
echo
"$venv/bin/python" benchmarks/registry/anchors.py "$work" "$work/ours.txt" $quick
