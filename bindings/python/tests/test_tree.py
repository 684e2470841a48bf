"""Trees, references, stat and listing, fsck and gc."""
import os

import pytest

import mlops


def make_dir(root):
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha")
    (root / "sub" / "b.bin").write_bytes(os.urandom(5000))
    os.chmod(root / "a.txt", 0o640)
    os.symlink("a.txt", root / "link")
    return root


def test_put_and_get_tree(store, tmp_path):
    src = make_dir(tmp_path / "src")
    d = store.put_tree(src)
    assert isinstance(d, mlops.Digest)
    assert store.put_tree(str(src)) == d  # same content, same digest
    out = tmp_path / "out"
    store.get_tree(d, out)
    assert (out / "a.txt").read_text() == "alpha"
    assert (out / "sub" / "b.bin").read_bytes() == (src / "sub" / "b.bin").read_bytes()
    assert os.readlink(out / "link") == "a.txt"
    assert (os.stat(out / "a.txt").st_mode & 0o777) == 0o640
    # One changed file: another root digest.
    (src / "sub" / "b.bin").write_bytes(b"changed")
    assert store.put_tree(src) != d
    info = store.stat(d)
    assert info.kind == "tree" and info.digest == d and info.chunks == 3


def test_tree_follow_symlinks(store, tmp_path):
    src = make_dir(tmp_path / "src")
    d = store.put_tree(src, follow_symlinks=True)
    out = tmp_path / "out"
    store.get_tree(d, out)
    assert not os.path.islink(out / "link") and (out / "link").read_text() == "alpha"


def test_tree_errors(store, tmp_path):
    with pytest.raises(mlops.NotFound):
        store.put_tree(tmp_path / "missing")
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(mlops.InvalidArgument):
        store.put_tree(f)
    d = store.put_tree(make_dir(tmp_path / "src"))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(mlops.AlreadyExists):
        store.get_tree(d, busy)
    with pytest.raises(mlops.InvalidArgument):
        store.get_tree(store.put(b"a blob"), tmp_path / "t")
    with pytest.raises(mlops.NotFound):
        store.get_tree(mlops.Digest.compute(b"none"), tmp_path / "t")


def test_get_tree_limits_modes_links(store, tmp_path):
    """Issue 13, findings 4 and 11, through the binding."""
    src = tmp_path / "src"
    (src / "open").mkdir(parents=True)
    (src / "open" / "f.txt").write_text("data")
    os.chmod(src / "open", 0o777)
    os.symlink("../../outside", src / "open" / "esc")
    d = store.put_tree(src)
    with pytest.raises(mlops.InvalidArgument, match="max_entries"):
        store.get_tree(d, tmp_path / "a", max_entries=2)
    with pytest.raises(mlops.InvalidArgument, match="max_bytes"):
        store.get_tree(d, tmp_path / "a", max_bytes=3)
    with pytest.raises(mlops.InvalidArgument, match="leads 1 level above"):
        store.get_tree(d, tmp_path / "a", contained_links=True)
    assert not (tmp_path / "a").exists()
    with pytest.raises(ValueError):
        store.get_tree(d, tmp_path / "a", max_entries=-1)
    old = os.umask(0o077)
    try:
        store.get_tree(d, tmp_path / "a", max_entries=float("inf"))
        store.get_tree(d, tmp_path / "k", keep_modes=True)
    finally:
        os.umask(old)
    assert (os.stat(tmp_path / "a" / "open").st_mode & 0o777) == 0o700
    assert (os.stat(tmp_path / "k" / "open").st_mode & 0o777) == 0o777
    assert os.readlink(tmp_path / "a" / "open" / "esc") == "../../outside"


def test_refs(store):
    a, b = store.put(b"a"), store.put(b"b")
    store.set_ref("datasets/train", a)
    store.set_ref("datasets/test", b)
    store.set_ref("models/best", a)
    assert store.get_ref("datasets/train") == a
    store.set_ref("datasets/train", b)  # moves
    assert store.get_ref("datasets/train") == b
    assert store.refs() == {"datasets/test": b, "datasets/train": b, "models/best": a}
    assert list(store.iter_refs("datasets/")) == [("datasets/test", b), ("datasets/train", b)]
    assert store.refs("none/") == {}
    store.delete_ref("models/best")
    with pytest.raises(mlops.NotFound):
        store.get_ref("models/best")
    with pytest.raises(mlops.NotFound):
        store.delete_ref("models/best")
    with pytest.raises(mlops.NotFound):
        store.set_ref("x", mlops.Digest.compute(b"not stored"))
    with pytest.raises(mlops.InvalidArgument):
        store.set_ref("", a)


def test_stat_and_list(tmp_path):
    with mlops.Store(tmp_path / "s", durability="none", chunk_min_size=16 * 1024,
                     chunk_avg_size=64 * 1024, chunk_max_size=256 * 1024) as store:
        small = store.put(b"x" * 1000)
        big = store.put(os.urandom(1_000_000))
        tree = store.put_tree(make_dir(tmp_path / "src"))
        s = store.stat(small)
        assert isinstance(s, mlops.BlobInfo)
        assert (s.kind, s.size, s.chunks) == ("blob", 1000, 1)
        assert s.encoding in ("raw", "zstd") and s.created_ms > 0 and s.stored > 0
        b = store.stat(big)
        assert b.encoding == "chunked" and b.chunks > 1 and b.size == 1_000_000
        everything = list(store.iter_blobs())
        digests = [i.digest for i in everything]
        assert digests == sorted(digests, key=lambda d: d.raw)
        assert {small, big, tree} <= set(digests)
        assert [i.digest for i in store.iter_blobs("tree")] == sorted(
            [i.digest for i in everything if i.kind == "tree"], key=lambda d: d.raw)
        assert all(i.kind == "blob" for i in store.iter_blobs("blob"))
        with pytest.raises(ValueError):
            list(store.iter_blobs("dirs"))
        with pytest.raises(mlops.NotFound):
            store.stat(mlops.Digest.compute(b"none"))


def test_fsck_and_gc(tmp_path):
    path = tmp_path / "s"
    with mlops.Store(path, durability="none") as store:
        keep = store.put(b"kept by a ref " * 100)
        store.set_ref("keep", keep)
        gone = store.put(b"unreferenced " * 100)
        rep = store.fsck()
        assert isinstance(rep, mlops.FsckReport)
        assert rep.ok and rep.corrupt == 0 and rep.issues == [] and rep.checked >= 2
        assert store.fsck(sample=0.5, quarantine=False).ok
        dry = store.gc(grace_ms=0, dry_run=True)
        assert isinstance(dry, mlops.GcReport) and dry.contents == 1
        assert store.exists(gone)
        g = store.gc(grace_ms=0)
        assert g.contents == 1 and g.bytes > 0 and g.kept_contents >= 1
        assert not store.exists(gone) and store.get(keep) == b"kept by a ref " * 100
        assert store.gc().contents == 0  # default grace keeps recent content
        with pytest.raises(mlops.InvalidArgument):
            store.gc(grace_ms=-1)
        with pytest.raises(mlops.InvalidArgument):
            store.fsck(sample=0)
    # Damage an object file: fsck reports it (not raised) and quarantines it.
    objects = [os.path.join(dp, f) for dp, _, fs in os.walk(path / "objects") for f in fs]
    assert objects
    for o in objects:
        os.chmod(o, 0o644)
        with open(o, "r+b") as f:
            f.seek(-1, os.SEEK_END)
            last = f.read(1)
            f.seek(-1, os.SEEK_END)
            f.write(bytes([last[0] ^ 0xFF]))
    with mlops.Store(path) as store:
        rep = store.fsck()
        assert not rep.ok and rep.corrupt >= 1 and rep.quarantined == rep.corrupt
        assert all(isinstance(i, mlops.FsckIssue) and i.problem == "corrupt" for i in rep.issues)
        assert keep in [i.digest for i in rep.issues] or rep.corrupt >= 1
        with pytest.raises(mlops.Corrupt):
            store.get(keep)
    with mlops.Store(path, read_only=True) as store:
        with pytest.raises(mlops.ReadOnly):
            store.gc(grace_ms=0)
