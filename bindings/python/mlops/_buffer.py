"""Borrowing the memory of Python objects for the length of one C call.

Any object with the buffer protocol (bytes, bytearray, memoryview,
array.array, numpy arrays, mmap...) is lent to C by address without a copy,
through ``PyObject_GetBuffer``/``PyBuffer_Release``. Float64 data that is
already C-contiguous float64 is passed as is; anything else (other dtypes,
strided views, lists, tuples) is converted once to a contiguous float64
array first. pandas and pyarrow columns go through mlops._frames: a
float64 column without missing values is lent in place too.
"""
from __future__ import annotations

import ctypes
from array import array
from ctypes import POINTER, Structure, c_char_p, c_int, c_ssize_t, c_void_p
from typing import Any, Iterator, Tuple
from contextlib import contextmanager

from . import _arrays, _frames


class _PyBuffer(Structure):
    # Py_buffer, part of the stable ABI since Python 3.11 and unchanged
    # since 3.3.
    _fields_ = [
        ("buf", c_void_p),
        ("obj", c_void_p),
        ("len", c_ssize_t),
        ("itemsize", c_ssize_t),
        ("readonly", c_int),
        ("ndim", c_int),
        ("format", c_char_p),
        ("shape", POINTER(c_ssize_t)),
        ("strides", POINTER(c_ssize_t)),
        ("suboffsets", POINTER(c_ssize_t)),
        ("internal", c_void_p),
    ]


_get = ctypes.pythonapi.PyObject_GetBuffer
_get.argtypes = [ctypes.py_object, POINTER(_PyBuffer), c_int]
_get.restype = c_int
_release = ctypes.pythonapi.PyBuffer_Release
_release.argtypes = [POINTER(_PyBuffer)]
_release.restype = None

PyBUF_SIMPLE = 0
PyBUF_WRITABLE = 0x0001
PyBUF_FORMAT = 0x0004
PyBUF_ND = 0x0008
PyBUF_STRIDES = 0x0010 | PyBUF_ND
PyBUF_C_CONTIGUOUS = 0x0020 | PyBUF_STRIDES

_FLOAT64_FORMATS = (b"d", b"<d", b"=d", b"@d")


@contextmanager
def raw(obj: Any, writable: bool = False) -> Iterator[Tuple[int, int]]:
    """Lends the bytes of a contiguous buffer: yields (address, length in
    bytes). Raises TypeError for objects without the buffer protocol and
    BufferError for non-contiguous (or, when writable, read-only) ones."""
    view = _PyBuffer()
    _get(obj, ctypes.byref(view), PyBUF_WRITABLE if writable else PyBUF_SIMPLE)
    try:
        yield (view.buf or 0), view.len
    finally:
        _release(ctypes.byref(view))


def _float64_view(obj: Any, writable: bool) -> "_PyBuffer | None":
    view = _PyBuffer()
    flags = PyBUF_FORMAT | PyBUF_C_CONTIGUOUS | (PyBUF_WRITABLE if writable else 0)
    try:
        _get(obj, ctypes.byref(view), flags)
    except (TypeError, BufferError, ValueError):
        return None
    if view.itemsize == 8 and view.ndim == 1 and view.format in _FLOAT64_FORMATS:
        return view
    _release(ctypes.byref(view))
    return None


def as_float64(obj: Any) -> Any:
    """A contiguous 1-D float64 copy of obj (a sequence or buffer of
    numbers): a numpy array when numpy is present, else array('d'); a
    pandas or Arrow column's own memory when it is float64 already."""
    if _frames.is_column(obj):
        return _frames.float64(obj)
    np = _arrays.np
    if np is not None:
        a = np.ascontiguousarray(obj, dtype=np.float64)
        if a.ndim != 1:
            raise ValueError(f"expected a 1-D sequence of numbers, got {a.ndim} dimensions")
        return a
    if isinstance(obj, memoryview):
        if obj.ndim != 1:
            raise ValueError(f"expected a 1-D sequence of numbers, got {obj.ndim} dimensions")
        obj = obj.tolist()
    if isinstance(obj, (str, bytes, bytearray)):
        raise TypeError(f"expected a sequence of numbers, got {type(obj).__name__}")
    return array("d", obj)


@contextmanager
def float64(obj: Any, writable: bool = False) -> Iterator[Tuple[int, int]]:
    """Lends a float64 array to C: yields (address, number of values).

    A C-contiguous 1-D float64 buffer (numpy float64 array, array('d'),
    memoryview of 'd') is lent in place, without a copy: with writable, C
    writes into it. Other input is converted to a float64 copy first (not
    allowed with writable: the caller would not see the result)."""
    view = _float64_view(obj, writable)
    if view is None:
        if writable:
            raise TypeError(
                "expected a writable C-contiguous 1-D float64 buffer "
                f"(numpy float64 array, array('d')), got {type(obj).__name__}"
            )
        obj = as_float64(obj)
        view = _float64_view(obj, False)
        assert view is not None
    try:
        yield (view.buf or 0), view.len // 8
    finally:
        _release(ctypes.byref(view))


def append_float64_bits(out: "array[Any]", obj: Any) -> int:
    """Appends the float64 values of obj to out (an array('Q')) as their
    bit patterns; returns how many. C-contiguous float64 buffers are
    copied with one memcpy; other input is converted first."""
    try:
        mv = memoryview(obj)
    except TypeError:
        mv = None
    if mv is None or mv.format not in _FLOAT64_STR or mv.ndim != 1 or not mv.c_contiguous:
        mv = memoryview(as_float64(obj))
    out.frombytes(mv.cast("B"))
    return len(mv)


_FLOAT64_STR = tuple(f.decode() for f in _FLOAT64_FORMATS)


_INT32_FORMATS = (b"i", b"<i", b"=i", b"@i")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def as_int32(obj: Any) -> Any:
    """A contiguous 1-D C int copy of obj (a sequence or buffer of whole
    numbers: integers, or floats with no fractional part, as class labels
    often come): a numpy intc array when numpy is present, else
    array('i'). Values outside the C int range are an error, never
    wrapped."""
    np = _arrays.np
    if np is not None:
        a = _frames.labels(obj) if _frames.is_column(obj) else np.asarray(obj)
        if a.ndim != 1:
            raise ValueError(f"expected a 1-D sequence of labels, got {a.ndim} dimensions")
        if a.size and a.dtype.kind not in "iub":
            if a.dtype.kind != "f" or not np.all(np.isfinite(a)) or np.any(a != np.floor(a)):
                raise ValueError("labels must be whole numbers")
        if a.size and a.dtype.kind in "iuf" and (a.min() < _INT_MIN or a.max() > _INT_MAX):
            raise OverflowError("labels must fit a C int (32 bits)")
        return np.ascontiguousarray(a, dtype=np.intc)
    if isinstance(obj, (str, bytes, bytearray)):
        raise TypeError(f"expected a sequence of labels, got {type(obj).__name__}")
    out = array("i")
    for v in obj:
        if isinstance(v, float):
            if v != int(v):
                raise ValueError("labels must be whole numbers")
            v = int(v)
        out.append(v)  # OverflowError outside the C int range
    return out


def _int32_view(obj: Any) -> "_PyBuffer | None":
    view = _PyBuffer()
    try:
        _get(obj, ctypes.byref(view), PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)
    except (TypeError, BufferError, ValueError):
        return None
    if view.itemsize == 4 and view.ndim == 1 and view.format in _INT32_FORMATS:
        return view
    _release(ctypes.byref(view))
    return None


@contextmanager
def int32(obj: Any) -> Iterator[Tuple[int, int]]:
    """Lends a C int array to C: yields (address, number of values). A
    C-contiguous 1-D buffer of C int (numpy int32, array('i')) is lent in
    place; other input is converted once (as_int32)."""
    view = _int32_view(obj)
    if view is None:
        obj = as_int32(obj)
        view = _int32_view(obj)
        assert view is not None
    try:
        yield (view.buf or 0), view.len // 4
    finally:
        _release(ctypes.byref(view))


@contextmanager
def float64_rows(obj: Any) -> Iterator[Tuple[int, int, int]]:
    """Lends a 1-D or 2-D float64 array to C: yields (address, rows,
    columns), columns 1 for a 1-D array. A C-contiguous float64 array is
    lent in place; other input is converted once (a DataFrame or an Arrow
    table is a 2-D array of its columns)."""
    np = _arrays.np
    if _frames.is_column(obj):
        with float64(obj) as (addr, n):
            yield addr, n, 1
        return
    if _frames.is_frame(obj):
        obj = _frames.matrix(obj)
    if np is not None:
        a = np.asarray(obj)
        if a.ndim == 2:
            a = np.ascontiguousarray(a, dtype=np.float64)  # no copy when already so
            yield (a.ctypes.data if a.size else 0), a.shape[0], a.shape[1]
            return
        if a.ndim != 1:
            raise ValueError(f"expected 1 or 2 dimensions, got {a.ndim}")
        with float64(obj if isinstance(obj, np.ndarray) else a) as (addr, n):
            yield addr, n, 1
        return
    rows = list(obj)
    if rows and isinstance(rows[0], (list, tuple)):
        k = len(rows[0])
        if any(len(r) != k for r in rows):
            raise ValueError("rows of different lengths")
        flat = array("d", [float(v) for r in rows for v in r])
        with float64(flat) as (addr, n):
            yield addr, len(rows), k
        return
    with float64(rows) as (addr, n):
        yield addr, n, 1
