"""Errors become exceptions carrying the code and the library's message."""
import threading

import pytest

import mlops
from mlops import errors


def test_hierarchy():
    for cls in errors.BY_CODE.values():
        assert issubclass(cls, mlops.MlopsError)
    assert issubclass(mlops.InvalidArgument, ValueError)
    assert issubclass(mlops.NotFound, LookupError)
    codes = {cls.code for cls in errors.BY_CODE.values()}
    # 14 (MLOPS_ITEROVER) is not an error; 15 is MLOPS_EPERM, since 1.1.
    assert codes == set(range(1, 14)) | {15}
    assert errors.BY_CODE[15] is mlops.PermissionDenied


def test_exception_carries_code_name_and_message(store):
    d = mlops.Digest.compute(b"never stored")
    with pytest.raises(mlops.NotFound) as e:
        store.get(d)
    assert e.value.code == 2
    assert e.value.code_name == "not found"
    assert d.hex in e.value.message  # the library names the object
    assert str(e.value).endswith("[not found]")


def test_each_code_maps_to_its_class(store, tmp_path):
    with pytest.raises(mlops.InvalidArgument):
        mlops.Digest("sha256:nothex")
    with pytest.raises(mlops.AlreadyExists):
        store.create_experiment("x")
        store.create_experiment("x")
    with pytest.raises(mlops.FormatError):
        f = tmp_path / "file"
        f.write_text("not a store")
        mlops.Store(f)
    with pytest.raises(mlops.NotFound):
        mlops.Store(tmp_path / "missing", create=False)


def test_message_is_read_on_the_failing_thread(store):
    # The library's last error is thread-local: each thread must see the
    # message of its own failure, even when others fail at the same time.
    errors_seen = {}
    barrier = threading.Barrier(4)

    def worker(i):
        barrier.wait()
        for _ in range(200):
            try:
                store.get_experiment(f"missing-{i}")
            except mlops.NotFound as e:
                if f"missing-{i}" not in e.message:
                    errors_seen[i] = e.message
                    return

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors_seen == {}


def test_closed_store_is_a_python_error(tmp_path):
    s = mlops.Store(tmp_path / "s")
    s.close()
    s.close()  # twice is fine
    assert s.closed
    with pytest.raises(ValueError):
        s.put(b"x")
    assert "closed" in repr(s)
