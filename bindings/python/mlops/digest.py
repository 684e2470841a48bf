"""Digest: the SHA-256 name of stored content."""
from __future__ import annotations

import ctypes
from typing import Any, Union

from . import _buffer
from ._cbase import CDigest
from ._capi import C, check, enc

__all__ = ["Digest", "DigestLike"]


class Digest:
    """The SHA-256 of some content, as libmlops names blobs and trees.

    Immutable and hashable. ``str(d)`` is the text form
    ``"sha256:<64 lowercase hex digits>"``; ``Digest(text)`` parses it
    (strictly), ``Digest(raw32bytes)`` wraps the raw bytes.
    """

    __slots__ = ("_raw",)
    _raw: bytes

    def __init__(self, value: Union[str, bytes, "Digest"]) -> None:
        if isinstance(value, Digest):
            raw = value._raw
        elif isinstance(value, str):
            c = CDigest()
            check(C.mlops_digest_parse(enc(value), ctypes.byref(c)))
            raw = bytes(c.bytes)
        elif isinstance(value, (bytes, bytearray)) and len(value) == 32:
            raw = bytes(value)
        else:
            raise TypeError("Digest() takes its text form (str) or 32 raw bytes")
        object.__setattr__(self, "_raw", raw)

    @classmethod
    def compute(cls, data: Any) -> "Digest":
        """The digest of bytes-like data (computed by the library, no copy)."""
        c = CDigest()
        with _buffer.raw(data) as (addr, n):
            check(C.mlops_digest_compute(addr, n, ctypes.byref(c)))
        return cls._from_c(c)

    @classmethod
    def _from_c(cls, c: CDigest) -> "Digest":
        d = cls.__new__(cls)
        object.__setattr__(d, "_raw", bytes(c.bytes))
        return d

    def _to_c(self) -> CDigest:
        c = CDigest()
        ctypes.memmove(c.bytes, self._raw, 32)
        return c

    @property
    def raw(self) -> bytes:
        """The 32 raw bytes."""
        return self._raw

    @property
    def hex(self) -> str:
        """The 64 lowercase hex digits (the text form without "sha256:")."""
        return self._raw.hex()

    def __str__(self) -> str:
        out = (ctypes.c_char * 72)()
        check(C.mlops_digest_format(ctypes.byref(self._to_c()), out))
        return out.value.decode("ascii")

    def __repr__(self) -> str:
        return f"Digest('{self}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Digest):
            return self._raw == other._raw
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        # The hash of the text form: a Digest equals its text (__eq__), so
        # the two must hash alike (a set of digests finds the text).
        return hash("sha256:" + self._raw.hex())

    def __reduce__(self) -> Any:
        # Pickled as its raw bytes (the default would restore the slot
        # through __setattr__, which refuses).
        return (type(self), (self._raw,))

    def __copy__(self) -> "Digest":
        return self  # immutable

    def __deepcopy__(self, memo: Any) -> "Digest":
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Digest is immutable")


#: What functions taking a digest accept: a Digest or its text form.
DigestLike = Union[Digest, str]


def c_digest(d: DigestLike) -> CDigest:
    """The C struct of a Digest or of its text form."""
    if isinstance(d, Digest):
        return d._to_c()
    if isinstance(d, str):
        return Digest(d)._to_c()
    raise TypeError(f"expected a Digest or its text form, got {type(d).__name__}")
