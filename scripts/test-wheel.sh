#!/bin/sh
# The self-contained wheel's check: builds it (scripts/build-wheel.sh),
# installs it into a fresh virtual environment and, from a folder outside
# the checkout with LD_LIBRARY_PATH, MLOPS_LIBRARY, PYTHONPATH and
# LIBRARY_PATH unset, runs doc/examples/quickstart.py, then
# scripts/wheel-check.py: the library and the libraries it links were
# loaded from the wheel, the versions agree, and a store needing a backend
# the wheel lacks raises mlops.Unsupported. A libmlops in ldconfig's cache
# is reported; the check still proves the wheel's own copy is the one used.
# usage: scripts/test-wheel.sh    (MLOPS_WHEEL_BUILD: as for build-wheel.sh)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MLOPS_WHEEL_BUILD:-$root/build-wheel}
export MLOPS_WHEEL_BUILD=$build
start=$(date +%s)

mkdir -p "$build"
"$root/scripts/build-wheel.sh" "$build/dist" >"$build/build-wheel.log" 2>&1 ||
    { cat "$build/build-wheel.log" >&2; exit 1; }
wheel=$(ls "$build"/dist/libmlops-*.whl)
echo "# figure: wheel $(basename "$wheel"): $(( $(wc -c <"$wheel") / 1024 )) KiB"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check --no-index --no-deps "$wheel"

if ldconfig -p 2>/dev/null | grep -q libmlops; then
    echo "test-wheel: note: ldconfig's cache has a libmlops; the check shows it is not used"
fi
mkdir "$work/run"
cd "$work/run"
clean() {
    env -u LD_LIBRARY_PATH -u MLOPS_LIBRARY -u PYTHONPATH -u LIBRARY_PATH -u PYTHONHOME "$@"
}
s3=
grep -q "^option('s3'" "$root/meson_options.txt" && s3=s3
# A copy of the example: the folder of the script run is on sys.path.
cp "$root/doc/examples/quickstart.py" "$work/run/"
clean "$work/venv/bin/python" "$work/run/quickstart.py" "$work/run/demo" >"$work/quickstart.log" 2>&1 ||
    { cat "$work/quickstart.log" >&2; echo "test-wheel: the quickstart failed" >&2; exit 1; }
tail -1 "$work/quickstart.log"
clean "$work/venv/bin/python" "$root/scripts/wheel-check.py" "$work/run" $s3
echo "test-wheel: passed in $(( $(date +%s) - start )) s"
