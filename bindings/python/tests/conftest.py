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

EVAL_GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests",
                               "eval")


def golden_num(s):
    """A golden value: C99 hex floats, or nan/inf/-inf."""
    return float(s) if s in ("nan", "inf", "-inf") else float.fromhex(s)


def load_eval_golden(name):
    """tests/eval/NAME as ({data name: list of int or float}, [other lines as word lists])."""
    data, lines = {}, []
    with open(os.path.join(EVAL_GOLDEN_DIR, name)) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if parts[0] == "data":
                n = int(parts[3])
                vals = parts[4:4 + n]
                data[parts[1]] = [int(v) for v in vals] if parts[2] == "i" else [golden_num(v) for v in vals]
            else:
                lines.append(parts)
    return data, lines


def golden_fields(parts):
    """The KEY=VALUE words before "->" as a dict, and the words after it."""
    i = parts.index("->")
    return dict(p.split("=", 1) for p in parts[:i]), parts[i + 1:]


def close12(got, want):
    """Within 1e-12 relative; NaN matches NaN, infinities match exactly."""
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return got == want or abs(got - want) <= 1e-12 * max(abs(got), abs(want))
