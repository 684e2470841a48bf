"""Blobs: put from bytes, buffers, paths and streams; get; open; writer."""
import array
import hashlib
import io
import os

import pytest

import mlops

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_put_get_bytes(store):
    d = store.put(b"hello")
    assert isinstance(d, mlops.Digest) and str(d) == sha(b"hello")
    assert store.get(d) == b"hello"
    assert store.get(str(d)) == b"hello"
    assert store.exists(d) and d in store and str(d) in store
    assert 42 not in store


def test_empty_blob(store):
    d = store.put(b"")
    assert store.get(d) == b""
    with store.open(d) as f:
        assert f.size == 0 and f.read() == b""


@pytest.mark.parametrize("make", [bytearray, memoryview, lambda b: array.array("B", b)])
def test_put_buffers(store, make):
    data = os.urandom(10000)
    assert store.put(make(data)) == sha(data)


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_put_numpy_array(store):
    a = numpy.arange(1000, dtype=numpy.float64)
    assert store.put(a) == sha(a.tobytes())
    with pytest.raises((BufferError, ValueError)):
        store.put(a[::2])  # not contiguous: refused rather than copied


def test_put_path_and_pathlike(store, tmp_path):
    data = os.urandom(3 * 1024 * 1024)
    p = tmp_path / "f.bin"
    p.write_bytes(data)
    assert store.put(p) == sha(data)
    assert store.put(str(p)) == sha(data)
    assert store.put_file(p) == sha(data)


def test_put_path_errors(store, tmp_path):
    with pytest.raises(mlops.NotFound):
        store.put(tmp_path / "missing")
    with pytest.raises(mlops.InvalidArgument):
        store.put(tmp_path)


def test_put_stream(store):
    data = os.urandom(3 * 1024 * 1024 + 7)
    assert store.put(io.BytesIO(data)) == sha(data)

    class ReadOnly:
        def __init__(self, b):
            self.f = io.BytesIO(b)

        def read(self, n):
            return self.f.read(n)

    assert store.put(ReadOnly(data)) == sha(data)


def test_writer(store):
    with store.writer() as w:
        assert w.write(b"abc") == 3
        w.write(bytearray(b"def"))
        w.write(memoryview(b"ghi"))
    assert w.digest == sha(b"abcdefghi")
    assert store.get(w.digest) == b"abcdefghi"
    with pytest.raises(ValueError):
        w.write(b"more")
    with pytest.raises(ValueError):
        w.commit()


def test_writer_aborts_on_exception(store):
    with pytest.raises(RuntimeError):
        with store.writer() as w:
            w.write(b"never")
            raise RuntimeError("boom")
    assert w.digest is None
    assert not store.exists(mlops.Digest.compute(b"never"))
    w2 = store.writer()
    w2.write(b"x")
    w2.abort()
    w2.abort()


def test_get_errors(store):
    with pytest.raises(mlops.NotFound):
        store.get(mlops.Digest.compute(b"nope"))
    with pytest.raises(mlops.InvalidArgument):
        store.get("sha256:xyz")
    with pytest.raises(TypeError):
        store.get(12)  # type: ignore[arg-type]


def test_get_file(store, tmp_path):
    d = store.put(b"content")
    out = tmp_path / "out.bin"
    store.get_file(d, out)
    assert out.read_bytes() == b"content"
    with pytest.raises(mlops.AlreadyExists):
        store.get_file(d, out)
    d2 = store.put(b"other")
    store.get_file(d2, out, replace=True)
    assert out.read_bytes() == b"other"
    with pytest.raises(mlops.NotFound):
        store.get_file(mlops.Digest.compute(b"nope"), tmp_path / "x")


def test_read_at(store):
    data = os.urandom(100000)
    d = store.put(data)
    assert store.read_at(d, 0, 10) == data[:10]
    assert store.read_at(d, 99990, 100) == data[99990:]
    assert store.read_at(d, 200000, 10) == b""
    with pytest.raises(mlops.NotFound):
        store.read_at(mlops.Digest.compute(b"nope"), 0, 1)


def test_open_reads_seeks_and_readinto(tmp_path):
    # Small chunks so that the blob spans many chunks and seeks use
    # random access across them.
    with mlops.Store(tmp_path / "s", durability="none", chunk_min_size=16 * 1024,
                     chunk_avg_size=64 * 1024, chunk_max_size=256 * 1024) as store:
        data = os.urandom(3 * 1024 * 1024 + 123)
        d = store.put(data)
        with store.open(d) as f:
            assert isinstance(f, io.RawIOBase)
            assert f.readable() and f.seekable() and not f.writable()
            assert f.size == len(data) and f.digest == d
            assert f.read(100) == data[:100]
            assert f.tell() == 100
            buf = bytearray(1000)
            assert f.readinto(buf) == 1000 and buf == data[100:1100]
            assert f.seek(2_000_000) == 2_000_000
            assert f.read(5000) == data[2_000_000:2_005_000]
            assert f.seek(-10, io.SEEK_END) == len(data) - 10
            assert f.read() == data[-10:]
            assert f.read(10) == b""
            f.seek(5)
            assert f.seek(5, io.SEEK_CUR) == 10
            assert f.read() == data[10:]
            f.seek(0)
            # readinto writes straight into the caller's memory: a numpy
            # array or a memoryview slice.
            if numpy is not None:
                a = numpy.zeros(4096, dtype=numpy.uint8)
                assert f.readinto(a) == 4096
                assert a.tobytes() == data[:4096]
            view = memoryview(bytearray(10))
            f.seek(7)
            assert f.readinto(view[2:6]) == 4 and view.tobytes()[2:6] == data[7:11]
            with pytest.raises(ValueError):
                f.seek(-1)
            with pytest.raises(ValueError):
                f.seek(0, 7)
            with pytest.raises(BufferError):
                f.readinto(b"read-only bytes")
        assert f.closed
        with pytest.raises(ValueError):
            f.read()
        # Buffered wrappers work on top.
        with io.BufferedReader(store.open(d)) as br:
            assert br.read(3) == data[:3]
            assert br.peek(1)[:1] == data[3:4]


def test_blob_file_seek_takes_integers_only(store):
    # As io's files: a float offset is a TypeError at the seek, not a
    # float position that tell() returns and the next read fails on.
    d = store.put(b"0123456789")
    with store.open(d) as f:
        f.seek(3)
        for bad in (1.5, "2", None):
            with pytest.raises(TypeError):
                f.seek(bad)
        assert f.tell() == 3 and isinstance(f.tell(), int)
        assert f.read(2) == b"34"
        if numpy is not None:  # integers with __index__ are fine
            assert f.seek(numpy.int64(7)) == 7 and type(f.tell()) is int
            assert f.read() == b"789"


def test_blob_file_write_is_unsupported(store):
    # A read-only file refuses writes with io.UnsupportedOperation (an
    # OSError), as a file opened "rb" does; a closed one with ValueError.
    d = store.put(b"abc")
    f = store.open(d)
    with pytest.raises(io.UnsupportedOperation):
        f.write(b"x")
    with pytest.raises(io.UnsupportedOperation):
        f.truncate()
    f.close()
    for call in (lambda: f.write(b"x"), f.readable, f.seekable, f.writable):
        with pytest.raises(ValueError):
            call()

def test_open_missing(store):
    with pytest.raises(mlops.NotFound):
        store.open(mlops.Digest.compute(b"nope"))


def test_read_only_store(tmp_path):
    with mlops.Store(tmp_path / "s") as s:
        d = s.put(b"x")
    with mlops.Store(tmp_path / "s", read_only=True) as s:
        assert s.get(d) == b"x"
        with pytest.raises(mlops.ReadOnly):
            s.put(b"y")
        with pytest.raises(mlops.ReadOnly):
            s.writer()


def test_store_options_and_properties(tmp_path):
    with mlops.Store(tmp_path / "s", durability="full", busy_timeout_ms=1000,
                     compression_level=5, threads=2, actor="alice") as s:
        assert s.path == str(tmp_path / "s")
        assert s.format_version >= 1
        assert repr(s).startswith("<mlops.Store")
    with pytest.raises(ValueError):
        mlops.Store(tmp_path / "t", durability="sometimes")
    with pytest.raises(mlops.InvalidArgument):
        mlops.Store(tmp_path / "t", compression_level=99)


def test_closing_the_store_closes_its_children(tmp_path):
    s = mlops.Store(tmp_path / "s", durability="none")
    d = s.put(b"abc")
    f = s.open(d)
    w = s.writer()
    r = s.start_run("e")
    s.close()
    assert f.closed and r.closed and w.closed
