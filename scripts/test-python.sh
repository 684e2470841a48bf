#!/bin/sh
# Runs the Python binding's tests (bindings/python/tests, doc/python.md and
# doc/examples/quickstart.py) against a build folder's libmlops.so.1: makes
# a virtual environment inside the build folder, installs pytest, numpy and
# the pinned pandas and pyarrow (the binding's optional DataFrame and Arrow
# inputs, tests/test_frames.py), the pinned frameworks of mlops.integrations
# (tests/test_integrations.py) from PyPI and the package itself (no
# compiler: CC is set to `false`). MLflow (mlflow-skinny, with SQLAlchemy
# and Alembic for its SQLite store) is the oracle of the mlflow_compat tests
# and the source of the mlflow_import tests; mlops never needs it. pip keeps
# its download cache, so a fresh venv reinstalls without downloading.
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
if ! "$venv/bin/python" -c "
import sys, pytest, numpy, pandas, pyarrow
from importlib.metadata import version  # (importing mlflow takes seconds)
sys.exit(pandas.__version__ != '$pandas' or pyarrow.__version__ != '$pyarrow'
         or version('mlflow-skinny') != '$mlflow')" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check pytest numpy \
        "pandas==$pandas" "pyarrow==$pyarrow" \
        "mlflow-skinny==$mlflow" "sqlalchemy==$sqlalchemy" "alembic==$alembic"
fi
# The frameworks of mlops.integrations' tests (CPU only: xgboost-cpu, as
# the xgboost wheel brings NVIDIA's libraries; Keras on JAX), installed
# again only when a pin changes; their versions are read from the
# installed metadata, without importing them. --no-compile: compiling
# every module of these packages up front takes a minute on a busy
# machine; Python compiles the few the tests import, once, on first use.
frameworks="keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 xgboost-cpu==3.2.0 lightgbm==4.7.0 scikit-learn==1.9.1"
if ! "$venv/bin/python" -c "
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    sys.exit(any(version(p) != v for p, v in (x.split('==') for x in sys.argv[1:])))
except PackageNotFoundError:
    sys.exit(1)" $frameworks 2>/dev/null; then
    # shellcheck disable=SC2086 # one argument per pin
    "$venv/bin/pip" install -q --disable-pip-version-check --no-compile $frameworks
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
