"""Shared fixtures. The library under test is the one the mlops package
loads (MLOPS_LIBRARY or LD_LIBRARY_PATH, set by scripts/test.sh)."""
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
