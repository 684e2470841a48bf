"""The process-wide thread limit: set_thread_limit/thread_limit, and
MLOPS_THREADS read at import (the limit itself is tested in C, in
tests/test_threads.c)."""
import os

import pytest

import mlops
from conftest import run_python


def test_set_and_get():
    before = mlops.thread_limit()
    try:
        mlops.set_thread_limit(1)
        assert mlops.thread_limit() == 1
        mlops.set_thread_limit(0)
        assert mlops.thread_limit() == 0
        for bad in (-1, 257, 2**32 + 1):
            with pytest.raises(mlops.InvalidArgument):
                mlops.set_thread_limit(bad)
        with pytest.raises(TypeError):
            mlops.set_thread_limit("2")
        assert mlops.thread_limit() == 0
    finally:
        mlops.set_thread_limit(before)


def test_same_bytes_at_any_limit(store):
    data = os.urandom(3 << 20)
    try:
        for n in (1, 2, 0):
            mlops.set_thread_limit(n)
            d = store.put(data)
            assert store.get(d) == data
    finally:
        mlops.set_thread_limit(0)


def test_environment_is_read_at_import():
    p = run_python("import mlops; print(mlops.thread_limit())", env={"MLOPS_THREADS": "3"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "3"
    p = run_python("import mlops; print(mlops.thread_limit())", env={"MLOPS_THREADS": None})
    assert p.stdout.strip() == "0", p.stderr
    p = run_python("import mlops", env={"MLOPS_THREADS": "many"})
    assert p.returncode != 0
    assert "MLOPS_THREADS" in p.stderr
