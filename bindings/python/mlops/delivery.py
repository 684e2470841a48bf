"""Weighted aliases and routing (registry.h, "Weighted aliases and
routing"; since 1.1; doc/delivery.md): an alias that splits traffic
between versions ("3:90,4:10", a shadow with "+shadow:5"), ramp steps,
rollbacks, point-in-time splits, and routing keys to versions with the
store or from a RouteSnapshot. Store.set_alias_split, Store.alias_split,
Store.alias_splits, Store.alias_split_at, Store.ramp_alias,
Store.rollback_alias, Store.route, Store.route_snapshot."""
from __future__ import annotations

from ctypes import byref, c_int, c_int64
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

from ._capi import C, check, dec, enc
from ._capi_delivery import AliasSplitP, AliasSplitsP, RouteSnapshotP
from ._handle import Guard, Owned
from .registry import _change

__all__ = ["AliasSplit", "RouteSnapshot"]

Key = Union[str, bytes]
SplitLike = Union[str, int, Mapping[int, int]]


@dataclass(frozen=True)
class AliasSplit:
    """The split of a weighted alias: its versions with their shares in
    percent (by ascending version), the shadow version (None when none),
    the primary (the largest share, the lower number on a tie: what
    ``get_alias`` answers) and the routing salt ("" while the alias routes
    to one version and has none)."""

    alias: str
    text: str
    legs: Tuple[Tuple[int, int], ...]
    primary: int
    shadow: Optional[int]
    salt: str

    @classmethod
    def _from_c(cls, sp: Any) -> "AliasSplit":
        legs = []
        for i in range(C.mlops_alias_split_count(sp)):
            v, w = c_int64(), c_int()
            check(C.mlops_alias_split_at(sp, i, byref(v), byref(w)))
            legs.append((v.value, w.value))
        shadow = C.mlops_alias_split_shadow(sp)
        return cls(alias=dec(C.mlops_alias_split_alias(sp)) or "",
                   text=dec(C.mlops_alias_split_text(sp)) or "", legs=tuple(legs),
                   primary=C.mlops_alias_split_primary(sp), shadow=shadow or None,
                   salt=dec(C.mlops_alias_split_salt(sp)) or "")

    @property
    def weights(self) -> dict:
        """Version -> share in percent."""
        return dict(self.legs)


def split_text(split: SplitLike, shadow: Optional[int] = None) -> str:
    """The text form of a split given as text, a version, or a mapping
    version -> percent (the library checks it)."""
    if isinstance(split, bool):
        raise TypeError("a split is a text, a version or a mapping version -> percent")
    if isinstance(split, int):
        text = str(split)
    elif isinstance(split, str):
        text = split
    else:
        text = ",".join(f"{int(v)}:{int(w)}" for v, w in split.items())
    if shadow is not None:
        text += f"+shadow:{int(shadow)}"
    return text


def _key(key: Key) -> bytes:
    """A key's bytes: bytes as they are (a NUL byte is part of a key), a
    str as UTF-8 through enc (which refuses a NUL, as for every string the
    binding passes: give such a key as bytes)."""
    if isinstance(key, str):
        return enc(key) or b""
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    raise TypeError(f"a key is str or bytes, not {type(key).__name__}")


def _take(sp: Any) -> AliasSplit:
    try:
        return AliasSplit._from_c(sp)
    finally:
        C.mlops_alias_split_free(sp)


class RouteSnapshot(Owned):
    """One alias's split and salt, taken once: ``route(key)`` reads no
    database, and any number of threads may route from it at once. It
    keeps the split it was taken with. Release with close() or ``with``."""

    def __init__(self, h: Any) -> None:
        self._guard = Guard(h, C.mlops_route_snapshot_free, "route snapshot")

    def _g(self) -> Guard:
        g = self._guard
        if g is None:
            raise ValueError("the route snapshot is closed")
        return g

    def __enter__(self) -> "RouteSnapshot":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def split(self) -> AliasSplit:
        """The split the snapshot routes by."""
        with self._g() as h:
            return AliasSplit._from_c(C.mlops_route_snapshot_split(h))

    def route(self, key: Key) -> int:
        """The version key goes to."""
        b = _key(key)
        v = c_int64()
        check(C.mlops_route_snapshot_route(self._g(), b, len(b), byref(v)))
        return v.value

    def route_many(self, keys: Iterable[Key]) -> List[int]:
        """The versions of many keys, in their order, holding the snapshot
        once."""
        out: List[int] = []
        v = c_int64()
        f = C.mlops_route_snapshot_route
        with self._g() as h:
            for key in keys:
                b = _key(key)
                check(f(h, b, len(b), byref(v)))
                out.append(v.value)
        return out


class DeliveryMixin:
    """Store methods for weighted aliases and routing."""

    _handle: Any

    def set_alias_split(self, model: str, alias: str, split: SplitLike, *,
                        shadow: Optional[int] = None, actor: Optional[str] = None,
                        reason: Optional[str] = None) -> None:
        """Sets alias to split: "3:90,4:10", {3: 90, 4: 10}, or a version;
        shadow: a version that gets mirrored traffic and is never routed
        to. Raises InvalidArgument (a malformed split: weights not summing
        to 100...), NotFound (a version missing or deleted), PolicyError
        (the alias's gate or signing policy refuses)."""
        check(C.mlops_model_alias_split_set(self._handle, enc(model), enc(alias),
                                            enc(split_text(split, shadow)),
                                            _change(actor, reason)))

    def ramp_alias(self, model: str, alias: str, version: int, weight: int, *,
                   actor: Optional[str] = None, reason: Optional[str] = None) -> None:
        """One ramp step: version gets weight percent, the difference
        moving from or to the largest other share; 100 promotes fully, 0
        takes the version out."""
        check(C.mlops_model_alias_ramp(self._handle, enc(model), enc(alias), version, weight,
                                       _change(actor, reason)))

    def rollback_alias(self, model: str, alias: str, time_ms: int = 0, *,
                       actor: Optional[str] = None, reason: Optional[str] = None) -> None:
        """Back to the split before the alias's last change (time_ms 0), or
        to the split it had as of time_ms."""
        check(C.mlops_model_alias_rollback(self._handle, enc(model), enc(alias), time_ms,
                                           _change(actor, reason)))

    def alias_split(self, model: str, alias: str) -> AliasSplit:
        """The alias's split now. Raises NotFound when it is not set."""
        sp = AliasSplitP()
        check(C.mlops_model_alias_split_get(self._handle, enc(model), enc(alias), byref(sp)))
        return _take(sp)

    def alias_split_at(self, model: str, alias: str, time_ms: int) -> AliasSplit:
        """The split the alias had as of time_ms, from the audit log."""
        sp = AliasSplitP()
        check(C.mlops_audit_alias_split_at(self._handle, enc(model), enc(alias), time_ms,
                                           byref(sp)))
        return _take(sp)

    def alias_splits(self, model: str) -> List[AliasSplit]:
        """The splits of the model's aliases, by alias."""
        lst = AliasSplitsP()
        check(C.mlops_model_alias_splits(self._handle, enc(model), byref(lst)))
        try:
            return [AliasSplit._from_c(C.mlops_alias_splits_at(lst, i))
                    for i in range(C.mlops_alias_splits_count(lst))]
        finally:
            C.mlops_alias_splits_free(lst)

    def route(self, model: str, alias: str, key: Key) -> int:
        """The version key is routed to by the alias now (one read; for
        many keys take a route_snapshot). Raises NotFound for an alias
        that is not set (never, or deleted)."""
        b = _key(key)
        v = c_int64()
        check(C.mlops_model_route(self._handle, enc(model), enc(alias), b, len(b), byref(v)))
        return v.value

    def route_snapshot(self, model: str, alias: str) -> RouteSnapshot:
        """A RouteSnapshot of the alias's split now."""
        h = RouteSnapshotP()
        check(C.mlops_model_route_snapshot(self._handle, enc(model), enc(alias), byref(h)))
        return RouteSnapshot(h)
