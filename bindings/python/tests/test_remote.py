"""Remotes, push and pull (doc/remotes.md): a round trip through a
directory remote, a second push that sends nothing, and the errors."""
import os

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


def _origin(store):
    art = store.put(bytes(range(256)) * 1000)
    with store.start_run("e") as run:
        run.log_metric("loss", 0.5, step=1)
        run.log_metric("loss", 0.25, step=2)
        run.log_output(art, "model.bin")
    store.create_model("m")
    store.create_model_version("m", art, run)
    store.set_alias("m", "prod", 1)
    return run.id, art


def test_bundle_round_trip_and_rename(store, tmp_path):
    run_id, art = _origin(store)
    path = tmp_path / "m.mlb"
    out = store.bundle_export(path, ["model:m@prod"])
    assert (out.runs, out.metric_points, out.versions, out.alias_entries) == (1, 2, 1, 1)
    assert out.bytes == path.stat().st_size
    assert out.origin_head_hash == store.audit_head().hash
    with mlops.Store(tmp_path / "other", durability="none") as other:
        first = other.bundle_import(path)
        assert first.records_added > 0 and first.objects_added == out.objects
        assert other.get(art) == store.get(art)
        assert other.get_alias("m", "prod") == 1
        assert len(other.metric_history(run_id, "loss")) == 2
        other.audit_verify()
        again = other.bundle_import(str(path))
        assert (again.records_added, again.objects_added) == (0, 0)

    with mlops.Store(tmp_path / "third", durability="none") as third:
        mine = third.put(b"another model")
        third.create_model("m")
        third.create_model_version("m", mine)
        with pytest.raises(mlops.Conflict):
            third.bundle_import(path)
        with pytest.raises(mlops.NotFound):
            third.get_run(run_id)
        rep = third.bundle_import(path, rename="team-")
        assert rep.renumbered == 1
        assert third.get_model_version("m", 2).artifact == art
        assert third.get_alias("m", "prod") == 2

    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    bad = tmp_path / "bad.mlb"
    bad.write_bytes(bytes(data))
    with mlops.Store(tmp_path / "fourth", durability="none") as fourth:
        with pytest.raises((mlops.Corrupt, mlops.SignatureError)):
            fourth.bundle_import(bad)
        assert fourth.audit_head().seq == 0
    with pytest.raises(mlops.InvalidArgument):
        store.bundle_export(tmp_path / "x.mlb", "nokind")
    with pytest.raises(mlops.InvalidArgument):
        store.bundle_import(path, rename="bad prefix")


def test_bundle_paths_are_file_system_paths(store, tmp_path):
    # A file name that is not UTF-8 (os.fsdecode gives it surrogate
    # escapes), and bytes paths, reach the file system as they are.
    store.set_ref("r", store.put(b"bundled"))
    raw = bytes(tmp_path) + b"/b\xff.mlb"
    out = store.bundle_export(os.fsdecode(raw), "ref:r")
    assert os.path.exists(raw) and out.bytes == os.stat(raw).st_size
    store.bundle_export(bytes(tmp_path) + b"/c\xfe.mlb", "ref:r")
    with mlops.Store(tmp_path / "other", durability="none") as other:
        assert other.bundle_import(os.fsdecode(raw)).objects_added == out.objects
        assert other.bundle_import(bytes(tmp_path) + b"/c\xfe.mlb").objects_added == 0
    with pytest.raises(ValueError):
        store.bundle_export(str(tmp_path / "x\0.mlb"), "ref:r")
