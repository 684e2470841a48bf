"""The model registry: models, versions, aliases, signatures, audit log."""
from __future__ import annotations

import ctypes
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_ubyte,
    c_uint,
    c_void_p,
)
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._cbase import CDigest
from ._capi import (
    C,
    AuditEvent as CAuditEvent,
    AuditEventsP,
    ChangeOpts,
    ModelP,
    ModelsP,
    ModelSearchExOpts,
    ModelVersionP,
    ModelVersionsP,
    StoreP,
    VersionLineageP,
    _declare,
    check,
    dec,
    enc,
    error,
    kv_items,
    take_buffer,
)
from .digest import Digest, DigestLike, c_digest
from .errors import Corrupt
from .track import LineageEdge, RunInfo, _lifecycle

__all__ = [
    "Model",
    "ModelVersion",
    "Signature",
    "Resolved",
    "AuditEvent",
    "AuditHead",
    "AuditReport",
    "VersionLineage",
    "key_fingerprint",
]

_VERSION_STATUS = {"READY": 0, "ARCHIVED": 1}
_VERSION_STATUS_NAME = {v: k for k, v in _VERSION_STATUS.items()}

Pem = Union[str, bytes]


def _pem(p: Pem) -> bytes:
    return enc(p)  # type: ignore[return-value]


def _change(actor: Optional[str], reason: Optional[str]) -> Any:
    if actor is None and reason is None:
        return None
    opts = ChangeOpts()
    check(C.mlops_change_opts_init(byref(opts), ChangeOpts.VERSION))
    opts.actor = enc(actor)
    opts.reason = enc(reason)
    return byref(opts)


def _run_id(run: Any) -> Optional[bytes]:
    if run is None:
        return None
    return enc(run if isinstance(run, str) else run.id)


def key_fingerprint(pem: Pem) -> Digest:
    """The fingerprint of an Ed25519 key given as PEM text (private or
    public half: both give the same): the SHA-256 of its raw public key."""
    out = CDigest()
    check(C.mlops_key_fingerprint(_pem(pem), byref(out)))
    return Digest._from_c(out)


def _deleted_filter(include_deleted: bool, lifecycle: Optional[str]) -> int:
    """The lifecycle of a listing: ``lifecycle`` ("active", "deleted" or
    "all"), or the older ``include_deleted`` flag (True: "all")."""
    if lifecycle is not None and include_deleted:
        raise ValueError("give lifecycle or include_deleted, not both")
    if lifecycle is None:
        lifecycle = "all" if include_deleted else "active"
    return _lifecycle(lifecycle)


@dataclass(frozen=True)
class Model:
    """A snapshot of a registered model."""

    name: str
    description: str
    created_ms: int
    updated_ms: int
    #: 0 while not deleted.
    deleted_ms: int
    #: Highest version number ever created (0 if none).
    max_version: int
    tags: Dict[str, str] = field(default_factory=dict)
    #: Aliases set on the model (reserved ones not listed) -> version.
    aliases: Dict[str, int] = field(default_factory=dict)

    @classmethod
    def _from_c(cls, m: Any) -> "Model":
        aliases: Dict[str, int] = {}
        a, v = c_char_p(), c_int64()
        for i in range(C.mlops_model_alias_count(m)):
            check(C.mlops_model_alias_at(m, i, byref(a), byref(v)))
            aliases[dec(a.value) or ""] = v.value
        return cls(
            name=dec(C.mlops_model_name(m)) or "",
            description=dec(C.mlops_model_description(m)) or "",
            created_ms=C.mlops_model_created_ms(m),
            updated_ms=C.mlops_model_updated_ms(m),
            deleted_ms=C.mlops_model_deleted_ms(m),
            max_version=C.mlops_model_max_version(m),
            tags=kv_items(m, C.mlops_model_tag_count, C.mlops_model_tag_at),
            aliases=aliases,
        )


@dataclass(frozen=True)
class Signature:
    """A signature recorded on a version (recorded is not verified: use
    Store.verify_model_version)."""

    key_fingerprint: Digest
    signature: bytes
    signed_ms: int


@dataclass(frozen=True)
class ModelVersion:
    """A snapshot of one version of a model."""

    model: str
    version: int
    artifact: Digest
    run_id: Optional[str]
    description: str
    creator: str
    #: "READY" or "ARCHIVED".
    status: str
    created_ms: int
    updated_ms: int
    #: 0 while not deleted.
    deleted_ms: int
    tags: Dict[str, str] = field(default_factory=dict)
    signatures: List[Signature] = field(default_factory=list)

    @classmethod
    def _from_c(cls, v: Any) -> "ModelVersion":
        sigs = []
        fp = CDigest()
        sig = (c_ubyte * 64)()
        when = c_int64()
        for i in range(C.mlops_model_version_signature_count(v)):
            check(C.mlops_model_version_signature_at(v, i, byref(fp), byref(sig), byref(when)))
            sigs.append(Signature(Digest._from_c(fp), bytes(sig), when.value))
        status = C.mlops_model_version_status(v)
        return cls(
            model=dec(C.mlops_model_version_model(v)) or "",
            version=C.mlops_model_version_number(v),
            artifact=Digest._from_c(C.mlops_model_version_artifact(v).contents),
            run_id=dec(C.mlops_model_version_run_id(v)),
            description=dec(C.mlops_model_version_description(v)) or "",
            creator=dec(C.mlops_model_version_creator(v)) or "",
            status=_VERSION_STATUS_NAME.get(status, str(status)),
            created_ms=C.mlops_model_version_created_ms(v),
            updated_ms=C.mlops_model_version_updated_ms(v),
            deleted_ms=C.mlops_model_version_deleted_ms(v),
            tags=kv_items(v, C.mlops_model_version_tag_count, C.mlops_model_version_tag_at),
            signatures=sigs,
        )


@dataclass(frozen=True)
class Resolved:
    """What a model reference ("name@alias", "name/N") resolves to."""

    version: int
    artifact: Digest


@dataclass(frozen=True)
class AuditHead:
    """The audit chain's head: its last sequence number and hash. Publish
    it elsewhere, then check the chain against it with
    Store.audit_verify(head)."""

    seq: int
    hash: Digest


class _CAuditVerifyOpts(Structure):
    """mlops_audit_verify_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("head_seq", c_int64),
        ("head_hash", POINTER(CDigest)),
        ("trusted_keys", POINTER(c_char_p)),
        ("n_trusted_keys", c_size_t),
        ("min_seq", c_int64),
    ]


class _CAuditReport(Structure):
    """mlops_audit_report, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("events", c_int64),
        ("first_bad", c_int64),
        ("checkpoints", c_int64),
        ("attested_seq", c_int64),
        ("unattested", c_int64),
    ]


# The checkpoint functions of MLOPS_1.1: with a 1.0 library they raise
# Unsupported.
_declare([
    ("mlops_audit_checkpoint", c_int, [StoreP, c_char_p, POINTER(ChangeOpts), POINTER(c_int64)]),
    ("mlops_audit_verify_ex", c_int,
     [StoreP, POINTER(_CAuditVerifyOpts), POINTER(_CAuditReport)]),
    ("mlops_audit_verify_opts_init", c_int, [POINTER(_CAuditVerifyOpts), c_uint]),
    ("mlops_audit_report_init", c_int, [POINTER(_CAuditReport), c_uint]),
])


class _CModelPageOpts(Structure):
    """mlops_model_page_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("title", c_char_p),
        ("generated_ms", c_int64),
    ]


# The model page (MLOPS_1.1): with a 1.0 library it raises Unsupported.
_declare([
    ("mlops_model_page_opts_init", c_int, [POINTER(_CModelPageOpts), c_uint]),
    ("mlops_model_page_html", c_int,
     [StoreP, c_char_p, POINTER(_CModelPageOpts), POINTER(c_void_p)]),
])


@dataclass(frozen=True)
class AuditReport:
    """What Store.audit_verify_checkpoints found: the events walked, the
    valid checkpoints, the last event a checkpoint by a trusted key covers
    (0: none) and how many events come after it (unattested)."""

    events: int
    checkpoints: int
    attested_seq: int
    unattested: int


@dataclass(frozen=True)
class AuditEvent:
    """One event of the audit log (see registry.h for the actions and
    their old/new values)."""

    seq: int
    time_ms: int
    actor: str
    action: str
    model: str
    #: The version concerned, 0 for none.
    model_version: int
    key: Optional[str]
    old_value: Optional[str]
    new_value: Optional[str]
    reason: Optional[str]
    hash: Digest


def _events(lst: Any) -> List[AuditEvent]:
    try:
        out = []
        ev = CAuditEvent()
        for i in range(C.mlops_audit_events_count(lst)):
            check(C.mlops_audit_event_init(byref(ev), CAuditEvent.VERSION))
            check(C.mlops_audit_events_get(lst, i, byref(ev)))
            out.append(AuditEvent(
                seq=ev.seq, time_ms=ev.time_ms, actor=dec(ev.actor) or "",
                action=dec(ev.action) or "", model=dec(ev.model) or "",
                model_version=ev.model_version, key=dec(ev.key), old_value=dec(ev.old_value),
                new_value=dec(ev.new_value), reason=dec(ev.reason),
                hash=Digest._from_c(ev.hash),
            ))
        return out
    finally:
        C.mlops_audit_events_free(lst)


@dataclass(frozen=True)
class VersionLineage:
    """How a version was made: its run (params, metric summaries,
    lineage) and the run's inputs. ``run`` is None for a version created
    without a run."""

    version: int
    artifact: Digest
    run: Optional[RunInfo]
    inputs: List[LineageEdge]


class RegistryMixin:
    """Store methods of the model registry. Every change takes optional
    ``actor`` (who; default: the store's actor) and ``reason`` (why),
    recorded in its audit event."""

    _handle: Any

    # ---- models ----

    def create_model(self, name: str, description: Optional[str] = None, *,
                     actor: Optional[str] = None, reason: Optional[str] = None) -> Model:
        """Registers model ``name`` (no versions yet); returns it. Raises
        AlreadyExists."""
        check(C.mlops_model_create_ex(self._handle, enc(name), enc(description),
                                      _change(actor, reason)))
        return self.get_model(name)

    def get_model(self, name: str) -> Model:
        """The model ``name`` with its tags and aliases. Raises NotFound."""
        h = ModelP()
        check(C.mlops_model_get(self._handle, enc(name), byref(h)))
        try:
            return Model._from_c(h)
        finally:
            C.mlops_model_free(h)

    def models(self, name_glob: Optional[str] = None, *,
               tags: Optional[Mapping[str, Optional[str]]] = None,
               include_deleted: bool = False,
               lifecycle: Optional[str] = None) -> List[Model]:
        """Models whose name matches ``name_glob`` ('*', '?', [abc]) and
        that carry every tag of ``tags`` (a value of None: any value),
        sorted by name. ``lifecycle``: "active" (the default), "deleted"
        or "all"; ``include_deleted=True`` is the older spelling of
        "all"."""
        opts = ModelSearchExOpts()
        check(C.mlops_model_search_ex_opts_init(byref(opts), ModelSearchExOpts.VERSION))
        opts.name_glob = enc(name_glob)
        keep: List[Any] = []
        if tags:
            keys = (c_char_p * len(tags))(*[enc(k) for k in tags])
            values = (c_char_p * len(tags))(*[enc(v) for v in tags.values()])
            keep += [keys, values]
            opts.tag_keys = ctypes.cast(keys, POINTER(c_char_p))
            opts.tag_values = ctypes.cast(values, POINTER(c_char_p))
            opts.ntags = len(tags)
        opts.lifecycle = _deleted_filter(include_deleted, lifecycle)
        lst = ModelsP()
        check(C.mlops_model_search_ex(self._handle, byref(opts), byref(lst)))
        del keep
        try:
            return [Model._from_c(C.mlops_models_at(lst, i))
                    for i in range(C.mlops_models_count(lst))]
        finally:
            C.mlops_models_free(lst)

    def rename_model(self, name: str, new_name: str, *, actor: Optional[str] = None,
                     reason: Optional[str] = None) -> None:
        """Renames a model; versions, aliases, tags and history follow."""
        check(C.mlops_model_rename(self._handle, enc(name), enc(new_name), _change(actor, reason)))

    def delete_model(self, name: str, *, force: bool = False, actor: Optional[str] = None,
                     reason: Optional[str] = None) -> None:
        """Deletes a model (Conflict while it has versions, unless
        ``force``: they are deleted first)."""
        check(C.mlops_model_delete(self._handle, enc(name), 1 if force else 0,
                                   _change(actor, reason)))

    def set_model_description(self, name: str, description: Optional[str], *,
                              actor: Optional[str] = None, reason: Optional[str] = None) -> None:
        """Sets a model's description (None or "" clears it)."""
        check(C.mlops_model_set_description(self._handle, enc(name), enc(description),
                                            _change(actor, reason)))

    def set_model_tag(self, name: str, key: str, value: str, *, actor: Optional[str] = None,
                      reason: Optional[str] = None) -> None:
        """Sets a model tag."""
        check(C.mlops_model_tag_set(self._handle, enc(name), enc(key), enc(value),
                                    _change(actor, reason)))

    def delete_model_tag(self, name: str, key: str, *, actor: Optional[str] = None,
                         reason: Optional[str] = None) -> None:
        """Removes a model tag (NotFound when it is not set)."""
        check(C.mlops_model_tag_delete(self._handle, enc(name), enc(key), _change(actor, reason)))

    # ---- versions ----

    def create_model_version(self, model: str, artifact: DigestLike, run: Any = None,
                             description: Optional[str] = None, *,
                             actor: Optional[str] = None, reason: Optional[str] = None) -> int:
        """Creates the next version of ``model`` pointing at the stored
        ``artifact``, made by ``run`` (a run id, Run or RunInfo, or None);
        returns its number. Raises NotFound (no model, artifact or run)."""
        d = c_digest(artifact)
        out = c_int64()
        check(C.mlops_model_version_create_ex(self._handle, enc(model), byref(d), _run_id(run),
                                              enc(description), _change(actor, reason),
                                              byref(out)))
        return out.value

    def get_model_version(self, model: str, version: int) -> ModelVersion:
        """Version ``version`` of ``model`` (deleted ones too) with its tags
        and signatures. Raises NotFound."""
        h = ModelVersionP()
        check(C.mlops_model_version_get(self._handle, enc(model), version, byref(h)))
        try:
            return ModelVersion._from_c(h)
        finally:
            C.mlops_model_version_free(h)

    def model_versions(self, model: str, *, include_deleted: bool = False,
                       lifecycle: Optional[str] = None) -> List[ModelVersion]:
        """The versions of ``model`` by number. ``lifecycle``: "active"
        (the default), "deleted" or "all"; ``include_deleted=True`` is the
        older spelling of "all"."""
        lst = ModelVersionsP()
        check(C.mlops_model_version_list_ex(self._handle, enc(model),
                                            _deleted_filter(include_deleted, lifecycle),
                                            byref(lst)))
        try:
            return [ModelVersion._from_c(C.mlops_model_versions_at(lst, i))
                    for i in range(C.mlops_model_versions_count(lst))]
        finally:
            C.mlops_model_versions_free(lst)

    def set_model_version_description(self, model: str, version: int,
                                      description: Optional[str], *,
                                      actor: Optional[str] = None,
                                      reason: Optional[str] = None) -> None:
        """Sets a version's description (None or "" clears it)."""
        check(C.mlops_model_version_set_description(self._handle, enc(model), version,
                                                    enc(description), _change(actor, reason)))

    def set_model_version_status(self, model: str, version: int, status: str, *,
                                 actor: Optional[str] = None,
                                 reason: Optional[str] = None) -> None:
        """Sets a version's status: "READY" or "ARCHIVED"."""
        if status not in _VERSION_STATUS:
            raise ValueError(f"status must be READY or ARCHIVED, not {status!r}")
        check(C.mlops_model_version_set_status(self._handle, enc(model), version,
                                               _VERSION_STATUS[status], _change(actor, reason)))

    def set_model_version_tag(self, model: str, version: int, key: str, value: str, *,
                              actor: Optional[str] = None, reason: Optional[str] = None) -> None:
        """Sets a version tag."""
        check(C.mlops_model_version_tag_set(self._handle, enc(model), version, enc(key),
                                            enc(value), _change(actor, reason)))

    def delete_model_version_tag(self, model: str, version: int, key: str, *,
                                 actor: Optional[str] = None,
                                 reason: Optional[str] = None) -> None:
        """Removes a version tag."""
        check(C.mlops_model_version_tag_delete(self._handle, enc(model), version, enc(key),
                                               _change(actor, reason)))

    def delete_model_version(self, model: str, version: int, *, actor: Optional[str] = None,
                             reason: Optional[str] = None) -> None:
        """Deletes a version (kept, marked deleted; its number is never
        reused; aliases pointing at it are removed)."""
        check(C.mlops_model_version_delete(self._handle, enc(model), version,
                                           _change(actor, reason)))

    # ---- aliases ----

    def set_alias(self, model: str, alias: str, version: int, *, actor: Optional[str] = None,
                  reason: Optional[str] = None) -> None:
        """Points alias ``alias`` of ``model`` at ``version``. Raises
        PolicyError when the alias's signing policy refuses the version."""
        check(C.mlops_model_alias_set_ex(self._handle, enc(model), enc(alias), version,
                                         _change(actor, reason)))

    def get_alias(self, model: str, alias: str) -> int:
        """The version an alias points at ("latest" and "vN" included)."""
        out = c_int64()
        check(C.mlops_model_alias_get(self._handle, enc(model), enc(alias), byref(out)))
        return out.value

    def delete_alias(self, model: str, alias: str, *, actor: Optional[str] = None,
                     reason: Optional[str] = None) -> None:
        """Removes an alias."""
        check(C.mlops_model_alias_delete(self._handle, enc(model), enc(alias),
                                         _change(actor, reason)))

    def resolve(self, ref: str) -> Resolved:
        """Resolves "name@alias" or "name/N" to the version and its
        artifact digest."""
        v = c_int64()
        d = CDigest()
        check(C.mlops_model_resolve(self._handle, enc(ref), byref(v), byref(d)))
        return Resolved(v.value, Digest._from_c(d))

    def set_alias_policy(self, model: str, alias: str, trusted_public_pems: Sequence[Pem], *,
                         actor: Optional[str] = None, reason: Optional[str] = None) -> None:
        """Guards an alias: from now on it may only point at versions
        signed by one of these Ed25519 public keys (PEM texts)."""
        arr = (c_char_p * len(trusted_public_pems))(*[_pem(p) for p in trusted_public_pems])
        check(C.mlops_model_alias_policy_set(self._handle, enc(model), enc(alias), arr,
                                             len(trusted_public_pems), _change(actor, reason)))

    def delete_alias_policy(self, model: str, alias: str, *, actor: Optional[str] = None,
                            reason: Optional[str] = None) -> None:
        """Removes an alias's signing policy."""
        check(C.mlops_model_alias_policy_delete(self._handle, enc(model), enc(alias),
                                                _change(actor, reason)))

    def get_alias_policy(self, model: str, alias: str) -> List[Digest]:
        """The fingerprints of the keys an alias's policy trusts."""
        arr = POINTER(CDigest)()
        n = c_size_t()
        check(C.mlops_model_alias_policy_get(self._handle, enc(model), enc(alias), byref(arr),
                                             byref(n)))
        try:
            return [Digest._from_c(arr[i]) for i in range(n.value)]
        finally:
            C.mlops_free(arr)

    # ---- signing ----

    def model_version_manifest(self, model: str, version: int) -> bytes:
        """The canonical bytes a version's signature covers."""
        ptr = c_void_p()
        n = c_size_t()
        check(C.mlops_model_version_manifest(self._handle, enc(model), version, byref(ptr),
                                             byref(n)))
        return take_buffer(ptr, n.value)

    def sign_model_version(self, model: str, version: int, private_pem: Pem, *,
                           actor: Optional[str] = None, reason: Optional[str] = None) -> Digest:
        """Signs a version with an Ed25519 private key (PEM) and records the
        signature; returns the key's fingerprint. Raises AlreadyExists when
        this key signed it already."""
        check(C.mlops_model_version_sign(self._handle, enc(model), version, _pem(private_pem),
                                         _change(actor, reason)))
        return key_fingerprint(private_pem)

    def verify_model_version(self, model: str, version: int, public_pem: Pem, *,
                             deep: bool = False) -> None:
        """Checks that the version carries a valid signature by this
        Ed25519 public key over its manifest as recomputed now. Raises
        SignatureError when it does not. The signature covers the
        artifact's digest; with ``deep`` the bytes the store holds for it
        are re-hashed too (as long as a get), and Corrupt is raised when
        they are not the artifact's."""
        verify = C.mlops_model_version_verify_deep if deep else C.mlops_model_version_verify
        check(verify(self._handle, enc(model), version, _pem(public_pem)))

    # ---- audit log and lineage ----

    def audit_verify(self, head: Union[AuditHead, Tuple[int, DigestLike], None] = None) -> None:
        """Walks the whole audit chain and checks the registry against it;
        with ``head`` (an AuditHead published earlier) also checks that the
        chain still reaches it (catches truncation). Raises Corrupt, whose
        ``first_bad_seq`` is the first bad sequence number (0 when only the
        current state disagrees with the log)."""
        first_bad = c_int64()
        if head is None:
            rc = C.mlops_audit_verify_head(self._handle, 0, None, byref(first_bad))
        else:
            seq, h = (head.seq, head.hash) if isinstance(head, AuditHead) else head
            d = c_digest(h)
            rc = C.mlops_audit_verify_head(self._handle, seq, byref(d), byref(first_bad))
        if rc:
            e = error(rc)
            if isinstance(e, Corrupt):
                e.first_bad_seq = first_bad.value  # type: ignore[attr-defined]
            raise e

    def audit_checkpoint(self, private_pem: Pem, *, actor: Optional[str] = None,
                         reason: Optional[str] = None) -> int:
        """Signs the audit chain's current head with an Ed25519 private key
        (PEM) and records the signature as an ``audit.checkpoint`` event;
        returns the sequence number signed. Raises NotFound on an empty
        log. An actor name proves nothing by itself; a checkpoint proves
        the log up to it to whoever trusts the key."""
        covered = c_int64()
        check(C.mlops_audit_checkpoint(self._handle, _pem(private_pem), _change(actor, reason),
                                       byref(covered)))
        return covered.value

    def audit_verify_checkpoints(self, trusted_public_pems: Sequence[Pem] = (), *,
                                 min_seq: int = 0,
                                 head: Union[AuditHead, Tuple[int, DigestLike], None] = None
                                 ) -> AuditReport:
        """As audit_verify, and every checkpoint must verify over the head
        before it and be by one of ``trusted_public_pems`` (when given).
        Returns how far checkpoints by those keys attest the log. Raises
        Corrupt (``first_bad_seq`` set) for a broken chain or a bad
        checkpoint, SignatureError when ``min_seq`` > 0 and no checkpoint by
        a trusted key covers that event."""
        opts = _CAuditVerifyOpts()
        check(C.mlops_audit_verify_opts_init(byref(opts), _CAuditVerifyOpts.VERSION))
        keys = (c_char_p * max(len(trusted_public_pems), 1))(
            *[_pem(p) for p in trusted_public_pems])
        opts.trusted_keys = keys
        opts.n_trusted_keys = len(trusted_public_pems)
        opts.min_seq = min_seq
        d = CDigest()
        if head is not None:
            seq, h = (head.seq, head.hash) if isinstance(head, AuditHead) else head
            d = c_digest(h)
            opts.head_seq = seq
            opts.head_hash = ctypes.pointer(d)
        report = _CAuditReport()
        check(C.mlops_audit_report_init(byref(report), _CAuditReport.VERSION))
        rc = C.mlops_audit_verify_ex(self._handle, byref(opts), byref(report))
        if rc:
            e = error(rc)
            if isinstance(e, Corrupt):
                e.first_bad_seq = report.first_bad  # type: ignore[attr-defined]
            raise e
        return AuditReport(report.events, report.checkpoints, report.attested_seq,
                           report.unattested)

    def audit_head(self) -> AuditHead:
        """The audit chain's head (0 and a zero hash for an empty log)."""
        seq = c_int64()
        d = CDigest()
        check(C.mlops_audit_head(self._handle, byref(seq), byref(d)))
        return AuditHead(seq.value, Digest._from_c(d))

    def audit_events(self, model: str) -> List[AuditEvent]:
        """The events of model ``model`` through renames, oldest first."""
        lst = AuditEventsP()
        check(C.mlops_audit_model_events(self._handle, enc(model), byref(lst)))
        return _events(lst)

    def audit_log(self, after_seq: int = 0, limit: int = 0) -> List[AuditEvent]:
        """Up to ``limit`` events (0: all) with seq > ``after_seq``."""
        lst = AuditEventsP()
        check(C.mlops_audit_list(self._handle, after_seq, limit, byref(lst)))
        return _events(lst)

    def alias_at(self, model: str, alias: str, time_ms: int) -> int:
        """The version an alias pointed at as of ``time_ms``."""
        out = c_int64()
        check(C.mlops_audit_alias_at(self._handle, enc(model), enc(alias), time_ms, byref(out)))
        return out.value

    def model_page_html(self, model: str, *, title: Optional[str] = None,
                        generated_ms: int = 0) -> str:
        """The model as one self-contained HTML page (mlops_model_page_html;
        doc/pages.md): versions, each alias's split over time, gate
        decisions with their values, signatures, lineage dataset -> run ->
        version and the audit timeline. ``title`` defaults to "Model
        NAME"; ``generated_ms`` is the time in the footer (0: now, -1:
        none)."""
        opts = _CModelPageOpts()
        check(C.mlops_model_page_opts_init(byref(opts), _CModelPageOpts.VERSION))
        opts.title = enc(title)
        opts.generated_ms = generated_ms
        ptr = c_void_p()
        check(C.mlops_model_page_html(self._handle, enc(model), byref(opts), byref(ptr)))
        try:
            return ctypes.string_at(ptr.value or 0).decode("utf-8")
        finally:
            C.mlops_free(ptr)

    def model_version_lineage(self, model: str, version: int) -> VersionLineage:
        """How a version was made: its run snapshot and the run's inputs."""
        h = VersionLineageP()
        check(C.mlops_model_version_lineage(self._handle, enc(model), version, byref(h)))
        try:
            run = C.mlops_version_lineage_run(h)
            n = c_size_t()
            inputs = C.mlops_version_lineage_inputs(h, byref(n))
            return VersionLineage(
                version=C.mlops_version_lineage_version(h),
                artifact=Digest._from_c(C.mlops_version_lineage_artifact(h).contents),
                run=RunInfo._from_c(run) if run else None,
                inputs=[LineageEdge._from_c(inputs[i]) for i in range(n.value)],
            )
        finally:
            C.mlops_version_lineage_free(h)
