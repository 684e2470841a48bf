"""ctypes building blocks shared by the declaration modules: opaque
handle types and the digest struct."""
from __future__ import annotations

from ctypes import POINTER, Structure, c_ubyte
from typing import Any


def opaque(name: str) -> Any:
    """A pointer type to an opaque C struct: handles of different kinds are
    distinct types, so passing the wrong one raises ctypes.ArgumentError."""
    return POINTER(type(name, (Structure,), {}))


class CDigest(Structure):
    """mlops_digest (frozen)."""

    _fields_ = [("bytes", c_ubyte * 32)]
