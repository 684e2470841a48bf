"""The store handle and its artifact (content-addressed) operations."""
from __future__ import annotations

import ctypes
import io
import operator
import os
import sys
from ctypes import byref, c_int, c_size_t, c_uint64, c_void_p
from typing import Any, BinaryIO, Optional, Union

from . import _buffer, drift
from ._cbase import CDigest
from ._capi import (
    C,
    BlobReaderP,
    BlobWriterP,
    StoreLocation,
    StoreOpts,
    StoreP,
    check,
    enc,
    enc_path,
    take_buffer,
)
from ._handle import Guard, Owned
from .digest import Digest, DigestLike, c_digest
from .delivery import DeliveryMixin
from .evaluations import EvaluationsMixin
from .gates import GatesMixin
from .imports import ImportMixin
from .monitors import MonitorsMixin
from .registry import RegistryMixin
from .remotes import RemoteMixin
from .track import TrackMixin
from .cas_tree import TreeMixin

__all__ = ["Store", "BlobFile", "BlobWriter", "DURABILITY"]

#: Durability policies by name (mlops_store_opts.durability).
DURABILITY = {"normal": 0, "full": 1, "none": 2}

PathLike = Union[str, "os.PathLike[str]"]
_STREAM_CHUNK = 1 << 20


class Store(Owned, TrackMixin, RegistryMixin, EvaluationsMixin, GatesMixin, TreeMixin,
            ImportMixin, DeliveryMixin, RemoteMixin, MonitorsMixin):
    """An open libmlops store: a directory holding artifacts, experiment
    records, the model registry and drift profiles.

    Use it as a context manager (``with mlops.Store(path) as store:``) or
    call ``close()``. One Store may be used from several threads at once;
    the C calls release the GIL, so threads run them in parallel.
    ``close()`` waits for the calls other threads have in flight, then
    releases the store and everything opened from it (runs, readers,
    writers, iterators); calls after it raise ValueError.

    A store made by ``Store.create(path, metadata=...)`` keeps its
    metadata in PostgreSQL (doc/shared-stores.md); ``Store(path)`` opens
    it like any other, and ``Store.open_location`` opens one without a
    store directory.

    Args:
        path: the store's directory; created when missing (unless
            ``create`` is False).
        create: create the store when it is missing or empty.
        read_only: open read-only (writes raise ReadOnly).
        durability: "normal" (default), "full" (fsync every commit) or
            "none" (no fsync: scratch stores and tests).
        busy_timeout_ms, compression_level, chunk_min_size,
        chunk_avg_size, chunk_max_size, threads, actor: as the fields of
            mlops_store_opts (None keeps the library's default).

    Raises:
        NotFound, FormatError, Unsupported, StorageIOError, InvalidArgument.
    """

    def __init__(
        self,
        path: PathLike,
        *,
        create: bool = True,
        read_only: bool = False,
        durability: str = "normal",
        busy_timeout_ms: Optional[int] = None,
        compression_level: Optional[int] = None,
        chunk_min_size: Optional[int] = None,
        chunk_avg_size: Optional[int] = None,
        chunk_max_size: Optional[int] = None,
        threads: Optional[int] = None,
        actor: Optional[str] = None,
    ) -> None:
        opts = _store_opts(
            create=create, read_only=read_only, durability=durability,
            busy_timeout_ms=busy_timeout_ms, compression_level=compression_level,
            chunk_min_size=chunk_min_size, chunk_avg_size=chunk_avg_size,
            chunk_max_size=chunk_max_size, threads=threads, actor=actor,
        )
        h = StoreP()
        check(C.mlops_store_open(enc_path(path), byref(opts), byref(h)))
        self._guard = Guard(h, C.mlops_store_close, "store")

    @classmethod
    def _adopt(cls, h: Any) -> "Store":
        # A Store owning the open handle h (from create or open_location).
        s = cls.__new__(cls)
        s._guard = Guard(h, C.mlops_store_close, "store")
        return s

    @classmethod
    def create(
        cls,
        path: PathLike,
        *,
        metadata: Optional[str] = None,
        schema: Optional[str] = None,
        objects: Optional[PathLike] = None,
        **options: Any,
    ) -> "Store":
        """Makes ``path`` a new store and returns it open
        (mlops_store_create, libmlops 1.1).

        With ``metadata`` (a libpq connection URI ``postgresql://...`` or a
        ``key=value`` string) the store's metadata lives in PostgreSQL, in
        ``schema`` (default "mlops"; one store per schema), and its objects
        in the folder ``objects`` (default: ``path``), which every user of
        the store must reach at that path. ``path`` then holds only
        ``mlops.conf`` naming them (doc/shared-stores.md), and every later
        ``Store(path)`` uses them. Without ``metadata`` it is an ordinary
        local store (``schema`` and ``objects`` are then ignored).

        A password in ``metadata`` is refused: libpq reads it from
        PGPASSWORD, ~/.pgpass or a service file, so that no secret is
        written into the store.

        Args:
            path: a missing or empty directory.
            metadata, schema, objects: where the store's parts live (see
                above); None for the defaults.
            options: the keyword options of ``Store()`` (durability,
                threads, actor, chunk sizes...). ``create`` has no effect
                (the store is always created); ``read_only=True`` is
                refused.

        Raises:
            AlreadyExists (``path`` is not empty), InvalidArgument (a
            password in ``metadata``, a bad schema name, read_only),
            Unsupported (a library built without PostgreSQL support), and
            the errors of ``Store()``.
        """
        opts = _store_opts(**options)
        loc = _store_location(metadata, schema, objects)
        h = StoreP()
        check(C.mlops_store_create(enc_path(path), byref(loc), byref(opts), byref(h)))
        return cls._adopt(h)

    @classmethod
    def open_location(
        cls,
        *,
        metadata: str,
        objects: PathLike,
        schema: Optional[str] = None,
        **options: Any,
    ) -> "Store":
        """Opens a shared store from its parts, without a store directory
        (mlops_store_open_location, libmlops 1.1): the metadata in the
        PostgreSQL database ``metadata`` (a libpq URI or ``key=value``
        string, no password), schema ``schema`` (default "mlops"), the
        objects in the folder ``objects``. The schema and the folder are
        created when missing unless ``create=False``. ``path`` is then the
        objects folder.

        Args:
            metadata, objects, schema: where the store's parts live.
            options: the keyword options of ``Store()``.

        Raises:
            as ``create`` (but never AlreadyExists), NotFound (no objects
            folder, with ``create=False``).
        """
        opts = _store_opts(**options)
        loc = _store_location(metadata, schema, objects)
        h = StoreP()
        check(C.mlops_store_open_location(byref(loc), byref(opts), byref(h)))
        return cls._adopt(h)

    @property
    def _handle(self) -> Guard:
        # The store's guard: C functions given it hold it for their call
        # (ValueError once closed).
        g = self._guard
        if g is None:
            raise ValueError("the store is closed")
        return g

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<mlops.Store closed>"
        return f"<mlops.Store {self.path!r}>"

    @property
    def path(self) -> str:
        """The store's directory as given when it was opened (the objects
        folder of a store from ``open_location``)."""
        return os.fsdecode(C.mlops_store_path(self._handle))

    @property
    def format_version(self) -> int:
        """The on-disk format version of the store."""
        v = c_int()
        check(C.mlops_store_format_version(self._handle, byref(v)))
        return v.value

    # ---- blobs ---------------------------------------------------------------

    def put(self, data: Union[bytes, Any, PathLike, BinaryIO]) -> Digest:
        """Stores content and returns its digest.

        ``data`` is either bytes-like (bytes, bytearray, memoryview, numpy
        array...: lent to the library without a copy), a path (str or
        os.PathLike: the file is stored by the library in one parallel
        pass), or a binary file-like object with ``readinto`` or ``read``
        (streamed in 1 MiB pieces; memory stays bounded). Content already
        stored is not written again.

        Raises ReadOnly, StorageIOError, NotFound (no such file),
        InvalidArgument (a directory), Busy, OutOfMemory."""
        if isinstance(data, (str, os.PathLike)):
            return self.put_file(data)
        if hasattr(data, "readinto") or hasattr(data, "read"):
            return self.put_stream(data)
        out = CDigest()
        h = self._handle
        if isinstance(data, bytes):
            check(C.mlops_blob_put(h, data, len(data), byref(out)))
        else:
            with _buffer.raw(data) as (addr, n):
                check(C.mlops_blob_put(h, addr, n, byref(out)))
        return Digest._from_c(out)

    def put_file(self, path: PathLike) -> Digest:
        """Stores the content of the file at path (read to its end) and
        returns its digest. See put()."""
        out = CDigest()
        check(C.mlops_blob_put_file(self._handle, enc_path(path), byref(out)))
        return Digest._from_c(out)

    def put_stream(self, f: Any) -> Digest:
        """Stores everything read from the binary file-like object f (to
        its end) through a streaming writer; returns the digest."""
        with self.writer() as w:
            if hasattr(f, "readinto"):
                buf = bytearray(_STREAM_CHUNK)
                view = memoryview(buf)
                while True:
                    n = f.readinto(buf)
                    if not n:
                        break
                    w.write(view[:n])
            else:
                while True:
                    chunk = f.read(_STREAM_CHUNK)
                    if not chunk:
                        break
                    w.write(chunk)
        assert w.digest is not None
        return w.digest

    def writer(self) -> "BlobWriter":
        """A streaming writer for content of unknown length: ``write()`` any
        number of times, then ``commit()`` (done by ``with`` on a normal
        exit; an exception aborts)."""
        return BlobWriter(self)

    def get(self, digest: DigestLike) -> bytes:
        """The whole content of blob ``digest`` as bytes, every byte
        verified. Raises NotFound, Corrupt, InvalidArgument (a tree),
        OutOfMemory (too large: use open())."""
        d = c_digest(digest)
        ptr = c_void_p()
        n = c_size_t()
        check(C.mlops_blob_get(self._handle, byref(d), byref(ptr), byref(n)))
        return take_buffer(ptr, n.value)

    def get_file(self, digest: DigestLike, path: PathLike, *, replace: bool = False) -> None:
        """Writes blob ``digest`` to a new file at ``path`` atomically (a
        temporary file renamed into place). An existing file is an error
        (AlreadyExists) unless ``replace``."""
        d = c_digest(digest)
        check(C.mlops_blob_get_file_ex(self._handle, byref(d), enc_path(path),
                                       1 if replace else 0))

    def read_at(self, digest: DigestLike, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes of blob ``digest`` from byte ``offset``,
        reading only the chunks that cover the range (fewer bytes at the
        end of the blob, b"" past it)."""
        d = c_digest(digest)
        buf = ctypes.create_string_buffer(size)
        got = c_size_t()
        check(C.mlops_blob_read_at(self._handle, byref(d), offset, buf, size, byref(got)))
        return buf.raw[: got.value]

    def open(self, digest: DigestLike) -> "BlobFile":
        """Blob ``digest`` as a read-only binary file object (seekable;
        ``readinto`` reads straight into the caller's buffer)."""
        return BlobFile(self, digest)

    def exists(self, digest: DigestLike) -> bool:
        """True when a blob or tree with this digest is in the store."""
        d = c_digest(digest)
        e = c_int()
        check(C.mlops_blob_exists(self._handle, byref(d), byref(e)))
        return bool(e.value)

    # ---- drift profiles ----------------------------------------------------

    def put_profile(self, profile: "drift.Profile") -> Digest:
        """Stores a drift profile (serialised, frozen first) as a blob and
        returns its digest; equal profiles give equal digests."""
        return drift.put_profile(self, profile)

    def get_profile(self, digest: DigestLike) -> "drift.Profile":
        """Loads the drift profile stored as blob ``digest`` (FormatError
        when the blob is not a profile)."""
        return drift.get_profile(self, digest)

    def __contains__(self, digest: object) -> bool:
        if not isinstance(digest, (Digest, str)):
            return False
        return self.exists(digest)


def _store_opts(
    *,
    create: bool = True,
    read_only: bool = False,
    durability: str = "normal",
    busy_timeout_ms: Optional[int] = None,
    compression_level: Optional[int] = None,
    chunk_min_size: Optional[int] = None,
    chunk_avg_size: Optional[int] = None,
    chunk_max_size: Optional[int] = None,
    threads: Optional[int] = None,
    actor: Optional[str] = None,
) -> StoreOpts:
    # mlops_store_opts from Store()'s keyword options (None keeps the
    # library's default). Its strings are kept alive by the struct.
    opts = StoreOpts()
    check(C.mlops_store_opts_init(byref(opts), StoreOpts.VERSION))
    opts.create_if_missing = 1 if create else 0
    opts.read_only = 1 if read_only else 0
    if durability not in DURABILITY:
        raise ValueError(f"durability must be one of {sorted(DURABILITY)}, not {durability!r}")
    opts.durability = DURABILITY[durability]
    for name, value in (
        ("busy_timeout_ms", busy_timeout_ms),
        ("compression_level", compression_level),
        ("chunk_min_size", chunk_min_size),
        ("chunk_avg_size", chunk_avg_size),
        ("chunk_max_size", chunk_max_size),
        ("threads", threads),
    ):
        if value is not None:
            setattr(opts, name, value)
    opts.actor = enc(actor)
    return opts


def _store_location(metadata: Optional[str], schema: Optional[str],
                    objects: Optional[PathLike]) -> StoreLocation:
    # mlops_store_location (None = NULL: the library's default).
    loc = StoreLocation()
    check(C.mlops_store_location_init(byref(loc), StoreLocation.VERSION))
    loc.metadata = enc(metadata)
    loc.schema = enc(schema)
    loc.objects = None if objects is None else enc_path(objects)
    return loc


class BlobWriter:
    """A streaming blob writer (see Store.writer). Used by one thread at a
    time. After ``commit()``, ``digest`` holds the blob's digest."""

    _guard: Optional[Guard] = None

    def __init__(self, store: Store) -> None:
        def opener(s: Any) -> Any:
            h = BlobWriterP()
            check(C.mlops_blob_writer_open(s, byref(h)))
            return h

        self._guard = store._handle.open_child(opener, C.mlops_blob_writer_abort, "writer")
        self.digest: Optional[Digest] = None

    @property
    def closed(self) -> bool:
        """True once committed or aborted (or its store closed)."""
        g = self._guard
        return g is None or g.closed

    def write(self, data: Any) -> int:
        """Appends bytes-like data (copied by the library); returns its
        length. Raises StorageIOError, OutOfMemory, Busy; after an error
        only abort() is useful."""
        g = self._guard
        if g is None:
            raise ValueError("the writer is closed")
        if isinstance(data, bytes):
            check(C.mlops_blob_writer_write(g, data, len(data)))
            return len(data)
        with _buffer.raw(data) as (addr, n):
            check(C.mlops_blob_writer_write(g, addr, n))
        return n

    def commit(self) -> Digest:
        """Ends the content, commits the blob and returns its digest. The
        writer is released whatever the outcome."""
        g = self._guard
        if g is None:
            raise ValueError("the writer is closed")
        out = CDigest()
        with g as h:  # the writer, and its store, held through the commit
            g.consume()  # the C commit releases the writer, whatever happens
            check(C.mlops_blob_writer_commit(h, byref(out)))
        self.digest = Digest._from_c(out)
        return self.digest

    def abort(self) -> None:
        """Discards the content and releases the writer (no-op once
        committed or aborted)."""
        g = self._guard
        if g is not None:
            g.close()

    close = abort

    def __enter__(self) -> "BlobWriter":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None and not self.closed:
            self.commit()
        else:
            self.abort()

    def __del__(self) -> None:
        if sys is not None and not sys.is_finalizing():
            self.abort()


class BlobFile(io.RawIOBase):
    """A stored blob as a read-only, seekable binary file (Store.open).

    Sequential reads go through the library's streaming reader (chunks are
    decoded and verified ahead on worker threads); after a seek, reads use
    random access (only the chunks covering the range are read).
    ``readinto(buf)`` writes straight into ``buf`` (any writable buffer:
    bytearray, memoryview, numpy array) with no intermediate copy. Used by
    one thread at a time. Every byte returned has been verified."""

    _guard: Optional[Guard] = None

    def __init__(self, store: Store, digest: DigestLike) -> None:
        super().__init__()
        self._store = store
        self._digest = c_digest(digest)
        size = c_uint64()

        def opener(s: Any) -> Any:
            h = BlobReaderP()
            check(C.mlops_blob_reader_open(s, byref(self._digest), byref(h)))
            try:
                check(C.mlops_blob_reader_size(h, byref(size)))
            except BaseException:
                C.mlops_blob_reader_close(h)
                raise
            return h

        self._guard = store._handle.open_child(opener, C.mlops_blob_reader_close, "blob reader")
        self._size = size.value
        self._pos = 0
        self._reader_pos = 0
        self.digest = Digest._from_c(self._digest)

    @property
    def closed(self) -> bool:
        """True once closed (also when its store was closed)."""
        g = self._guard
        return g is None or g.closed or super().closed

    @property
    def size(self) -> int:
        """The blob's size in bytes."""
        return self._size

    def readable(self) -> bool:
        """True: a blob can be read (ValueError once closed, as io's files)."""
        self._check_open()
        return True

    def seekable(self) -> bool:
        """True: seeks use the library's random access."""
        self._check_open()
        return True

    def writable(self) -> bool:
        """False: stored blobs never change."""
        self._check_open()
        return False

    def write(self, b: Any) -> int:
        """Raises io.UnsupportedOperation (an OSError), as a file opened
        for reading: stored blobs never change."""
        self._check_open()
        raise io.UnsupportedOperation("write: a stored blob is read-only")

    def tell(self) -> int:
        """The current position in bytes."""
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Moves to offset (from the start, the current position or the
        end, by whence); returns the new position. Past the end is allowed
        (reads then return nothing)."""
        self._check_open()
        offset = operator.index(offset)  # TypeError for a float, as io's files
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def _check_open(self) -> None:
        g = self._guard
        if g is None or g.closed:
            raise ValueError("I/O operation on closed file")

    def readinto(self, buf: Any) -> int:
        """Reads up to len(buf) bytes straight into buf (any writable
        buffer); returns how many, 0 at the end. Every byte is verified."""
        self._check_open()
        got = c_size_t()
        with _buffer.raw(buf, writable=True) as (addr, n):
            if n == 0 or self._pos >= self._size:
                return 0
            if self._pos == self._reader_pos:
                check(C.mlops_blob_reader_read(self._guard, addr, n, byref(got)))
                self._reader_pos += got.value
            else:
                check(C.mlops_blob_read_at(self._store._handle, byref(self._digest), self._pos,
                                           addr, n, byref(got)))
        self._pos += got.value
        return got.value

    def readall(self) -> bytes:
        """The rest of the blob, from the current position."""
        self._check_open()
        buf = bytearray(max(self._size - self._pos, 0))
        view = memoryview(buf)
        done = 0
        while done < len(buf):
            n = self.readinto(view[done:])
            if not n:
                break
            done += n
        del view
        return bytes(buf[:done]) if done < len(buf) else bytes(buf)

    def close(self) -> None:
        """Releases the library's reader; calling it again does nothing."""
        g = self._guard
        if g is not None:
            g.close()
        super().close()
