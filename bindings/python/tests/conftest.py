"""Shared fixtures. The library under test is the one the mlops package
loads (MLOPS_LIBRARY or LD_LIBRARY_PATH, set by scripts/test.sh)."""
import math
import os
import subprocess
import sys

import pytest

import mlops


@pytest.fixture
def store(tmp_path):
    """A fresh store without fsync (fast), closed after the test."""
    s = mlops.Store(tmp_path / "store", durability="none")
    yield s
    s.close()


@pytest.fixture
def run(store):
    """A running run in experiment "exp"."""
    r = store.start_run("exp", "r")
    yield r
    r.close()


@pytest.fixture(scope="session")
def keypair(tmp_path_factory):
    """An Ed25519 key pair as PEM texts (private, public), made by openssl."""
    d = tmp_path_factory.mktemp("keys")
    priv, pub = d / "k.pem", d / "k.pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(priv)],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(priv), "-pubout", "-out", str(pub)],
                   check=True, capture_output=True)
    return priv.read_text(), pub.read_text()


def run_python(code, env=None, cwd=None):
    """Runs code in a fresh interpreter; returns the CompletedProcess."""
    e = dict(os.environ)
    if env is not None:
        e.update(env)
        for k, v in env.items():
            if v is None:
                del e[k]
    return subprocess.run([sys.executable, "-c", code], env=e, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


# ---- the evaluation golden files (tests/eval/*.txt), shared with the C suites

# The reader lives beside the files (plain Python, shared with tests/cli).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "eval"))
from golden_file import fields as golden_fields  # noqa: E402,F401
from golden_file import load as load_eval_golden  # noqa: E402,F401
from golden_file import num as golden_num  # noqa: E402,F401


def close12(got, want):
    """Within 1e-12 relative; NaN matches NaN, infinities match exactly."""
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return got == want or abs(got - want) <= 1e-12 * max(abs(got), abs(want))


@pytest.fixture(scope="session")
def mlflow_empty_db(tmp_path_factory):
    """An empty MLflow SQLite store, its tables made once per session (MLflow's
    migrations take seconds): tests copy the file (mlflow_sqlite)."""
    mlflow = pytest.importorskip("mlflow")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    db = tmp_path_factory.mktemp("mlflow") / "empty.db"
    mlflow.MlflowClient(tracking_uri=f"sqlite:///{db}").search_experiments()
    return db


@pytest.fixture
def mlflow_sqlite(mlflow_empty_db, tmp_path):
    """The URI of a fresh MLflow SQLite store in tmp_path."""
    import shutil
    db = tmp_path / "mlflow.db"
    shutil.copyfile(mlflow_empty_db, db)
    return f"sqlite:///{db}"
