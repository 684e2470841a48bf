"""Issue 13: damage fsck reports rather than raises. An object whose
format-version byte reads 3 used to stop fsck ("unsupported", raised as an
error); it is damage like any other. And blob rows rewritten with SQL to
name other chunks are found, and reads of them fail."""
import os
import sqlite3

import pytest

import mlops


def object_path(store_path, digest):
    h = digest.hex
    return os.path.join(store_path, "objects", "sha256", h[:2], h[2:])


def test_fsck_reports_an_object_it_cannot_read(tmp_path):
    path = tmp_path / "s"
    with mlops.Store(path, durability="none") as store:
        d1, d2, d3 = (store.put(t) for t in (b"first object", b"second object", b"third"))
    for d in (d1, d2):
        p = object_path(path, d)
        os.chmod(p, 0o644)
        with open(p, "r+b") as f:
            if d == d1:
                f.seek(4)  # the object format version
                f.write(bytes([3]))
            else:
                f.seek(-1, os.SEEK_END)
                last = f.read(1)
                f.seek(-1, os.SEEK_END)
                f.write(bytes([last[0] ^ 0xFF]))
    with mlops.Store(path) as store:
        rep = store.fsck()
        assert not rep.ok
        assert (rep.checked, rep.corrupt, rep.quarantined) == (3, 2, 2)
        assert sorted(i.digest.hex for i in rep.issues) == sorted([d1.hex, d2.hex])
        assert all(i.problem == "corrupt" for i in rep.issues)
        assert store.get(d3) == b"third"


def test_fsck_reports_rewritten_chunk_rows(tmp_path):
    path = tmp_path / "s"
    size = 6 << 20  # over the default 4 MiB chunk maximum: chunked
    a, b = os.urandom(size), os.urandom(size)
    with mlops.Store(path, durability="none") as store:
        da, db = store.put(a), store.put(b)
    with sqlite3.connect(path / "mlops.db") as c:
        va, vb = bytes.fromhex(da.hex), bytes.fromhex(db.hex)
        c.execute("DELETE FROM cas_chunk WHERE blob = ?", (va,))
        c.execute("INSERT INTO cas_chunk(blob, pos, size, chunk) "
                  "SELECT ?, pos, size, chunk FROM cas_chunk WHERE blob = ?", (va, vb))
        c.execute("UPDATE cas_content SET chunks = (SELECT chunks FROM cas_content "
                  "WHERE digest = ?) WHERE digest = ?", (vb, va))
    with mlops.Store(path) as store:
        with pytest.raises(mlops.Corrupt):
            store.get(da)
        rep = store.fsck()
        assert not rep.ok and rep.quarantined == 0
        assert [i.digest.hex for i in rep.issues] == [da.hex]
        assert store.get(db) == b


def test_deep_verify_rehashes_the_signed_artifact(tmp_path, keypair):
    priv, pub = keypair
    path = tmp_path / "s"
    with mlops.Store(path, durability="none") as store:
        d = store.put(b"model weights")
        store.create_model("m")
        v = store.create_model_version("m", d)
        store.sign_model_version("m", v, priv)
        store.verify_model_version("m", v, pub, deep=True)
    p = object_path(path, d)
    os.chmod(p, 0o644)
    with open(p, "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))
    with mlops.Store(path) as store:
        store.verify_model_version("m", v, pub)  # the signature is over the digest
        with pytest.raises(mlops.Corrupt):
            store.verify_model_version("m", v, pub, deep=True)
