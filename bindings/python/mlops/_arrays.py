"""numpy when it is installed, array.array otherwise.

numpy is optional at run time: results that are arrays (metric histories,
bin edges...) are numpy arrays when numpy can be imported and array.array
otherwise. Tests set ``np`` to None to exercise the array.array path.
"""
from __future__ import annotations

from array import array
from typing import Any

np: Any
try:  # pragma: no cover - depends on the environment
    import numpy as np
except ImportError:  # pragma: no cover
    np = None


def wrap(a: "array[Any]") -> Any:
    """a as a numpy array sharing its memory when numpy is present, else a."""
    if np is None:
        return a
    return np.frombuffer(a, dtype=np.float64 if a.typecode == "d" else np.int64)


def from_bits(bits: Any, typecode: str) -> "array[Any]":
    """Reinterprets the 8-byte items of bits as typecode ('d' or 'q')."""
    out = array(typecode)
    out.frombytes(memoryview(bits).cast("B"))
    return out
