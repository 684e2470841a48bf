"""pandas and pyarrow inputs, without importing either.

An object is recognised by the module its type comes from: a pandas
Series, Index, ExtensionArray or DataFrame, a pyarrow Array, ChunkedArray,
Table or RecordBatch. Such an object can only exist once its library is
imported, so the library is taken from ``sys.modules`` and never imported
here: ``import mlops`` leaves pandas and pyarrow unloaded.

A column becomes one of:

- numbers, a contiguous float64 numpy array handed to C: a float64 column
  without missing values is lent as it is (no copy); integers, booleans
  and columns with missing values are converted once, missing values
  (NaN, None, pd.NA, NaT, Arrow nulls) becoming NaN, the library's missing
  value;
- datetimes (and dates, durations) as numbers of milliseconds since the
  Unix epoch, UTC (durations: milliseconds), fractional where the column
  is finer; the column stays numeric, and its input type says it was a
  datetime;
- categories: codes and labels, for pandas categoricals, strings and
  objects, Arrow strings and dictionaries. Code -1 is missing. Labels are
  sorted, except a pandas categorical's categories and an Arrow
  dictionary's, which keep their order.

``stats`` counts the numeric columns lent as they are and those copied,
for tests and benchmarks to check the no-copy path.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import _arrays

#: Numeric columns lent without a copy ("lent") and converted ("copied").
stats: Dict[str, int] = {"lent": 0, "copied": 0}

_MS_PER_UNIT = {"s": 1e-3, "ms": 1.0, "us": 1e3, "ns": 1e6, "D": 1.0 / 86400000.0}


def _family(obj: Any) -> Optional[str]:
    mod = type(obj).__module__ or ""
    if mod.startswith("pandas.") or mod == "pandas":
        return "pandas"
    if mod.startswith("pyarrow.") or mod == "pyarrow":
        return "arrow"
    return None


def is_frame(obj: Any) -> bool:
    """True for a pandas DataFrame or a pyarrow Table or RecordBatch."""
    fam = _family(obj)
    if fam == "pandas":
        return isinstance(obj, sys.modules["pandas"].DataFrame)
    if fam == "arrow":
        pa = sys.modules["pyarrow"]
        return isinstance(obj, (pa.Table, pa.RecordBatch))
    return False


def is_column(obj: Any) -> bool:
    """True for a pandas Series, Index or ExtensionArray or a pyarrow Array
    or ChunkedArray."""
    fam = _family(obj)
    if fam == "pandas":
        pd = sys.modules["pandas"]
        return isinstance(obj, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray))
    if fam == "arrow":
        pa = sys.modules["pyarrow"]
        return isinstance(obj, (pa.Array, pa.ChunkedArray))
    return False


def columns(data: Any) -> Mapping[str, Any]:
    """A mapping name -> column of a DataFrame or an Arrow table; any
    other mapping as it is."""
    if _family(data) == "pandas" and is_frame(data):
        names = [str(c) for c in data.columns]
        if len(set(names)) != len(names):
            raise ValueError("the DataFrame has duplicate column names")
        return {str(c): data[c] for c in data.columns}
    if _family(data) == "arrow" and is_frame(data):
        names = list(data.schema.names)
        if len(set(names)) != len(names):
            raise ValueError("the table has duplicate column names")
        return {n: data.column(i) for i, n in enumerate(names)}
    return data


# ---- what a column holds ------------------------------------------------------------


def _pandas_dtype_kind(obj: Any) -> str:
    """"numeric", "datetime", "duration" or "categorical" for a pandas column."""
    pd = sys.modules["pandas"]
    t = pd.api.types
    dtype = obj.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return _arrow_type_kind(dtype.pyarrow_dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if t.is_datetime64_any_dtype(dtype):
        return "datetime"
    if t.is_timedelta64_dtype(dtype):
        return "duration"
    if t.is_bool_dtype(dtype) or t.is_numeric_dtype(dtype):
        return "numeric"
    return "categorical"  # strings, objects, periods, intervals...


def _arrow_type_kind(typ: Any) -> str:
    pat = sys.modules["pyarrow"].types
    if pat.is_timestamp(typ) or pat.is_date(typ):
        return "datetime"
    if pat.is_duration(typ):
        return "duration"
    if pat.is_integer(typ) or pat.is_floating(typ) or pat.is_boolean(typ) or pat.is_decimal(typ):
        return "numeric"
    return "categorical"


def kind(obj: Any) -> str:
    """What a pandas or Arrow column holds: "numeric", "datetime",
    "duration" or "categorical"."""
    if _family(obj) == "pandas":
        return _pandas_dtype_kind(obj)
    return _arrow_type_kind(obj.type)


def is_categorical(obj: Any) -> bool:
    """True for a pandas or Arrow column of categories (strings...)."""
    return is_column(obj) and kind(obj) == "categorical"


def input_type(obj: Any) -> str:
    """The column's type as its library names it, and for datetimes how it
    became numbers."""
    name = str(obj.dtype) if _family(obj) == "pandas" else str(obj.type)
    k = kind(obj)
    if k == "datetime":
        return f"{name} as milliseconds since the Unix epoch (UTC)"
    if k == "duration":
        return f"{name} as milliseconds"
    return name


# ---- numbers ------------------------------------------------------------------------------


def _lend_or_copy(a: Any, copied: bool) -> Any:
    np = _arrays.np
    out = np.ascontiguousarray(a, dtype=np.float64)
    if out.ndim != 1:
        raise ValueError(f"expected one column, got {out.ndim} dimensions")
    stats["copied" if copied or not np.shares_memory(out, a) else "lent"] += 1
    return out


def _datetime_ms(a: Any) -> Any:
    """float64 milliseconds of a numpy datetime64/timedelta64 array, NaT -> NaN."""
    np = _arrays.np
    unit, _ = np.datetime_data(a.dtype)
    if unit not in _MS_PER_UNIT:
        a = a.astype(a.dtype.str[:3] + "[ns]")  # 'M8[...]' or 'm8[...]'
        unit = "ns"
    out = a.view(np.int64).astype(np.float64)
    if unit != "ms":
        out /= _MS_PER_UNIT[unit]
    out[np.isnat(a)] = np.nan
    return out


def _pandas_float64(obj: Any) -> Any:
    np = _arrays.np
    dtype = obj.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":  # numpy-backed: a view when float64
        a = np.asarray(obj)
        return _lend_or_copy(a, dtype != np.float64)
    pd = sys.modules["pandas"]
    k = _pandas_dtype_kind(obj)
    if isinstance(obj.dtype, pd.ArrowDtype):
        return _arrow_float64(pd.array(obj).__arrow_array__())
    if k == "categorical" and not (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        raise TypeError(f"a column of categories ({obj.dtype}) where numbers are expected")
    if k in ("datetime", "duration"):
        arr = pd.array(obj)
        if getattr(arr, "tz", None) is not None:  # the instant, in UTC
            arr = arr.tz_convert("UTC").tz_localize(None)
        stats["copied"] += 1
        return _datetime_ms(np.asarray(arr))
    # masked (Int64, Float64, boolean) or objects: missing values become NaN
    try:
        out = np.ascontiguousarray(obj.to_numpy(dtype=np.float64, na_value=np.nan))
    except (TypeError, ValueError) as e:
        raise TypeError(f"a column of {obj.dtype} where numbers are expected: {e}") from None
    stats["copied"] += 1
    return out


def _arrow_float64(obj: Any) -> Any:
    np = _arrays.np
    pa = sys.modules["pyarrow"]
    k = _arrow_type_kind(obj.type)
    if k == "categorical":
        raise TypeError(f"a column of categories ({obj.type}) where numbers are expected")
    if isinstance(obj, pa.ChunkedArray):
        if obj.num_chunks == 1:
            obj = obj.chunk(0)
        else:  # the chunks are apart in memory: one copy
            obj = obj.combine_chunks() if obj.num_chunks else pa.array([], obj.type)
            stats["copied"] += 1
            return _arrow_float64_copy(obj, k)
    if pa.types.is_float64(obj.type) and obj.null_count == 0:
        a = obj.to_numpy(zero_copy_only=True)
        return _lend_or_copy(a, False)
    stats["copied"] += 1
    return _arrow_float64_copy(obj, k)


def _arrow_float64_copy(obj: Any, k: str) -> Any:
    np = _arrays.np
    pa = sys.modules["pyarrow"]
    if k in ("datetime", "duration"):
        if pa.types.is_date(obj.type):
            obj = obj.cast(pa.timestamp("ms"))
        a = obj.to_numpy(zero_copy_only=False)  # datetime64/timedelta64, NaT for nulls
        return _datetime_ms(np.asarray(a))
    if not pa.types.is_float64(obj.type):
        obj = obj.cast(pa.float64())
    if obj.null_count:
        obj = obj.fill_null(float("nan"))
    return np.array(obj.to_numpy(zero_copy_only=False), dtype=np.float64)


def float64(obj: Any) -> Any:
    """A pandas or Arrow column as a contiguous float64 numpy array: the
    column's own memory when it is float64 without missing values, else a
    converted copy (missing values NaN, datetimes in milliseconds)."""
    if _family(obj) == "pandas":
        return _pandas_float64(obj)
    return _arrow_float64(obj)


def matrix(obj: Any) -> Any:
    """A DataFrame or Arrow table of numbers as a C-contiguous 2-D float64
    array (rows x columns), one column after the other."""
    np = _arrays.np
    cols = list(columns(obj).values())
    if not cols:
        raise ValueError("the table has no columns")
    out = np.empty((len(float64(cols[0])), len(cols)), dtype=np.float64)
    for j, c in enumerate(cols):
        out[:, j] = float64(c)
    return out


def labels(obj: Any) -> Any:
    """A pandas or Arrow column of whole-number class labels as a numpy
    array (never with missing values: the library has no missing label)."""
    np = _arrays.np
    fam = _family(obj)
    if fam == "pandas":
        if bool(obj.isna().any()):
            raise ValueError("missing values where labels are expected")
        if _pandas_dtype_kind(obj) == "categorical" and \
                isinstance(obj.dtype, sys.modules["pandas"].CategoricalDtype):
            return np.asarray(obj.astype(obj.dtype.categories.dtype))
        return obj.to_numpy()
    if obj.null_count:
        raise ValueError("missing values where labels are expected")
    return np.asarray(obj.to_numpy(zero_copy_only=False))


# ---- categories ----------------------------------------------------------------------------


@dataclass
class Categories:
    """A column of categories: codes (numpy int64, -1 missing) into labels."""

    codes: Any
    labels: List[Any]
    #: The labels' order is the column's own (a pandas categorical's).
    keep_order: bool = False


def categories(obj: Any) -> Categories:
    """The codes and labels of a pandas or Arrow column (any column: numbers
    are categories too, e.g. group codes)."""
    np = _arrays.np
    if _family(obj) == "pandas":
        pd = sys.modules["pandas"]
        if isinstance(obj.dtype, pd.CategoricalDtype):
            arr = pd.array(obj)
            return Categories(np.asarray(arr.codes, dtype=np.int64),
                              [_py(v) for v in arr.categories], True)
        codes, uniques = pd.factorize(obj, use_na_sentinel=True)
        return Categories(np.asarray(codes, dtype=np.int64), [_py(v) for v in uniques])
    pa = sys.modules["pyarrow"]
    pc = sys.modules.get("pyarrow.compute") or __import__("pyarrow.compute").compute
    keep_order = pa.types.is_dictionary(obj.type)
    if keep_order:  # the dictionaries' order, as pandas categoricals keep theirs
        labels: List[Any] = []
        for chunk in (obj.chunks if isinstance(obj, pa.ChunkedArray) else [obj]):
            labels += [v for v in chunk.dictionary.to_pylist() if v not in labels]
        obj = obj.cast(obj.type.value_type)
        uniq = pa.array(labels, type=obj.type)
    else:
        uniq = pc.unique(obj).drop_null()
    codes = pc.index_in(obj, value_set=uniq).fill_null(-1)
    return Categories(np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64),
                      uniq.to_pylist(), keep_order)


def _sequence_categories(values: Any) -> Categories:
    # numpy arrays of strings or objects, lists: first-seen codes
    np = _arrays.np
    index: Dict[Any, int] = {}
    codes = []
    for v in values.tolist() if hasattr(values, "tolist") else values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            codes.append(-1)
        else:
            codes.append(index.setdefault(v, len(index)))
    return Categories(np.array(codes, dtype=np.int64), list(index))


def any_categories(values: Any) -> Categories:
    """categories() of a pandas or Arrow column, else of a sequence (None
    and NaN missing)."""
    return categories(values) if is_column(values) else _sequence_categories(values)


def looks_categorical(values: Any) -> bool:
    """True for a column of categories: a pandas or Arrow column of
    strings, categoricals or objects, a numpy array of strings or objects,
    a sequence holding a str (or only None)."""
    if is_column(values):
        return kind(values) == "categorical"
    np = _arrays.np
    if np is not None and isinstance(values, np.ndarray):
        return values.dtype.kind in "OUS"
    if isinstance(values, (str, bytes)):
        raise TypeError("a column is a sequence of values, not one string")
    try:
        return any(isinstance(v, str) for v in values) or \
            (len(values) > 0 and all(v is None for v in values))
    except TypeError:  # a buffer without len/iteration of Python objects
        return False


def describe(values: Any) -> str:
    """The input type of a column, for reports: the pandas or Arrow type
    (input_type), a numpy dtype, or the Python type's name."""
    if is_column(values):
        return input_type(values)
    dtype = getattr(values, "dtype", None)
    return str(dtype) if dtype is not None else type(values).__name__


def pandas() -> Any:
    """The pandas module, imported on demand (for results as DataFrames)."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - pandas is installed in the tests
        raise ImportError("results as DataFrames need pandas "
                          "(pip install 'libmlops[pandas]')") from e
    return pd


def _py(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def sorted_labels(cats: List[Categories]) -> List[Any]:
    """The labels of columns that share categories: the first one's
    categories in their order when it is a pandas categorical (then the
    others' new ones), else sorted (first seen when they do not sort)."""
    if cats and cats[0].keep_order:
        seen = list(cats[0].labels)
    else:
        seen = []
    index = set(seen)
    for c in cats:
        for v in c.labels:
            if v not in index:
                index.add(v)
                seen.append(v)
    if cats and cats[0].keep_order:
        return seen
    try:
        return sorted(seen)
    except TypeError:
        return seen


def recode(c: Categories, labels: List[Any]) -> Any:
    """c's codes as float64 codes into ``labels`` (NaN for missing)."""
    np = _arrays.np
    where = {v: i for i, v in enumerate(labels)}
    remap = np.array([where[v] for v in c.labels] + [np.nan], dtype=np.float64)
    return remap[c.codes]  # code -1 takes the NaN at the end


def strings(obj: Any) -> Tuple[List[Optional[bytes]], int]:
    """A pandas or Arrow column as UTF-8 strings (None for missing), for
    the library's string inputs (categorical profiles, validation);
    labels that are not strings are written with str()."""
    from ._capi import enc as to_c  # ValueError for a NUL inside a label

    c = categories(obj)
    enc: List[Optional[bytes]] = [to_c(v if isinstance(v, str) else str(v)) for v in c.labels]
    enc.append(None)  # code -1
    return [enc[i] for i in c.codes.tolist()], len(c.codes)
