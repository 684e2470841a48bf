"""Remotes, push and pull (doc/remotes.md): a round trip through a
directory remote, a second push that sends nothing, and the errors."""
import pytest

import mlops


def test_push_pull_round_trip(store, tmp_path):
    remote = tmp_path / "remote"
    data = bytes(range(256)) * 40000  # 10 MB: a chunked blob
    d = store.put(data)
    store.set_ref("weights", d)
    store.remote_add("team", str(remote))
    assert store.remotes() == [("team", str(remote))]
    first = store.push("team", "ref:weights")
    assert first.objects_sent == first.objects > 1
    again = store.push("team", ["ref:weights"])
    assert again.objects_sent == 0 and again.objects_present == first.objects

    with mlops.Store(tmp_path / "other", durability="none") as other:
        other.remote_add("team", str(remote))
        rep = other.pull("team", "ref:weights")
        assert rep.bytes_sent == first.bytes_sent
        assert other.get_ref("weights") == d
        assert other.get(d) == data
        with pytest.raises(mlops.NotFound):
            other.pull("team", "ref:never-pushed")


def test_remote_errors(store, tmp_path):
    store.remote_add("a", str(tmp_path / "a"))
    with pytest.raises(mlops.AlreadyExists):
        store.remote_add("a", str(tmp_path / "b"))
    with pytest.raises(mlops.InvalidArgument):
        store.remote_add("bad name", "/x")
    with pytest.raises(mlops.InvalidArgument):
        store.push("a", "nokind")
    with pytest.raises(mlops.NotFound):
        store.push("nope", "ref:x")
    with pytest.raises(ValueError):
        store.push("a", "ref:x\0y")
    store.remote_remove("a")
    assert store.remotes() == []
    with pytest.raises(mlops.NotFound):
        store.remote_remove("a")
