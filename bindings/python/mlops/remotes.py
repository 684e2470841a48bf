"""Remotes, push and pull, and bundles (doc/remotes.md).

A remote is a directory or an ``s3://bucket/prefix`` location shared by
several stores. ``push`` sends what selections reach, each object the
remote lacks once; ``pull`` brings it into this store, each object and blob
verified before any of it becomes visible. A selection is ``sha256:HEX``,
``ref:NAME``, ``run:ID``, ``model:NAME@ALIAS`` or ``model:NAME/N``.
A bundle is one file carrying what selections name, runs and models with
their audit events included, from one store into another.
"""
from __future__ import annotations

import os
from ctypes import (POINTER, Structure, byref, c_char_p, c_int, c_int64, c_size_t, c_uint,
                    c_uint64, c_void_p)
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple, Union

from ._capi import C, StoreP, _declare, check, enc, enc_path
from ._cbase import CDigest
from .digest import Digest

__all__ = ["BundleReport", "RemoteMixin", "TransferReport"]


class _CTransferReport(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("contents", c_uint64),
        ("objects", c_uint64),
        ("objects_sent", c_uint64),
        ("objects_present", c_uint64),
        ("bytes_sent", c_uint64),
        ("lookups", c_uint64),
        ("listed", c_uint64),
    ]


class _CBundleReport(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("runs", c_uint64),
        ("metric_points", c_uint64),
        ("versions", c_uint64),
        ("alias_entries", c_uint64),
        ("signatures", c_uint64),
        ("events", c_uint64),
        ("objects", c_uint64),
        ("objects_added", c_uint64),
        ("bytes", c_uint64),
        ("records_added", c_uint64),
        ("renumbered", c_uint64),
        ("renamed", c_uint64),
        ("signatures_skipped", c_uint64),
        ("origin_head_seq", c_int64),
        ("origin_head_hash", CDigest),
    ]


class _CBundleImportOpts(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("rename_prefix", c_char_p),
        ("actor", c_char_p),
    ]


_declare([
    ("mlops_bundle_report_init", c_int, [POINTER(_CBundleReport), c_uint]),
    ("mlops_bundle_import_opts_init", c_int, [POINTER(_CBundleImportOpts), c_uint]),
    ("mlops_bundle_export", c_int,
     [StoreP, c_char_p, POINTER(c_char_p), c_size_t, POINTER(_CBundleReport)]),
    ("mlops_bundle_import", c_int,
     [StoreP, c_char_p, POINTER(_CBundleImportOpts), POINTER(_CBundleReport)]),
    ("mlops_remote_add", c_int, [StoreP, c_char_p, c_char_p]),
    ("mlops_remote_remove", c_int, [StoreP, c_char_p]),
    ("mlops_remote_list", c_int, [StoreP, POINTER(c_void_p)]),
    ("mlops_remotes_count", c_size_t, [c_void_p]),
    ("mlops_remotes_at", c_int, [c_void_p, c_size_t, POINTER(c_char_p), POINTER(c_char_p)]),
    ("mlops_remotes_free", None, [c_void_p]),
    ("mlops_transfer_report_init", c_int, [POINTER(_CTransferReport), c_uint]),
    ("mlops_remote_push", c_int,
     [StoreP, c_char_p, POINTER(c_char_p), c_size_t, POINTER(_CTransferReport)]),
    ("mlops_remote_pull", c_int,
     [StoreP, c_char_p, POINTER(c_char_p), c_size_t, POINTER(_CTransferReport)]),
])


@dataclass(frozen=True)
class TransferReport:
    """What a push or pull did: blobs and trees the selections reach, the
    distinct objects they need, how many were copied (and their stored
    bytes) or already there, and how the remote was asked (objects looked
    up one by one, or seen by listing it)."""

    contents: int
    objects: int
    objects_sent: int
    objects_present: int
    bytes_sent: int
    lookups: int
    listed: int


@dataclass(frozen=True)
class BundleReport:
    """What a bundle export wrote or an import found and added: the runs,
    metric points, versions, alias entries, signatures, origin audit events
    and objects carried; for an import, the objects and records that were
    new here (0 and 0 when the bundle was imported before), the versions
    renumbered and aliases renamed by ``rename``, and the signatures of
    renumbered versions left out; ``bytes``: the file's size (export) or
    the stored bytes of the objects added (import); the origin's audit head
    when exported."""

    runs: int
    metric_points: int
    versions: int
    alias_entries: int
    signatures: int
    events: int
    objects: int
    objects_added: int
    bytes: int
    records_added: int
    renumbered: int
    renamed: int
    signatures_skipped: int
    origin_head_seq: int
    origin_head_hash: Digest


def _bundle_report(r: _CBundleReport) -> BundleReport:
    return BundleReport(r.runs, r.metric_points, r.versions, r.alias_entries, r.signatures,
                        r.events, r.objects, r.objects_added, r.bytes, r.records_added,
                        r.renumbered, r.renamed, r.signatures_skipped, r.origin_head_seq,
                        Digest._from_c(r.origin_head_hash))


def _selections(selections: Union[str, Iterable[str]]) -> Tuple[object, int, list]:
    items = [selections] if isinstance(selections, str) else list(selections)
    encoded = [enc(s) for s in items]
    arr = (c_char_p * max(len(encoded), 1))(*encoded)
    return arr, len(encoded), encoded


class RemoteMixin:
    """The remote calls of Store."""

    def remote_add(self, name: str, url: str) -> None:
        """Records the remote ``name`` at ``url`` (``s3://bucket/prefix`` or a
        directory; a relative one is made absolute). Nothing is sent.
        AlreadyExists when the name is taken."""
        check(C.mlops_remote_add(self._handle, enc(name), enc(url)))

    def remote_remove(self, name: str) -> None:
        """Forgets the remote ``name`` (NotFound when there is none); the
        remote itself keeps its objects."""
        check(C.mlops_remote_remove(self._handle, enc(name)))

    def remotes(self) -> List[Tuple[str, str]]:
        """(name, url) of each remote, by name."""
        h = c_void_p()
        check(C.mlops_remote_list(self._handle, byref(h)))
        try:
            out = []
            for i in range(C.mlops_remotes_count(h)):
                name, url = c_char_p(), c_char_p()
                check(C.mlops_remotes_at(h, i, byref(name), byref(url)))
                out.append(((name.value or b"").decode(), (url.value or b"").decode()))
            return out
        finally:
            C.mlops_remotes_free(h)

    def _transfer(self, fn: object, remote: str,
                  selections: Union[str, Iterable[str]]) -> TransferReport:
        arr, n, _keep = _selections(selections)
        rep = _CTransferReport()
        check(C.mlops_transfer_report_init(byref(rep), _CTransferReport.VERSION))
        check(fn(self._handle, enc(remote), arr, n, byref(rep)))  # type: ignore[operator]
        return TransferReport(rep.contents, rep.objects, rep.objects_sent, rep.objects_present,
                              rep.bytes_sent, rep.lookups, rep.listed)

    def push(self, remote: str, selections: Union[str, Iterable[str]]) -> TransferReport:
        """Sends to ``remote`` every object the selections reach that it
        lacks, then records each selection there. Rerunning an
        interrupted push sends only what is missing."""
        return self._transfer(C.mlops_remote_push, remote, selections)

    def pull(self, remote: str, selections: Union[str, Iterable[str]]) -> TransferReport:
        """Fetches what the selections named on ``remote`` when last pushed:
        each object checked, each blob proven by its digest, then all of it
        (and for ``ref:NAME`` the ref) visible at once. Corrupt when the
        remote's copy is damaged; NotFound for a selection never pushed."""
        return self._transfer(C.mlops_remote_pull, remote, selections)

    def bundle_export(self, path: Union[str, "os.PathLike[str]"],
                      selections: Union[str, Iterable[str]]) -> BundleReport:
        """Writes to ``path`` (replaced when done) one bundle of what the
        selections name: runs with their metric points and lineage, model
        versions with their signatures and alias histories, the audit events
        about them with this store's audit head, and every object they
        reach. NotFound for a selection naming nothing."""
        arr, n, _keep = _selections(selections)
        rep = _CBundleReport()
        check(C.mlops_bundle_report_init(byref(rep), _CBundleReport.VERSION))
        check(C.mlops_bundle_export(self._handle, enc_path(path), arr, n, byref(rep)))
        return _bundle_report(rep)

    def bundle_import(self, path: Union[str, "os.PathLike[str]"], rename: Optional[str] = None,
                      actor: Optional[str] = None) -> BundleReport:
        """Brings in the bundle at ``path``: all of it checked first (digests,
        signatures, the audit events' hashes), then every collision, then the
        objects and the records through the import API. Importing it again
        adds nothing. A version number or alias taken here with other content
        is Conflict (nothing added) unless ``rename`` is a prefix: such a
        version then gets the next free number and such an alias the name
        ``rename + alias``. Corrupt (or SignatureError) for a damaged
        bundle, with nothing added."""
        opts = _CBundleImportOpts()
        check(C.mlops_bundle_import_opts_init(byref(opts), _CBundleImportOpts.VERSION))
        opts.rename_prefix = enc(rename) if rename is not None else None
        opts.actor = enc(actor) if actor is not None else None
        rep = _CBundleReport()
        check(C.mlops_bundle_report_init(byref(rep), _CBundleReport.VERSION))
        check(C.mlops_bundle_import(self._handle, enc_path(path), byref(opts), byref(rep)))
        return _bundle_report(rep)
