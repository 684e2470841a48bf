"""Bringing history in: the import calls and store copy (doc/import.md).

Each import call takes the ids, numbers and times a record had at its
origin and a required ``origin`` string ("mlflow:http://host:5000",
"bundle:<store id>"). A record already there with the same content is a
no-op; with other content, Conflict is raised. What an import adds is
recorded in the audit log as an import naming its origin.
"""
from __future__ import annotations

import struct
from ctypes import (
    POINTER,
    addressof,
    cast,
    create_string_buffer,
    Structure,
    byref,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_uint,
    c_ubyte,
    c_uint64,
)
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Tuple

from ._cbase import CDigest
from ._capi import KV, C, Metric, StoreP, _declare, check, enc
from .digest import Digest, DigestLike, c_digest
from .track import RUN_STATUS

__all__ = ["ImportMixin", "StoreCopyReport"]


class _CImportOpts(Structure):
    VERSION = 1
    _fields_ = [("version", c_uint), ("origin", c_char_p), ("actor", c_char_p)]


class _CRunRecord(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("run_id", c_char_p),
        ("experiment", c_char_p),
        ("name", c_char_p),
        ("parent_id", c_char_p),
        ("status", c_int),
        ("start_ms", c_int64),
        ("end_ms", c_int64),
        ("deleted_ms", c_int64),
        ("params", POINTER(KV)),
        ("nparams", c_size_t),
        ("tags", POINTER(KV)),
        ("ntags", c_size_t),
    ]


class _CVersionRecord(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("model", c_char_p),
        ("number", c_int64),
        ("artifact", CDigest),
        ("run_id", c_char_p),
        ("description", c_char_p),
        ("creator", c_char_p),
        ("created_ms", c_int64),
        ("tags", POINTER(KV)),
        ("ntags", c_size_t),
    ]


class _CCopyOpts(Structure):
    VERSION = 1
    _fields_ = [("version", c_uint)]


class _CCopyReport(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("objects_copied", c_uint64),
        ("objects_present", c_uint64),
        ("bytes_copied", c_uint64),
        ("rows_written", c_uint64),
        ("events_copied", c_uint64),
        ("head_seq", c_int64),
        ("head_hash", CDigest),
    ]


_pio = POINTER(_CImportOpts)
_declare([
    ("mlops_import_opts_init", c_int, [_pio, c_uint]),
    ("mlops_experiment_import", c_int,
     [StoreP, _pio, c_char_p, c_int64, POINTER(KV), c_size_t, POINTER(c_int64)]),
    ("mlops_run_record_init", c_int, [POINTER(_CRunRecord), c_uint]),
    ("mlops_run_import", c_int, [StoreP, _pio, POINTER(_CRunRecord)]),
    ("mlops_metric_import", c_int,
     [StoreP, _pio, c_char_p, POINTER(Metric), c_size_t, POINTER(c_size_t)]),
    ("mlops_lineage_import", c_int,
     [StoreP, _pio, c_char_p, c_int, POINTER(CDigest), c_char_p, c_char_p, c_int64]),
    ("mlops_version_record_init", c_int, [POINTER(_CVersionRecord), c_uint]),
    ("mlops_version_import", c_int, [StoreP, _pio, POINTER(_CVersionRecord)]),
    ("mlops_signature_import", c_int,
     [StoreP, _pio, c_char_p, c_int64, c_char_p, POINTER(c_ubyte), c_int64, c_char_p]),
    ("mlops_alias_import", c_int, [StoreP, _pio, c_char_p, c_char_p, c_int64, c_int64]),
    ("mlops_store_copy_opts_init", c_int, [POINTER(_CCopyOpts), c_uint]),
    ("mlops_store_copy_report_init", c_int, [POINTER(_CCopyReport), c_uint]),
    ("mlops_store_copy", c_int, [StoreP, StoreP, POINTER(_CCopyOpts), POINTER(_CCopyReport)]),
])


@dataclass(frozen=True)
class StoreCopyReport:
    """What Store.copy did: object files copied (and their decoded bytes)
    and found already there, records written, audit events appended, and
    the destination's audit head afterwards (the source's)."""

    objects_copied: int
    objects_present: int
    bytes_copied: int
    records_written: int
    events_copied: int
    head_seq: int
    head_hash: Digest


def _opts(origin: str, actor: Optional[str]) -> _CImportOpts:
    o = _CImportOpts()
    check(C.mlops_import_opts_init(byref(o), _CImportOpts.VERSION))
    o.origin = enc(origin)
    o.actor = enc(actor)
    return o


def _kv(items: Optional[Mapping[str, str]]) -> Tuple[Any, int, list]:
    # An array of mlops_kv and the bytes it points at (kept alive by the caller).
    pairs = list((items or {}).items())
    keep = [(enc(k), enc(v)) for k, v in pairs]
    arr = (KV * max(len(keep), 1))()
    for i, (k, v) in enumerate(keep):
        arr[i].key = k
        arr[i].value = v
    return arr, len(keep), keep


class ImportMixin:
    """Store methods that bring history in (doc/import.md)."""

    _handle: Any

    def import_experiment(self, name: str, created_ms: int,
                          tags: Optional[Mapping[str, str]] = None, *, origin: str,
                          actor: Optional[str] = None) -> int:
        """Brings in an experiment with its creation time and tags;
        returns its id here. Conflict when the name is taken with another
        time or other tags."""
        o = _opts(origin, actor)
        arr, n, _keep = _kv(tags)
        out = c_int64()
        check(C.mlops_experiment_import(self._handle, byref(o), enc(name), created_ms, arr, n,
                                        byref(out)))
        return out.value

    def import_run(self, run_id: str, experiment: str, *, status: str, start_ms: int,
                   end_ms: int = 0, name: Optional[str] = None,
                   parent_id: Optional[str] = None, deleted_ms: int = 0,
                   params: Optional[Mapping[str, str]] = None,
                   tags: Optional[Mapping[str, str]] = None, origin: str,
                   actor: Optional[str] = None) -> None:
        """Brings in a run with its id (32 lowercase hex digits), status
        ("RUNNING", "FINISHED", "FAILED", "KILLED"), times, params and tags.
        Its experiment (by name) and parent must be imported before.
        Conflict when the id is taken by a run that differs in anything."""
        if status not in RUN_STATUS:
            raise ValueError(f"status {status!r} is not one of {sorted(RUN_STATUS)}")
        o = _opts(origin, actor)
        r = _CRunRecord()
        check(C.mlops_run_record_init(byref(r), _CRunRecord.VERSION))
        p_arr, p_n, _pk = _kv(params)
        t_arr, t_n, _tk = _kv(tags)
        r.run_id, r.experiment, r.name = enc(run_id), enc(experiment), enc(name)
        r.parent_id = enc(parent_id)
        r.status = RUN_STATUS[status]
        r.start_ms, r.end_ms, r.deleted_ms = start_ms, end_ms, deleted_ms
        r.params, r.nparams, r.tags, r.ntags = p_arr, p_n, t_arr, t_n
        check(C.mlops_run_import(self._handle, byref(o), byref(r)))

    def import_metrics(self, run_id: str, points: Iterable[Tuple[str, float, int, int]], *,
                       origin: str, actor: Optional[str] = None) -> int:
        """Brings in metric points (key, value, step, timestamp in ms) of an
        imported run, which may have ended; returns how many were new
        (points already there are skipped)."""
        # The mlops_metric array packed in one go, (key address, value,
        # step, ts) per point, each distinct key encoded once (an MLflow
        # history brings thousands of points of one key).
        keys: dict = {}
        fields: list = []
        for k, v, step, ts in points:
            b = keys.get(k)
            if b is None:
                b = keys[k] = create_string_buffer(enc(k) or b"")
            fields += (addressof(b), float(v), step, ts)
        n = len(fields) // 4
        arr = struct.pack("=" + "Qdqq" * n, *fields) if n else (Metric * 1)()
        o = _opts(origin, actor)
        added = c_size_t()
        check(C.mlops_metric_import(self._handle, byref(o), enc(run_id),
                                    cast(arr, POINTER(Metric)), n, byref(added)))
        del keys
        return added.value

    def import_lineage(self, run_id: str, direction: str, digest: DigestLike, name: str,
                       role: str, created_ms: int, *, origin: str,
                       actor: Optional[str] = None) -> None:
        """Brings in one lineage edge of an imported run (which may have
        ended): ``direction`` "input" or "output", content ``digest`` (in
        the store) under ``name`` with ``role``. Conflict when the edge is
        there with another role or time."""
        if direction not in ("input", "output"):
            raise ValueError(f"direction {direction!r} is not 'input' or 'output'")
        o = _opts(origin, actor)
        d = c_digest(digest)
        check(C.mlops_lineage_import(self._handle, byref(o), enc(run_id),
                                     0 if direction == "input" else 1, byref(d), enc(name),
                                     enc(role), created_ms))

    def import_model_version(self, model: str, number: int, artifact: DigestLike, *,
                             created_ms: int, run_id: Optional[str] = None,
                             description: Optional[str] = None, creator: Optional[str] = None,
                             tags: Optional[Mapping[str, str]] = None, origin: str,
                             actor: Optional[str] = None) -> None:
        """Brings in version ``number`` of ``model`` (created when missing)
        with its artifact (in the store), run, description, creator, time
        and tags. Conflict when the number is taken by another version."""
        o = _opts(origin, actor)
        v = _CVersionRecord()
        check(C.mlops_version_record_init(byref(v), _CVersionRecord.VERSION))
        t_arr, t_n, _tk = _kv(tags)
        v.model, v.number, v.artifact = enc(model), number, c_digest(artifact)
        v.run_id, v.description, v.creator = enc(run_id), enc(description), enc(creator)
        v.created_ms, v.tags, v.ntags = created_ms, t_arr, t_n
        check(C.mlops_version_import(self._handle, byref(o), byref(v)))

    def import_signature(self, model: str, version: int, public_pem: str, signature: bytes,
                         signed_ms: int, signer: str, *, origin: str,
                         actor: Optional[str] = None) -> None:
        """Brings in an Ed25519 signature (64 bytes) of a version by the key
        ``public_pem``, as made at its origin. It must verify over the
        version's manifest here (SignatureError otherwise); another
        signature by that key on the version is a Conflict."""
        if len(signature) != 64:
            raise ValueError(f"a signature is 64 bytes, not {len(signature)}")
        o = _opts(origin, actor)
        sig = (c_ubyte * 64).from_buffer_copy(signature)
        check(C.mlops_signature_import(self._handle, byref(o), enc(model), version,
                                       enc(public_pem), sig, signed_ms, enc(signer)))

    def import_alias(self, model: str, alias: str, version: int, time_ms: int, *, origin: str,
                     actor: Optional[str] = None) -> None:
        """Brings in one entry of an alias's history: at ``time_ms`` the
        alias pointed at ``version`` (0: it was removed). Entries of an
        alias come in time order; Conflict for another target at the same
        time or an entry older than the alias's last."""
        o = _opts(origin, actor)
        check(C.mlops_alias_import(self._handle, byref(o), enc(model), enc(alias), version,
                                   time_ms))

    def copy(self, dest: Any) -> StoreCopyReport:
        """Copies everything of this store into ``dest`` (an open Store),
        ids and audit chain kept: ``dest`` then verifies with this store's
        audit head. ``dest`` must be empty or an earlier copy of this store
        (Conflict otherwise); a second copy adds only what is new."""
        rep = _CCopyReport()
        check(C.mlops_store_copy_report_init(byref(rep), _CCopyReport.VERSION))
        check(C.mlops_store_copy(self._handle, dest._handle, None, byref(rep)))
        return StoreCopyReport(rep.objects_copied, rep.objects_present, rep.bytes_copied,
                               rep.rows_written, rep.events_copied, rep.head_seq,
                               Digest._from_c(rep.head_hash))


