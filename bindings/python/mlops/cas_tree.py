"""Directory trees, named references, stat and listing, fsck and gc of the
artifact store (cas.h and store.h)."""
from __future__ import annotations

import os
from ctypes import byref, c_char_p
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

from ._cbase import CDigest
from ._capi import C, check, dec, enc, enc_path, error
from ._capi_cas import (BlobIterP, RefIterP, CBlobInfo, FsckOpts, CFsckReport, GcOpts, CGcReport,
                        TreeGetOpts)
from .digest import Digest, DigestLike, c_digest
from .errors import Corrupt

__all__ = ["BlobInfo", "FsckIssue", "FsckReport", "GcReport"]

PathLike = Union[str, "os.PathLike[str]"]
ITEROVER = 14


_KINDS = {None: 0, "blob": 1, "tree": 2}
_KIND_NAME = {1: "blob", 2: "tree"}
_ENCODING_NAME = {0: "raw", 1: "zstd", 2: "chunked"}


@dataclass(frozen=True)
class BlobInfo:
    """What the store knows about a blob or tree (Store.stat, iter_blobs)."""

    digest: Digest
    #: "blob" or "tree".
    kind: str
    #: Content bytes (a tree: bytes of its encoding).
    size: int
    #: Bytes of its object files on disk (shared chunks counted in each).
    stored: int
    #: Chunk objects (1 for a whole object); for a tree, its entries.
    chunks: int
    #: "raw", "zstd" or "chunked".
    encoding: str
    #: Of the chunks, how many are compressed.
    zstd_chunks: int
    created_ms: int


def _info(d: CDigest, i: CBlobInfo) -> BlobInfo:
    return BlobInfo(Digest._from_c(d), _KIND_NAME.get(i.kind, str(i.kind)), i.size, i.stored,
                    i.chunks, _ENCODING_NAME.get(i.encoding, str(i.encoding)), i.zstd_chunks,
                    i.created_ms)


@dataclass(frozen=True)
class FsckIssue:
    """One damaged object: ``problem`` is "corrupt" or "missing"."""

    digest: Digest
    problem: str


@dataclass(frozen=True)
class FsckReport:
    """What Store.fsck found. ``ok`` is True when every checked object is
    sound."""

    ok: bool
    objects: int
    checked: int
    bytes_checked: int
    corrupt: int
    missing: int
    quarantined: int
    orphans: int
    issues: List[FsckIssue] = field(default_factory=list)


@dataclass(frozen=True)
class GcReport:
    """What Store.gc deleted (or, in a dry run, would delete)."""

    contents: int
    objects: int
    bytes: int
    orphans: int
    kept_contents: int
    kept_objects: int


class TreeMixin:
    """Store methods for trees, refs, stat and listing, fsck and gc."""

    _handle: Any

    # ---- stat and list ----

    def stat(self, digest: DigestLike) -> BlobInfo:
        """Describes blob or tree ``digest`` (NotFound when absent)."""
        d = c_digest(digest)
        info = CBlobInfo()
        check(C.mlops_blob_info_init(byref(info), CBlobInfo.VERSION))
        check(C.mlops_blob_stat(self._handle, byref(d), byref(info)))
        return _info(d, info)

    def iter_blobs(self, kind: Optional[str] = None) -> Iterator[BlobInfo]:
        """Every blob and tree of the store (or only kind "blob" or
        "tree"), in digest order, read in pages."""
        if kind not in _KINDS:
            raise ValueError(f"kind must be None, 'blob' or 'tree', not {kind!r}")

        def opener(s: Any) -> Any:
            h = BlobIterP()
            check(C.mlops_blob_list_open(s, _KINDS[kind], byref(h)))
            return h

        # A child of the store: closing the store closes it.
        it = self._handle.open_child(opener, C.mlops_blob_list_close, "iterator")
        try:
            d = CDigest()
            info = CBlobInfo()
            while True:
                check(C.mlops_blob_info_init(byref(info), CBlobInfo.VERSION))
                rc = C.mlops_blob_list_next(it, byref(d), byref(info))
                if rc == ITEROVER:
                    return
                check(rc)
                yield _info(d, info)
        finally:
            it.close()

    # ---- trees ----

    def put_tree(self, directory: PathLike, *, follow_symlinks: bool = False) -> Digest:
        """Stores a directory recursively (files, subdirectories, symlinks
        as links unless ``follow_symlinks``, permission bits) and returns
        its root tree's digest."""
        out = CDigest()
        check(C.mlops_tree_put(self._handle, enc_path(directory),
                               1 if follow_symlinks else 0, byref(out)))
        return Digest._from_c(out)

    def get_tree(self, digest: DigestLike, directory: PathLike, *,
                 max_entries: Optional[int] = None, max_bytes: Optional[int] = None,
                 keep_modes: bool = False, contained_links: bool = False) -> None:
        """Restores tree ``digest`` into ``directory`` (which must not exist
        or be empty), atomically: it appears whole or not at all.

        Before anything is written the expanded tree is measured (each
        distinct subtree once) and refused (InvalidArgument) beyond
        ``max_entries`` entries or ``max_bytes`` file bytes (None: the
        library's defaults, 10,000,000 and 1 TiB; ``float("inf")``: no
        limit), and refused (StorageIOError) beyond the free space of the target's
        file system. Permission bits lose the umask unless ``keep_modes``.
        With ``contained_links`` a symlink that is absolute, climbs above
        ``directory`` or has ".." after a name is refused (InvalidArgument);
        by default links are restored as stored."""
        d = c_digest(digest)
        o = TreeGetOpts()
        check(C.mlops_tree_get_opts_init(byref(o), TreeGetOpts.VERSION))
        for name, value in (("max_entries", max_entries), ("max_bytes", max_bytes)):
            if value is None:
                continue
            if value == float("inf"):
                setattr(o, name, 2**64 - 1)
            elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64:
                setattr(o, name, value)
            else:
                raise ValueError(f"{name} must be an int in 0..2**64-1 or float('inf'), "
                                 f"not {value!r}")
        o.keep_modes = 1 if keep_modes else 0
        o.links = 1 if contained_links else 0
        check(C.mlops_tree_get_ex(self._handle, byref(d), enc_path(directory), byref(o)))

    # ---- references ----

    def set_ref(self, name: str, digest: DigestLike) -> None:
        """Points reference ``name`` at a stored blob or tree; it keeps it
        (and what it reaches) from garbage collection."""
        d = c_digest(digest)
        check(C.mlops_ref_set(self._handle, enc(name), byref(d)))

    def get_ref(self, name: str) -> Digest:
        """The digest reference ``name`` points at (NotFound when unset)."""
        out = CDigest()
        check(C.mlops_ref_get(self._handle, enc(name), byref(out)))
        return Digest._from_c(out)

    def delete_ref(self, name: str) -> None:
        """Removes a reference (the content stays until a gc)."""
        check(C.mlops_ref_delete(self._handle, enc(name)))

    def iter_refs(self, prefix: str = "") -> Iterator[Tuple[str, Digest]]:
        """(name, Digest) of the references starting with ``prefix``, in
        name order."""
        p = enc(prefix)

        def opener(s: Any) -> Any:
            h = RefIterP()
            check(C.mlops_ref_list_open(s, p, byref(h)))
            return h

        it = self._handle.open_child(opener, C.mlops_ref_list_close, "iterator")
        try:
            name = c_char_p()
            d = CDigest()
            while True:
                with it as h:  # the name is the iterator's: read it before letting go
                    rc = C.mlops_ref_list_next(h, byref(name), byref(d))
                    text = name.value
                if rc == ITEROVER:
                    return
                check(rc)
                yield dec(text) or "", Digest._from_c(d)
        finally:
            it.close()

    def refs(self, prefix: str = "") -> Dict[str, Digest]:
        """The references starting with ``prefix`` as a dict."""
        return dict(self.iter_refs(prefix))

    # ---- fsck and gc ----

    def fsck(self, *, sample: float = 1.0, quarantine: bool = True) -> FsckReport:
        """Re-hashes every object (or a random fraction ``sample``) and
        reports corrupt and missing ones; corrupt object files are moved to
        <store>/quarantine/ unless ``quarantine`` is False. Damage found is
        reported (``ok`` False), not raised; failing to run raises."""
        opts = FsckOpts()
        check(C.mlops_fsck_opts_init(byref(opts), FsckOpts.VERSION))
        opts.sample = sample
        opts.quarantine = 1 if quarantine else 0
        rep = CFsckReport()
        check(C.mlops_fsck_report_init(byref(rep), CFsckReport.VERSION))
        rc = C.mlops_store_fsck(self._handle, byref(opts), byref(rep))
        try:
            issues = [FsckIssue(Digest._from_c(rep.issues[i].digest),
                                "corrupt" if rep.issues[i].problem == 1 else "missing")
                      for i in range(rep.nissues)]
        finally:
            C.mlops_free(rep.issues)
        if rc and rc != Corrupt.code:
            raise error(rc)
        return FsckReport(rc == 0, rep.objects, rep.checked, rep.bytes_checked, rep.corrupt,
                          rep.missing, rep.quarantined, rep.orphans, issues)

    def gc(self, *, grace_ms: Optional[int] = None, dry_run: bool = False) -> GcReport:
        """Deletes the blobs, trees and objects no root reaches (refs, run
        outputs, model versions), sparing anything committed or referenced
        within ``grace_ms`` (default: one hour). ``dry_run`` only
        reports."""
        opts = GcOpts()
        check(C.mlops_gc_opts_init(byref(opts), GcOpts.VERSION))
        if grace_ms is not None:
            opts.grace_ms = grace_ms
        opts.dry_run = 1 if dry_run else 0
        rep = CGcReport()
        check(C.mlops_gc_report_init(byref(rep), CGcReport.VERSION))
        check(C.mlops_store_gc(self._handle, byref(opts), byref(rep)))
        return GcReport(rep.contents, rep.objects, rep.bytes, rep.orphans, rep.kept_contents,
                        rep.kept_objects)

