"""Remotes, push and pull (doc/remotes.md).

A remote is a directory or an ``s3://bucket/prefix`` location shared by
several stores. ``push`` sends what selections reach, each object the
remote lacks once; ``pull`` brings it into this store, each object and blob
verified before any of it becomes visible. A selection is ``sha256:HEX``,
``ref:NAME``, ``run:ID``, ``model:NAME@ALIAS`` or ``model:NAME/N``.
"""
from __future__ import annotations

from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_size_t, c_uint, c_uint64, c_void_p
from dataclasses import dataclass
from typing import Iterable, List, Tuple, Union

from ._capi import C, StoreP, _declare, check, enc

__all__ = ["RemoteMixin", "TransferReport"]


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


_declare([
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
