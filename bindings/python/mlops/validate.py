"""Data validation: a schema of the columns a model expects, inferred from
reference profiles, edited, stored by digest, and checked against a batch
(validate.h, doc/validate.md).

    import mlops
    from mlops import drift, validate
    age = drift.Profile("numeric"); age.add(train_ages)
    city = drift.Profile("categorical"); city.add(train_cities)
    with validate.Schema.infer({"age": age, "city": city}) as schema:
        digest = schema.put(store)
        for a in schema.validate({"age": ages, "city": cities}):
            print(a["column"], a["anomaly"], a["count"], a["examples"])

A batch is a mapping of column names to values: a float64 buffer (numpy
array, array('d'): lent without a copy) or a sequence of numbers is a
numeric column (NaN is missing); a sequence of str (None is missing) a
categorical one. A pandas DataFrame or a pyarrow Table is a batch too, and
pandas Series and Arrow arrays are columns: numbers (float64 without
missing values lent in place; datetimes as milliseconds since the Unix
epoch) are numeric, categoricals and strings categorical; NaN, None,
pd.NA, NaT and Arrow nulls are missing. ``validate`` returns a list of
dicts whose ``to_pandas()`` is the same as a DataFrame.
"""
from __future__ import annotations

import contextlib
import math
from ctypes import POINTER, byref, c_char_p, c_int, c_size_t, c_void_p, cast, string_at
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from . import _arrays, _buffer, _frames
from ._capi import C, check, dec, enc, take_buffer
from ._capi_drift import ProfileP
from ._capi_validate import AnomaliesP, SchemaColumn, SchemaInferOpts, SchemaP, ValidateOpts
from ._handle import Guard, Owned
from .digest import Digest, DigestLike, c_digest
from ._cbase import CDigest

if TYPE_CHECKING:  # pragma: no cover
    from .drift import Profile
    from .store import Store

__all__ = ["Schema", "Anomalies", "ANOMALIES"]

_KINDS = {"numeric": 1, "categorical": 2}
_KIND_NAMES = {1: "numeric", 2: "categorical"}
_PRESENCE, _RANGE, _CATEGORIES, _MISSING = 1, 2, 4, 8

#: The anomaly kinds, by their C value (MLOPS_ANOMALY_*).
ANOMALIES = {1: "unknown_column", 2: "missing_column", 3: "kind_change", 4: "out_of_range",
             5: "unseen_category", 6: "missing_values"}


def _column_dict(c: SchemaColumn) -> Dict[str, Any]:
    d: Dict[str, Any] = {"name": dec(c.name), "kind": _KIND_NAMES.get(c.kind, str(c.kind)),
                         "required": bool(c.checks & _PRESENCE)}
    if c.checks & _RANGE:
        d["range"] = (c.min, c.max)
        d["out_of_range_max"] = c.out_of_range_max
    if c.checks & _CATEGORIES:
        d["categories"] = [dec(c.categories[i]) for i in range(c.n_categories)]
        d["unseen_max"] = c.unseen_max
    if c.checks & _MISSING:
        d["missing_max"] = c.missing_max
    return d


_is_categorical = _frames.looks_categorical


class Anomalies(List[Dict[str, Any]]):
    """The anomalies of a batch: a list of dicts (Schema.validate)."""

    def to_pandas(self) -> Any:
        """The anomalies as a pandas DataFrame, one row each, with the
        dicts' keys as columns (examples stays a list of (row, value text)
        per row). Imports pandas."""
        pd = _frames.pandas()
        keys = ["column", "anomaly", "expected_kind", "actual_kind", "count", "total", "share",
                "limit", "examples"]
        return pd.DataFrame({k: [a[k] for a in self] for k in keys}, columns=keys)


class Schema(Owned):
    """A data schema (validate.h): per column its kind and checks.
    Not to be changed by one thread while another uses it. Release with
    close() or ``with``. Build one with ``Schema()`` (empty),
    ``Schema.infer``, ``Schema.from_json``, ``Schema.deserialize`` or
    ``Schema.get``."""

    def __init__(self) -> None:
        h = SchemaP()
        check(C.mlops_schema_new(byref(h)))
        self._guard = Guard(h, C.mlops_schema_free, "schema")

    @classmethod
    def _wrap(cls, h: Any) -> "Schema":
        s = cls.__new__(cls)
        s._guard = Guard(h, C.mlops_schema_free, "schema")
        return s

    def _handle(self) -> Guard:
        g = self._guard
        if g is None:
            raise ValueError("the schema is closed")
        return g

    def __enter__(self) -> "Schema":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- building --------------------------------------------------------------

    @classmethod
    def infer(cls, profiles: Mapping[str, "Profile"], *, missing_slack: Optional[float] = None,
              range_slack: Optional[float] = None, max_categories: Optional[int] = None) -> "Schema":
        """The schema of reference profiles, by column name (see
        mlops_schema_infer: presence and missing checks everywhere, the
        reference's range, its categories when at most max_categories)."""
        opts = SchemaInferOpts()
        check(C.mlops_schema_infer_opts_init(byref(opts), SchemaInferOpts.VERSION))
        for name, value in (("missing_slack", missing_slack), ("range_slack", range_slack),
                            ("max_categories", max_categories)):
            if value is not None:
                setattr(opts, name, value)
        items = list(profiles.items())
        names = (c_char_p * max(len(items), 1))(*[enc(k) for k, _ in items])
        h = SchemaP()
        with contextlib.ExitStack() as stack:
            # Each profile's guard is held for the call (an array of
            # handles is not an argument the declarations can hold).
            raw = [stack.enter_context(p._handle()) for _, p in items]
            arr = (ProfileP * max(len(raw), 1))(*raw)
            check(C.mlops_schema_infer(len(items), names, arr, byref(opts), byref(h)))
        return cls._wrap(h)

    @classmethod
    def from_json(cls, text: str) -> "Schema":
        """Reads the JSON text form (doc/validate.md)."""
        b = enc(text) or b""
        h = SchemaP()
        check(C.mlops_schema_from_json(b, len(b), byref(h)))
        return cls._wrap(h)

    @classmethod
    def deserialize(cls, data: bytes) -> "Schema":
        """Reads the stored (msgpack) form."""
        h = SchemaP()
        check(C.mlops_schema_deserialize(data, len(data), byref(h)))
        return cls._wrap(h)

    @classmethod
    def get(cls, store: "Store", digest: DigestLike) -> "Schema":
        """Loads the schema stored as blob ``digest``."""
        d = c_digest(digest)
        h = SchemaP()
        check(C.mlops_schema_get(store._handle, byref(d), byref(h)))
        return cls._wrap(h)

    # ---- forms ------------------------------------------------------------------

    def to_json(self) -> str:
        """The JSON text form, for a person to edit."""
        p = c_void_p()
        check(C.mlops_schema_to_json(self._handle(), byref(p)))
        text = string_at(p.value).decode("utf-8")
        C.mlops_free(p)
        return text

    def serialize(self) -> bytes:
        """The stored form (versioned msgpack, doc/format.md)."""
        p, n = c_void_p(), c_size_t()
        check(C.mlops_schema_serialize(self._handle(), byref(p), byref(n)))
        return take_buffer(p, n.value)

    def put(self, store: "Store") -> Digest:
        """Stores the schema as a blob; returns its digest."""
        out = CDigest()
        check(C.mlops_schema_put(store._handle, self._handle(), byref(out)))
        return Digest._from_c(out)

    # ---- columns ----------------------------------------------------------------

    def columns(self) -> List[Dict[str, Any]]:
        """Every column as a dict (in name order): name, kind, required,
        and range/out_of_range_max, categories/unseen_max, missing_max for
        the checks it has."""
        with self._handle() as h:
            out = []
            for i in range(C.mlops_schema_column_count(h)):
                c = SchemaColumn()
                check(C.mlops_schema_column_init(byref(c), SchemaColumn.VERSION))
                check(C.mlops_schema_column_get(h, i, byref(c)))
                out.append(_column_dict(c))
            return out

    def column(self, name: str) -> Dict[str, Any]:
        """One column as columns() gives it; NotFound when absent."""
        with self._handle() as h:
            i = c_size_t()
            check(C.mlops_schema_column_find(h, enc(name), byref(i)))
            c = SchemaColumn()
            check(C.mlops_schema_column_init(byref(c), SchemaColumn.VERSION))
            check(C.mlops_schema_column_get(h, i.value, byref(c)))
            return _column_dict(c)

    def set_column(self, name: str, kind: str, *, required: bool = True,
                   range: Optional[Tuple[float, float]] = None, out_of_range_max: float = 0.0,
                   categories: Optional[Sequence[str]] = None, unseen_max: float = 0.0,
                   missing_max: Optional[float] = None) -> None:
        """Adds or replaces a column; a check given as None is cleared."""
        if kind not in _KINDS:
            raise ValueError(f"kind must be 'numeric' or 'categorical', not {kind!r}")
        c = SchemaColumn()
        check(C.mlops_schema_column_init(byref(c), SchemaColumn.VERSION))
        name_b = enc(name)
        c.name, c.kind, c.checks = name_b, _KINDS[kind], _PRESENCE if required else 0
        if range is not None:
            c.checks |= _RANGE
            c.min, c.max = float(range[0]), float(range[1])
            c.out_of_range_max = out_of_range_max
        keep = None
        if categories is not None:
            if isinstance(categories, (str, bytes)):
                raise TypeError("categories is a sequence of strings, not one string")
            keep = (c_char_p * max(len(categories), 1))(*[enc(v) for v in categories])
            c.checks |= _CATEGORIES
            c.categories = cast(keep, POINTER(c_char_p))
            c.n_categories = len(categories)
            c.unseen_max = unseen_max
        if missing_max is not None:
            c.checks |= _MISSING
            c.missing_max = missing_max
        check(C.mlops_schema_column_set(self._handle(), byref(c)))
        del keep

    def delete_column(self, name: str) -> None:
        """Removes a column; NotFound when absent."""
        check(C.mlops_schema_column_delete(self._handle(), enc(name)))

    def __len__(self) -> int:
        return int(C.mlops_schema_column_count(self._handle()))

    # ---- validation ---------------------------------------------------------------

    def validate(self, batch: Any, *, max_examples: int = 5) -> Anomalies:
        """The anomalies of a batch (see the module's docstring for the
        columns' types), in the schema's column order then the unknown
        columns: dicts with column, anomaly (a name of ANOMALIES),
        expected_kind, actual_kind, count, total, share, limit and
        examples [(row, value text)]. An empty list: the batch passed.
        batch may be a pandas DataFrame or a pyarrow Table; the result's
        ``to_pandas()`` is a DataFrame."""
        opts = ValidateOpts()
        check(C.mlops_validate_opts_init(byref(opts), ValidateOpts.VERSION))
        opts.max_examples = max_examples
        items = list(_frames.columns(batch).items())
        n = len(items)
        names = (c_char_p * max(n, 1))(*[enc(k) for k, _ in items])
        kinds = (c_int * max(n, 1))()
        nums = (c_void_p * max(n, 1))()
        strs = (c_void_p * max(n, 1))()
        nrows = None
        keep = []
        anomalies = AnomaliesP()
        with contextlib.ExitStack() as stack:
            for i, (name, values) in enumerate(items):
                if _frames.is_column(values) and _frames.is_categorical(values):
                    encoded, rows = _frames.strings(values)
                    arr = (c_char_p * max(rows, 1))(*encoded)
                    keep.append(arr)
                    kinds[i], strs[i] = 2, cast(arr, c_void_p).value
                elif _is_categorical(values):
                    arr = (c_char_p * max(len(values), 1))(
                        *[None if v is None else enc(v) for v in values])
                    keep.append(arr)
                    kinds[i], strs[i], rows = 2, cast(arr, c_void_p).value, len(values)
                else:
                    addr, rows = stack.enter_context(_buffer.float64(values))
                    kinds[i], nums[i] = 1, addr or None
                if nrows is None:
                    nrows = rows
                elif rows != nrows:
                    raise ValueError(f"column {name!r} has {rows} values, the first one {nrows}")
            check(C.mlops_schema_validate(self._handle(), n, names, kinds, nums, strs, nrows or 0,
                                          byref(opts), byref(anomalies)))
        try:
            out = Anomalies()
            for i in range(C.mlops_anomalies_count(anomalies)):
                a = C.mlops_anomalies_at(anomalies, i).contents
                out.append({
                    "column": dec(a.column),
                    "anomaly": ANOMALIES.get(a.kind, str(a.kind)),
                    "expected_kind": _KIND_NAMES.get(a.expected_kind),
                    "actual_kind": _KIND_NAMES.get(a.actual_kind),
                    "count": a.count, "total": a.total, "share": a.share, "limit": a.limit,
                    "examples": [(a.example_rows[k], dec(a.example_values[k]))
                                 for k in range(a.n_examples)],
                })
            return out
        finally:
            C.mlops_anomalies_free(anomalies)
