"""Monitors (monitor.h, since 1.1; doc/monitoring.md): drift of production
data over time, window by window, with alerts that fire when drift
persists (M of the last N judged windows in breach, a pending count, a
keep-firing count).

    spec = MonitorSpec(columns=[MonitorColumn("age", ref_digest)], alert_m=3, alert_n=5)
    store.create_monitor("churn", spec)
    store.ingest_monitor("churn", df, time_column="ts")   # any order, any process
    status = store.check_monitor("churn")                  # status.firing: retrain
    events = store.monitor_events("churn", after_seq=cursor)
    store.monitor_series("churn").to_pandas()

Times are int64 milliseconds since the Unix epoch, UTC. Ingest takes
columns as numpy arrays (float64 C-contiguous ones are read in place, other
numbers converted once), pandas Series (through mlops._frames: a float64
column without missing values is read in place) or sequences; a column of
strings, objects or pandas categories is categorical (None and NaN
missing). Times are int64 milliseconds, numpy datetime64 or a pandas
datetime column (converted to milliseconds in integers, floor for finer
units; time zones to UTC). Store methods: create_monitor, monitor,
monitors, monitor_status, delete_monitor, ingest_monitor, check_monitor,
monitor_events, monitor_events_by_time, monitor_series.
"""
from __future__ import annotations

import ctypes
import datetime
import numbers
from ctypes import POINTER, byref, c_char_p, c_size_t, c_void_p
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _arrays, _buffer, _frames
from ._capi import C, check, dec, enc
from ._capi_monitor import (
    CheckOpts,
    EventsOpts,
    IngestOpts,
    IngestResult as CIngestResult,
    LabelsResult as CLabelsResult,
    MonitorExt as CExt,
    MonitorColumn as CColumn,
    MonitorEvent as CEvent,
    MonitorP,
    MonitorSeriesP,
    MonitorSpec as CSpec,
    MonitorStatus as CStatus,
    MonitorWindow as CWindow,
    MonitorWindowColumn as CCell,
    MonitorsP,
    PageOpts as CPageOpts,
    Performance as CPerformance,
)
from ._monitor_input import _columns_of, _lend_columns, _time_ms, _times
from .digest import Digest, c_digest

__all__ = [
    "MonitorColumn",
    "MonitorSpec",
    "MonitorStatus",
    "Monitor",
    "IngestResult",
    "MonitorEvent",
    "MonitorSeries",
    "MonitorExt",
    "LabelsResult",
    "METHODS",
    "TASKS",
    "STATES",
    "WINDOW_STATES",
]

#: Monitor column methods by name (MLOPS_DRIFT_METHOD_*, the drift module's
#: names): "auto" is KS for a numeric reference, chi-square for a
#: categorical one.
METHODS = {"auto": 0, "ks": 1, "jensenshannon": 3, "chisquare": 4, "psi": 6, "kl_div": 7,
           "hellinger": 8}
_METHOD_NAME = {v: k for k, v in METHODS.items()}
#: Alert states (MLOPS_MONITOR_INACTIVE, _PENDING, _FIRING).
STATES = {0: "inactive", 1: "pending", 2: "firing"}
#: Window states (MLOPS_MONITOR_WINDOW_*).
WINDOW_STATES = {0: "open", 1: "clear", 2: "breach", 3: "not_enough_data", 4: "late"}
_EVENT_KINDS = {1: "firing", 2: "resolved"}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_WINDOW_TIME, _WINDOW_ROWS = 1, 2
#: Tasks of a monitor with predictions (MLOPS_MONITOR_TASK_*).
TASKS = {"none": 0, "classification": 1, "regression": 2}
_TASK_NAME = {v: k for k, v in TASKS.items()}
#: A window's performance figures (mlops_monitor_performance), in order.
PERFORMANCE_FIELDS = ("labels", "accuracy", "balanced_accuracy", "f1_macro", "mae", "mse", "rmse",
                      "r2", "mean_error", "judged_labels", "judged_value")

Millis = Union[int, datetime.timedelta]


def _ms(what: str, v: Millis) -> int:
    if isinstance(v, datetime.timedelta):
        return (v.days * 86400 + v.seconds) * 1000 + v.microseconds // 1000
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"{what} is milliseconds (int) or a timedelta, not {type(v).__name__}")
    return v


@dataclass(frozen=True)
class MonitorColumn:
    """One column of a monitor: its name, the digest of its reference
    profile (drift.put_profile), the method ("auto", "ks", "chisquare",
    "psi", "jensenshannon", "kl_div", "hellinger") and the threshold (None:
    the method's default: alpha for KS and chi-square, 0.1 for the
    distances)."""

    name: str
    reference: Digest
    method: str = "auto"
    threshold: Optional[float] = None


@dataclass(frozen=True)
class MonitorSpec:
    """What a monitor is (mlops_monitor_spec): its columns, tumbling time
    windows of window_ms (1 minute to 31 days), the allowed lateness, the
    minimum rows of a judged window, the alert rule (alert_m of the last
    alert_n judged windows in breach, held for pending more windows before
    firing, firing keep_firing windows after it clears), the breach (None:
    dataset drift, share of drifted columns >= drift_share; else this
    column's drift), alpha and the model reference it watches."""

    columns: Tuple[MonitorColumn, ...]
    window_ms: int = 3600000
    lateness_ms: int = 0
    min_rows: int = 1
    alert_m: int = 1
    alert_n: int = 1
    pending: int = 0
    keep_firing: int = 0
    breach_column: Optional[str] = None
    drift_share: float = 0.5
    alpha: float = 0.05
    model: Optional[str] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(_column(c) for c in _items(self.columns)))
        object.__setattr__(self, "window_ms", _ms("window_ms", self.window_ms))
        object.__setattr__(self, "lateness_ms", _ms("lateness_ms", self.lateness_ms))

    def _to_c(self, keep: List[Any]) -> CSpec:
        spec = CSpec()
        check(C.mlops_monitor_spec_init(byref(spec), CSpec.VERSION))
        cols = (CColumn * len(self.columns))()
        for i, c in enumerate(self.columns):
            if c.method not in METHODS:
                raise ValueError(f"method of column {c.name!r} must be one of "
                                 f"{sorted(METHODS)}, not {c.method!r}")
            name = enc(c.name)
            keep.append(name)
            cols[i].name = name
            cols[i].reference = c_digest(c.reference)
            cols[i].method = METHODS[c.method]
            cols[i].threshold = float("nan") if c.threshold is None else float(c.threshold)
        keep.append(cols)
        spec.n_columns = len(self.columns)
        spec.columns = ctypes.cast(cols, POINTER(CColumn))
        spec.window_kind = _WINDOW_TIME
        spec.window_ms = self.window_ms
        spec.lateness_ms = self.lateness_ms
        spec.min_rows = self.min_rows
        spec.alert_m, spec.alert_n = self.alert_m, self.alert_n
        spec.pending, spec.keep_firing = self.pending, self.keep_firing
        spec.breach_column = enc(self.breach_column)
        spec.drift_share, spec.alpha = self.drift_share, self.alpha
        spec.model = enc(self.model)
        return spec

    @classmethod
    def _from_c(cls, s: CSpec) -> "MonitorSpec":
        cols = []
        for i in range(s.n_columns):
            c = s.columns[i]
            th = c.threshold
            cols.append(MonitorColumn(dec(c.name) or "", Digest._from_c(c.reference),
                                      _METHOD_NAME.get(c.method, str(c.method)),
                                      None if th != th else th))
        return cls(columns=tuple(cols), window_ms=s.window_ms, lateness_ms=s.lateness_ms,
                   min_rows=s.min_rows, alert_m=s.alert_m, alert_n=s.alert_n, pending=s.pending,
                   keep_firing=s.keep_firing, breach_column=dec(s.breach_column),
                   drift_share=s.drift_share, alpha=s.alpha, model=dec(s.model))


def _items(columns: Any) -> Sequence[Any]:
    if isinstance(columns, Mapping):
        return [(k, v) for k, v in columns.items()]
    return list(columns)


def _column(c: Any) -> MonitorColumn:
    # A MonitorColumn, (name, digest[, method[, threshold]]), or from a
    # mapping name -> digest or name -> MonitorColumn.
    if isinstance(c, MonitorColumn):
        return c
    if isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], MonitorColumn):
        return c[1]
    if isinstance(c, tuple) and 2 <= len(c) <= 4:
        name, ref, *rest = c
        return MonitorColumn(name, Digest.parse(ref) if isinstance(ref, str) else ref, *rest)
    raise TypeError("a monitor column is a MonitorColumn or (name, digest[, method[, threshold]])")


@dataclass(frozen=True)
class MonitorExt:
    """The settings beyond the spec (mlops_monitor_ext): window_rows (0:
    time windows; else windows of that many rows in arrival order), the
    task ("none", "classification", "regression") with its prediction and
    id columns (and the labels' column name the CLI reads), a performance
    condition in the gate grammar ("metrics.accuracy < 0.8": then the
    breach) and the labels a judged window needs (min_labels)."""

    window_rows: int = 0
    task: str = "none"
    prediction_column: Optional[str] = None
    id_column: Optional[str] = None
    label_column: Optional[str] = None
    performance: Optional[str] = None
    min_labels: int = 1

    def _to_c(self) -> CExt:
        x = CExt()
        check(C.mlops_monitor_ext_init(byref(x), CExt.VERSION))
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {sorted(TASKS)}, not {self.task!r}")
        x.window_rows, x.task, x.min_labels = self.window_rows, TASKS[self.task], self.min_labels
        x.prediction_column, x.id_column = enc(self.prediction_column), enc(self.id_column)
        x.label_column, x.performance = enc(self.label_column), enc(self.performance)
        return x

    @classmethod
    def _from_c(cls, x: CExt) -> "MonitorExt":
        return cls(x.window_rows, _TASK_NAME.get(x.task, str(x.task)), dec(x.prediction_column),
                   dec(x.id_column), dec(x.label_column), dec(x.performance), x.min_labels)


@dataclass(frozen=True)
class LabelsResult:
    """What an ingest of labels did: labels joined to a prediction, ids
    with no prediction, ids labeled already, windows changed, and the
    matched labels of windows already judged."""

    matched: int
    unknown_ids: int
    duplicates: int
    windows: int
    late_labels: int


@dataclass(frozen=True)
class MonitorStatus:
    """Where a monitor stands: the alert's state ("inactive", "pending",
    "firing"), how far windows are decided (judged_to_ms; None before the
    first check), the judged windows counted by the rule, the breaches
    among the last alert_n of them and how many there are, and the last
    event's seq (0: none)."""

    state: str
    judged_to_ms: Optional[int]
    windows_judged: int
    breaches: int
    considered: int
    last_event_seq: int

    @property
    def firing(self) -> bool:
        """True while the alert fires (``mlops monitor check`` exits 1)."""
        return self.state == "firing"

    @classmethod
    def _from_c(cls, st: CStatus) -> "MonitorStatus":
        j = st.judged_to_ms
        return cls(STATES.get(st.state, str(st.state)), None if j == _INT64_MIN else j,
                   st.windows_judged, st.breaches, st.considered, st.last_event_seq)


def _new_status() -> CStatus:
    st = CStatus()
    check(C.mlops_monitor_status_init(byref(st), CStatus.VERSION))
    return st


@dataclass(frozen=True)
class Monitor:
    """A snapshot of one monitor: its name, spec and status."""

    name: str
    spec: MonitorSpec
    status: MonitorStatus

    @classmethod
    def _from_c(cls, m: Any) -> "Monitor":
        spec = CSpec()
        spec.version = CSpec.VERSION
        check(C.mlops_monitor_spec_get(m, byref(spec)))
        st = _new_status()
        check(C.mlops_monitor_status_get(m, byref(st)))
        return cls(dec(C.mlops_monitor_name(m)) or "", MonitorSpec._from_c(spec),
                   MonitorStatus._from_c(st))


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: rows merged, windows they went to, and rows of
    windows already decided (merged, never judged again)."""

    rows: int
    windows: int
    late_rows: int


@dataclass(frozen=True)
class MonitorEvent:
    """A change of the alert's state: kind "firing" or "resolved", its seq
    (1, 2, ... per monitor: the cursor of a poll), the judged window that
    caused it, the check's now, and the breaches among the last alert_n
    judged windows."""

    seq: int
    kind: str
    window_start_ms: int
    window_end_ms: int
    checked_ms: int
    breaches: int
    considered: int


#: numpy dtypes with the layouts of mlops_monitor_window and
#: mlops_monitor_window_column (frozen structs; checked against ctypes).
def _dtypes() -> Tuple[Any, Any]:
    np = _arrays.np
    w = np.dtype([("start_ms", "<i8"), ("end_ms", "<i8"), ("rows", "<u8"),
                  ("judged_rows", "<u8"), ("state", "<i4"), ("n_drifted", "<u4"),
                  ("share_drifted", "<f8")], align=True)
    c = np.dtype([("statistic", "<f8"), ("p_value", "<f8"), ("drifted", "<i4")], align=True)
    assert w.itemsize == ctypes.sizeof(CWindow) and c.itemsize == ctypes.sizeof(CCell)
    return w, c


class MonitorSeries:
    """The windows of a monitor in a time range with, per column, the
    statistic, p-value and verdict (NaN, NaN and -1 before judgment).

    ``windows`` is a numpy structured array (start_ms, end_ms, rows,
    judged_rows, state, n_drifted, share_drifted: the fields of
    mlops_monitor_window, state as MLOPS_MONITOR_WINDOW_*), ``cells`` a
    2-D one (windows x columns: statistic, p_value, drifted); without
    numpy they are ctypes arrays. ``to_pandas()`` is one row per window."""

    def __init__(self, columns: List[str], windows: Any, cells: Any, n: int) -> None:
        #: The monitor's column names, in the order of the cells.
        self.columns = columns
        np = _arrays.np
        if np is not None:
            wd, cd = _dtypes()
            self.windows = np.frombuffer(windows, dtype=wd, count=n)
            self.cells = np.frombuffer(cells, dtype=cd, count=n * len(columns)).reshape(
                n, len(columns))
        else:
            self.windows, self.cells = windows, cells

    def __len__(self) -> int:
        return len(self.windows)

    def state_names(self) -> List[str]:
        """The state of each window by name ("open", "clear", "breach",
        "not_enough_data", "late")."""
        if _arrays.np is None:
            return [WINDOW_STATES.get(w.state, "?") for w in self.windows]
        return [_STATE_NAMES[s] if 0 <= s < len(_STATE_NAMES) else "?"
                for s in self.windows["state"].tolist()]

    def to_pandas(self) -> Any:
        """One row per window: start and end (UTC Timestamps), rows,
        judged_rows, state (by name), n_drifted, share_drifted, then per
        column ``<name>.statistic``, ``<name>.p_value`` and
        ``<name>.drifted`` (pandas boolean, NA before judgment)."""
        pd = _frames.pandas()
        w = self.windows
        data: Dict[str, Any] = {
            "start": pd.to_datetime(w["start_ms"], unit="ms", utc=True),
            "end": pd.to_datetime(w["end_ms"], unit="ms", utc=True),
            "rows": w["rows"].copy(),
            "judged_rows": w["judged_rows"].copy(),
            "state": self.state_names(),
            "n_drifted": w["n_drifted"].copy(),
            "share_drifted": w["share_drifted"].copy(),
        }
        for j, name in enumerate(self.columns):
            c = self.cells[:, j]
            data[f"{name}.statistic"] = c["statistic"].copy()
            data[f"{name}.p_value"] = c["p_value"].copy()
            d = c["drifted"]
            data[f"{name}.drifted"] = pd.arrays.BooleanArray(d > 0, d < 0)
        return pd.DataFrame(data)


_STATE_NAMES = [WINDOW_STATES[i] for i in range(len(WINDOW_STATES))]


def _id_text(v: Any) -> str:
    """An id as the monitor keeps it: integral numbers as integers."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class MonitorsMixin:
    """Store methods for monitors."""

    _handle: Any

    def create_monitor(self, name: str, spec: Optional[MonitorSpec] = None,
                       ext: Optional[MonitorExt] = None, **fields: Any) -> "Monitor":
        """Creates monitor name from spec (or from MonitorSpec's fields as
        keyword arguments; columns may be a mapping name -> reference
        digest) and returns it. ext (MonitorExt) adds row windows (its
        window_rows; the spec's window_ms is then ignored), a task whose
        predictions wait for their labels, and a performance condition
        (mlops_monitor_create_ex). The same spec again changes nothing;
        any difference raises Conflict (a spec never changes: delete and
        create again). NotFound: a reference profile is not stored."""
        if spec is None:
            spec = MonitorSpec(**fields)
        elif fields:
            raise TypeError("give a spec or its fields, not both")
        keep: List[Any] = []
        c = spec._to_c(keep)
        if ext is None:
            check(C.mlops_monitor_create(self._handle, enc(name), byref(c)))
        else:
            x = ext._to_c()
            if ext.window_rows:
                c.window_kind = _WINDOW_ROWS
            check(C.mlops_monitor_create_ex(self._handle, enc(name), byref(c), byref(x)))
        return self.monitor(name)

    def monitor_ext(self, name: str) -> MonitorExt:
        """The monitor's row-window, task and performance settings
        (mlops_monitor_ext_get). NotFound."""
        m = MonitorP()
        check(C.mlops_monitor_get(self._handle, enc(name), byref(m)))
        try:
            x = CExt()
            check(C.mlops_monitor_ext_init(byref(x), CExt.VERSION))
            check(C.mlops_monitor_ext_get(m, byref(x)))
            return MonitorExt._from_c(x)
        finally:
            C.mlops_monitor_free(m)

    def monitor_labels(self, name: str, ids: Sequence[Any], labels: Sequence[Any]) -> LabelsResult:
        """Ingests labels of earlier predictions, joined by id (ids as
        strings; integral numbers are written as integers): labels all
        numbers (regression or classification) or all strings
        (classification). The first label of an id counts; unknown ids are
        counted. InvalidArgument as mlops_monitor_labels_ingest says
        (nothing ingested)."""
        n = len(ids)
        if len(labels) != n:
            raise ValueError(f"{n} ids and {len(labels)} labels")
        id_arr = (c_char_p * max(n, 1))(*[enc(_id_text(i)) for i in ids])
        numeric = n > 0 and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                                for v in labels)
        res = CLabelsResult()
        check(C.mlops_monitor_labels_result_init(byref(res), CLabelsResult.VERSION))
        if numeric:
            num = (ctypes.c_double * n)(*[float(v) for v in labels])
            check(C.mlops_monitor_labels_ingest(self._handle, enc(name), n, ctypes.addressof(id_arr),
                                                ctypes.addressof(num), None, byref(res)))
        else:
            txt = (c_char_p * max(n, 1))(*[None if v is None else enc(str(v)) for v in labels])
            check(C.mlops_monitor_labels_ingest(self._handle, enc(name), n, ctypes.addressof(id_arr),
                                                None, ctypes.addressof(txt), byref(res)))
        return LabelsResult(res.matched, res.unknown_ids, res.duplicates, res.windows,
                            res.late_labels)

    def monitor_performance(self, name: str, from_ms: Any = None,
                            to_ms: Any = None) -> List[Dict[str, Any]]:
        """Per window starting in [from_ms, to_ms), in order: start_ms, the
        labels joined so far and the task's metrics (NaN for other tasks'
        or without labels), and the condition's value and labels when it
        was judged (mlops_monitor_series_performance)."""
        lo = _INT64_MIN if from_ms is None else _time_ms("from_ms", from_ms)
        hi = _INT64_MAX if to_ms is None else _time_ms("to_ms", to_ms)
        sr = MonitorSeriesP()
        check(C.mlops_monitor_series_get(self._handle, enc(name), lo, hi, byref(sr)))
        out: List[Dict[str, Any]] = []
        try:
            w = CWindow()
            for i in range(C.mlops_monitor_series_count(sr)):
                check(C.mlops_monitor_series_window(sr, i, ctypes.addressof(w)))
                p = CPerformance()
                check(C.mlops_monitor_performance_init(byref(p), CPerformance.VERSION))
                check(C.mlops_monitor_series_performance(sr, i, byref(p)))
                row: Dict[str, Any] = {"start_ms": w.start_ms}
                row.update({f: getattr(p, f) for f in PERFORMANCE_FIELDS})
                out.append(row)
        finally:
            C.mlops_monitor_series_free(sr)
        return out

    def delete_monitor(self, name: str) -> None:
        """Deletes the monitor with its windows and events (their profile
        blobs stay until gc). NotFound when there is none."""
        check(C.mlops_monitor_delete(self._handle, enc(name)))

    def monitor(self, name: str) -> Monitor:
        """The monitor's snapshot (name, spec, status). NotFound."""
        m = MonitorP()
        check(C.mlops_monitor_get(self._handle, enc(name), byref(m)))
        try:
            return Monitor._from_c(m)
        finally:
            C.mlops_monitor_free(m)

    def monitor_status(self, name: str) -> MonitorStatus:
        """Where the monitor stands (as of its last check)."""
        return self.monitor(name).status

    def monitors(self) -> List[Monitor]:
        """Every monitor, by name."""
        lst = MonitorsP()
        check(C.mlops_monitor_list(self._handle, byref(lst)))
        try:
            return [Monitor._from_c(C.mlops_monitors_at(lst, i))
                    for i in range(C.mlops_monitors_count(lst))]
        finally:
            C.mlops_monitors_free(lst)

    def ingest_monitor(self, name: str, data: Any, times: Any = None, *,
                       time_column: Optional[str] = None, threads: int = 0) -> IngestResult:
        """Ingests a batch: data is a pandas DataFrame (or Arrow table)
        or a mapping column name -> values, holding exactly the monitor's
        columns (and the time column when time_column names it); times
        (or data[time_column]) are int64 ms since the epoch, numpy
        datetime64 or a pandas datetime column. Numeric columns go to C
        without a per-row Python step (float64 in place); columns of
        strings, objects or categories are categorical (None missing).
        Rows go to their windows whatever their order; ingest is not
        idempotent. InvalidArgument for an unknown, duplicate or missing
        column or a column of the wrong kind (nothing ingested)."""
        cols, from_data = _columns_of(data, time_column)
        if (times is None) == (from_data is None):
            raise TypeError("give the times, or the time_column of data (one of them)")
        t = _times(times if times is not None else from_data)
        n = len(t)
        k = len(cols)
        names = (c_char_p * k)(*[enc(str(c)) for c in cols])
        numeric = (c_void_p * k)()
        strings = (c_void_p * k)()
        keep: List[Any] = [t]
        any_num = any_str = False
        with _lend_columns(cols.values(), numeric, strings, keep) as kinds:
            for j, length in enumerate(kinds):
                if length != n:
                    raise ValueError(f"column {list(cols)[j]!r} has {length} values for "
                                     f"{n} times")
            any_num = any(numeric[j] for j in range(k))
            any_str = any(strings[j] for j in range(k))
            opts = IngestOpts()
            check(C.mlops_monitor_ingest_opts_init(byref(opts), IngestOpts.VERSION))
            opts.threads = threads
            res = CIngestResult()
            check(C.mlops_monitor_ingest_result_init(byref(res), CIngestResult.VERSION))
            with _buffer.raw(t) as (taddr, _):
                check(C.mlops_monitor_ingest(
                    self._handle, enc(name), n, taddr if n else None, k, names,
                    ctypes.addressof(numeric) if any_num else None,
                    ctypes.addressof(strings) if any_str else None, byref(opts), byref(res)))
        return IngestResult(res.rows, res.windows, res.late_rows)

    def check_monitor(self, name: str, now_ms: Any = None) -> MonitorStatus:
        """Judges the windows due by now (the wall clock, or now_ms: an
        int, a datetime or a numpy datetime64, for replays and tests) and
        runs the alert rule; returns the status. A now before the last
        check's changes nothing."""
        opts = CheckOpts()
        check(C.mlops_monitor_check_opts_init(byref(opts), CheckOpts.VERSION))
        if now_ms is not None:
            opts.now_ms = _time_ms("now_ms", now_ms)
        st = _new_status()
        check(C.mlops_monitor_check(self._handle, enc(name), byref(opts), byref(st)))
        return MonitorStatus._from_c(st)

    def monitor_events(self, name: str, after_seq: int = 0, *, from_ms: Any = None,
                       to_ms: Any = None, limit: int = 1000) -> List[MonitorEvent]:
        """A page of the monitor's events in seq order: seq > after_seq,
        window end in [from_ms, to_ms), at most limit (1..100000). Poll by
        calling again with after_seq = the last seq seen."""
        opts = EventsOpts()
        check(C.mlops_monitor_events_opts_init(byref(opts), EventsOpts.VERSION))
        opts.after_seq = after_seq
        if from_ms is not None:
            opts.from_ms = _time_ms("from_ms", from_ms)
        if to_ms is not None:
            opts.to_ms = _time_ms("to_ms", to_ms)
        opts.limit = limit
        out = POINTER(CEvent)()
        n = c_size_t()
        check(C.mlops_monitor_events(self._handle, enc(name), byref(opts), byref(out), byref(n)))
        try:
            return [MonitorEvent(e.seq, _EVENT_KINDS.get(e.kind, str(e.kind)), e.window_start_ms,
                                 e.window_end_ms, e.checked_ms, e.breaches, e.considered)
                    for e in (out[i] for i in range(n.value))]
        finally:
            C.mlops_free(ctypes.cast(out, c_void_p))

    def monitor_events_by_time(self, name: str, from_ms: Any = None,
                               to_ms: Any = None) -> List[MonitorEvent]:
        """Every event whose window ends in [from_ms, to_ms) (None: no
        bound), reading page after page."""
        out: List[MonitorEvent] = []
        while True:
            page = self.monitor_events(name, out[-1].seq if out else 0, from_ms=from_ms,
                                       to_ms=to_ms, limit=100000)
            out += page
            if len(page) < 100000:
                return out

    def monitor_page_html(self, name: str, *, title: Optional[str] = None,
                          from_ms: Any = None, to_ms: Any = None, max_points: int = 0,
                          generated_ms: int = 0) -> str:
        """The monitor as one self-contained HTML page
        (mlops_monitor_page_html; doc/pages.md): its spec and alert state,
        drift per column over time against its threshold, alert spans
        shaded, rows per window, performance per metric over time (with a
        task) and the alert events. Windows starting in
        [from_ms, to_ms) (None: no bound); ``max_points`` per curve (0:
        1,000); ``generated_ms`` is the footer's time (0: now, -1: none)."""
        opts = CPageOpts()
        check(C.mlops_monitor_page_opts_init(byref(opts), CPageOpts.VERSION))
        opts.title = None if title is None else enc(title)
        if from_ms is not None:
            opts.from_ms = _time_ms("from_ms", from_ms)
        if to_ms is not None:
            opts.to_ms = _time_ms("to_ms", to_ms)
        opts.max_points = max_points
        opts.generated_ms = generated_ms
        ptr = c_void_p()
        check(C.mlops_monitor_page_html(self._handle, enc(name), byref(opts), byref(ptr)))
        try:
            return ctypes.string_at(ptr.value or 0).decode("utf-8")
        finally:
            C.mlops_free(ptr)

    def monitor_series(self, name: str, from_ms: Any = None,
                       to_ms: Any = None) -> MonitorSeries:
        """The windows starting in [from_ms, to_ms) (None: no bound), in
        order, with their columns (one query)."""
        lo = _INT64_MIN if from_ms is None else _time_ms("from_ms", from_ms)
        hi = _INT64_MAX if to_ms is None else _time_ms("to_ms", to_ms)
        sr = MonitorSeriesP()
        check(C.mlops_monitor_series_get(self._handle, enc(name), lo, hi, byref(sr)))
        try:
            n = C.mlops_monitor_series_count(sr)
            k = C.mlops_monitor_series_columns(sr)
            names = [dec(C.mlops_monitor_series_column_name(sr, j)) or "" for j in range(k)]
            windows = (CWindow * max(n, 1))()
            cells = (CCell * max(n * k, 1))()
            wa, ws = ctypes.addressof(windows), ctypes.sizeof(CWindow)
            ca, cs = ctypes.addressof(cells), ctypes.sizeof(CCell)
            win, cell = C.mlops_monitor_series_window, C.mlops_monitor_series_cell
            for i in range(n):
                check(win(sr, i, wa + i * ws))
                for j in range(k):
                    check(cell(sr, i, j, ca + (i * k + j) * cs))
        finally:
            C.mlops_monitor_series_free(sr)
        if _arrays.np is None:
            return MonitorSeries(names, list(windows)[:n], list(cells)[:n * k], n)
        return MonitorSeries(names, windows, cells, n)
