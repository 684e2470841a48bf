#!/bin/sh
# Runs the Python binding's tests (bindings/python/tests, doc/python.md and
# doc/examples/quickstart.py) against a build folder's libmlops.so.1: makes
# a virtual environment inside the build folder, with the package itself
# (no compiler: CC is set to `false`), that sees the third-party packages
# the tests use, installed from PyPI once into a cache outside the clone:
# pytest, numpy and the pinned pandas and pyarrow (the binding's optional
# DataFrame and Arrow inputs, tests/test_frames.py), and the pinned
# frameworks of mlops.integrations (tests/test_integrations.py). MLflow
# (mlflow-skinny, with SQLAlchemy and Alembic for its SQLite store) is the
# oracle of the mlflow_compat tests and the source of the mlflow_import
# tests; mlops never needs it.
# usage: scripts/test-python.sh BUILD_DIR [pytest arguments...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
shift
lib=$build/lib/libmlops.so.1
[ -f "$lib" ] || { echo "test-python: no $lib (build first)" >&2; exit 1; }

venv=$build/python-venv
pandas=3.1.1 pyarrow=26.0.1
mlflow=3.17.2 sqlalchemy=2.1.9 alembic=1.20.1
base="pytest numpy pandas==$pandas pyarrow==$pyarrow mlflow-skinny==$mlflow sqlalchemy==$sqlalchemy alembic==$alembic"
# The frameworks of mlops.integrations' tests (CPU only: xgboost-cpu, as
# the xgboost wheel brings NVIDIA's libraries; Keras on JAX).
frameworks="keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 xgboost-cpu==3.2.0 lightgbm==4.7.0 scikit-learn==1.9.1"

# The third-party packages live in a cache outside the clone, one per
# Python and set of pins (as scripts/build-versitygw.sh's server): a fresh
# clone on a machine that ran this before installs none of them again
# (about a minute and a half of pip on 2 cores). Made in a folder of its
# own and moved into place whole, never changed after: a run interrupted,
# or two at once, leave no half environment. Its modules are compiled
# once there, so that each run imports them without compiling them again.
key=$(printf '%s\n' "$(python3 -c 'import sys; print(sys.version)')" $base $frameworks |
    sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libmlops
deps=$cache/python-deps-$key
if [ ! -f "$deps/complete" ]; then
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/python-deps.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    echo "test-python: installing the test dependencies into $deps (once)" >&2
    python3 -m venv "$tmp"
    # (python -m pip: the scripts in bin/ name the folder they were made in)
    # shellcheck disable=SC2086 # one argument per package
    "$tmp/bin/python" -m pip install -q --disable-pip-version-check --no-compile $base
    # shellcheck disable=SC2086
    "$tmp/bin/python" -m pip install -q --disable-pip-version-check --no-compile $frameworks
    # Compiled under the names the modules will have once moved (for
    # tracebacks).
    tmp_site=$("$tmp/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    "$tmp/bin/python" -m compileall -q -j 2 -d "$deps${tmp_site#"$tmp"}" "$tmp_site" >/dev/null || true
    touch "$tmp/complete"
    mv -T "$tmp" "$deps" 2>/dev/null || rm -rf "$tmp" # another run's, if it won
    trap - EXIT
fi
deps_site=$("$deps/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

# The build folder's own virtual environment, which sees the cached
# packages (a .pth file) and gets the package itself.
if [ "$(cat "$venv/deps" 2>/dev/null)" != "$deps" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    printf '%s\n' "$deps_site" >"$site/mlops-test-deps.pth"
    printf '%s\n' "$deps" >"$venv/deps"
fi
# Installed from a copy (pip builds in the folder it is given), stamped
# with the library's version: the pure wheel, which uses the system's (here
# MLOPS_LIBRARY's) libmlops, as `pip install ./bindings/python` makes it.
"$root/scripts/python-stage.sh" "$build" "$build/python-src"
CC=false CXX=false "$venv/bin/pip" install -q --disable-pip-version-check --no-deps \
    --force-reinstall "$build/python-src"

# From the tests folder, so that `import mlops` finds the installed package.
cd "$root/bindings/python/tests"
# Keras on JAX, on the CPU, keeping its settings file in the build folder;
# MLflow without telemetry.
MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true \
MLOPS_LIBRARY=$lib KERAS_BACKEND=jax KERAS_HOME=$build/keras-home JAX_PLATFORMS=cpu \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
