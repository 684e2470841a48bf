"""Columns and times of a monitor batch as C arrays, for
MonitorsMixin.ingest_monitor (mlops.monitors): times as int64 ms from
ints, numpy datetime64 or pandas datetime columns; numeric columns lent
to C in place where they can be (mlops._buffer), strings as arrays of C
strings."""
from __future__ import annotations

import ctypes
import datetime
from array import array
from ctypes import c_char_p
from typing import Any, Dict, List, Optional, Tuple

from . import _arrays, _buffer, _frames
from ._capi import enc


def _time_ms(what: str, v: Any) -> int:
    """A point in time as int ms: an int, a datetime (naive = UTC) or a
    pandas Timestamp."""
    if isinstance(v, bool):
        raise TypeError(f"{what} is a time in ms or a datetime, not bool")
    if isinstance(v, int):
        return v
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        d = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000
    np = _arrays.np
    if np is not None and isinstance(v, np.datetime64):
        return int(v.astype("datetime64[ms]").astype(np.int64))
    raise TypeError(f"{what} is a time in ms or a datetime, not {type(v).__name__}")


def _times(times: Any) -> Any:
    """The times as a contiguous int64 array of milliseconds (numpy when
    present, else array('q'))."""
    np = _arrays.np
    if _frames.is_column(times):
        return _frame_times(times)
    if np is not None:
        a = np.asarray(times)
        if a.dtype.kind == "M":
            if np.isnat(a).any():
                raise ValueError("a time is NaT (missing)")
            return np.ascontiguousarray(a.astype("datetime64[ms]").view(np.int64))
        if a.ndim != 1:
            raise ValueError(f"times must be 1-D, not {a.ndim}-D")
        if a.size and a.dtype.kind not in "iu":
            raise TypeError(f"times are int64 milliseconds or datetime64, not {a.dtype}")
        return np.ascontiguousarray(a, dtype=np.int64)
    return array("q", [_time_ms("a time", t) for t in times])


def _frame_times(col: Any) -> Any:
    np = _arrays.np
    pd = _frames.pandas()
    if _frames._family(col) == "arrow":
        if col.null_count:  # (to_pandas would make integers floats)
            raise ValueError("a time is missing")
        col = pd.Series(col.to_pandas() if hasattr(col, "to_pandas") else col)
    kind = _frames.kind(col)
    if kind == "numeric":
        # Whole milliseconds only, as for numpy arrays (_times): floats and
        # booleans are refused, not cut to int64.
        if not pd.api.types.is_integer_dtype(col.dtype):
            raise TypeError(f"times are int64 milliseconds or datetime64, not {col.dtype}")
        if bool(col.isna().any()):
            raise ValueError("a time is missing")
        return np.ascontiguousarray(col.to_numpy(), dtype=np.int64)
    if kind != "datetime":
        raise TypeError(f"the time column holds {col.dtype}, not times")
    arr = pd.array(col)
    if getattr(arr, "tz", None) is not None:
        arr = arr.tz_convert("UTC").tz_localize(None)
    a = np.asarray(arr)
    if np.isnat(a).any():
        raise ValueError("a time is NaT (missing)")
    return np.ascontiguousarray(a.astype("datetime64[ms]").view(np.int64))


def _is_strings(values: Any) -> bool:
    if _frames.is_column(values):
        return _frames.kind(values) == "categorical"
    return _frames.looks_categorical(values)


def _strings(values: Any) -> Tuple[Any, int]:
    if _frames.is_column(values):
        encoded, n = _frames.strings(values)
        return (c_char_p * n)(*encoded), n
    np = _arrays.np
    items = values.tolist() if np is not None and isinstance(values, np.ndarray) else values
    out = []
    for v in items:
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        else:
            out.append(enc(v if isinstance(v, (str, bytes)) else str(v)))
    return (c_char_p * len(out))(*out), len(out)


def _columns_of(data: Any, time_column: Optional[str]) -> Tuple[Dict[str, Any], Any]:
    cols = dict(_frames.columns(data)) if _frames.is_frame(data) else dict(data)
    times = None
    if time_column is not None:
        if time_column not in cols:
            raise KeyError(f"no time column {time_column!r}")
        times = cols.pop(time_column)
    return cols, times


class _lend_columns:
    """Fills numeric[j] / strings[j] with C views of the columns for one
    call and yields each column's length; numeric buffers are lent in
    place where they can be (mlops._buffer), released on exit."""

    def __init__(self, values: Any, numeric: Any, strings: Any, keep: List[Any]) -> None:
        self.values, self.numeric, self.strings, self.keep = list(values), numeric, strings, keep
        self.stack: List[Any] = []

    def __enter__(self) -> List[int]:
        lengths = []
        try:
            for j, v in enumerate(self.values):
                if _is_strings(v):
                    arr, n = _strings(v)
                    self.keep.append(arr)
                    self.strings[j] = ctypes.addressof(arr) if n else None
                    if not n:  # an empty column still needs its array
                        self.keep.append(empty := (c_char_p * 1)())
                        self.strings[j] = ctypes.addressof(empty)
                else:
                    if _frames.is_column(v):
                        v = _frames.float64(v)
                        self.keep.append(v)
                    cm = _buffer.float64(v)
                    addr, n = cm.__enter__()
                    self.stack.append(cm)
                    self.numeric[j] = addr or ctypes.addressof(_EMPTY)
                lengths.append(n)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return lengths

    def __exit__(self, *exc: Any) -> None:
        while self.stack:
            self.stack.pop().__exit__(None, None, None)


_EMPTY = ctypes.c_double(0.0)
