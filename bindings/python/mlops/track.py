"""Experiment records: experiments, runs, params, metrics, lineage, search."""
from __future__ import annotations

import ctypes
import struct
import time
from array import array
from ctypes import POINTER, byref, c_int64, c_size_t, c_void_p
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _arrays, _buffer
from ._capi import (
    C,
    KV,
    ExperimentP,
    ExperimentsP,
    HistoryOpts,
    LineageEdge as CLineageEdge,
    MetricSummary as CMetricSummary,
    RunInfoP,
    RunInfosP,
    RunCompareOpts,
    RunP,
    RunStartOpts,
    SearchOpts,
    check,
    dec,
    enc,
    kv_items,
)
from ._handle import Guard, Owned
from .digest import Digest, DigestLike, c_digest
from .errors import AlreadyExists, Conflict, NotFound

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

__all__ = [
    "Experiment",
    "Run",
    "RunInfo",
    "MetricSummary",
    "LineageEdge",
    "MetricHistory",
    "RunPage",
    "LIFECYCLE",
    "RUN_STATUS",
]

#: Lifecycle filters by name (MLOPS_LIFECYCLE_*).
LIFECYCLE = {"active": 0, "deleted": 1, "all": 2}
#: Run status values by name (MLOPS_RUN_*).
RUN_STATUS = {"RUNNING": 0, "FINISHED": 1, "FAILED": 2, "KILLED": 3}
# struct layouts of n mlops_metric (32 bytes each), by n.
_METRIC_LAYOUTS: Dict[int, struct.Struct] = {}


def now_ms() -> int:
    """Milliseconds since the Unix epoch, UTC."""
    return time.time_ns() // 1_000_000


def _lifecycle(name: str) -> int:
    try:
        return LIFECYCLE[name]
    except KeyError:
        raise ValueError(f"lifecycle must be one of {sorted(LIFECYCLE)}, not {name!r}") from None


# ---- snapshots ------------------------------------------------------------------


@dataclass(frozen=True)
class Experiment:
    """A snapshot of an experiment (a named group of runs)."""

    id: int
    name: str
    created_ms: int
    updated_ms: int
    #: When it was soft-deleted; 0 while active.
    deleted_ms: int
    tags: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def _from_c(cls, e: Any) -> "Experiment":
        return cls(
            id=C.mlops_experiment_id(e),
            name=dec(C.mlops_experiment_name(e)) or "",
            created_ms=C.mlops_experiment_created_ms(e),
            updated_ms=C.mlops_experiment_updated_ms(e),
            deleted_ms=C.mlops_experiment_deleted_ms(e),
            tags=kv_items(e, C.mlops_experiment_tag_count, C.mlops_experiment_tag_at),
        )


@dataclass(frozen=True)
class MetricSummary:
    """The summary of one metric of a run: the last point, min and max over
    non-NaN values (NaN when every value is NaN) and the point count."""

    key: str
    last: float
    last_step: int
    last_ts_ms: int
    min: float
    max: float
    count: int


@dataclass(frozen=True)
class LineageEdge:
    """A run read (direction "input") or wrote ("output") content."""

    run_id: str
    direction: str
    digest: Digest
    name: str
    role: str
    created_ms: int

    @classmethod
    def _from_c(cls, e: Any) -> "LineageEdge":
        return cls(
            run_id=dec(e.run_id) or "",
            direction="output" if e.direction == 1 else "input",
            digest=Digest._from_c(e.digest),
            name=dec(e.name) or "",
            role=dec(e.role) or "",
            created_ms=e.created_ms,
        )


def _edges(arr: Any, n: int) -> List[LineageEdge]:
    return [LineageEdge._from_c(arr[i]) for i in range(n)]


@dataclass(frozen=True)
class RunInfo:
    """A snapshot of a run: attributes, params, tags, metric summaries and
    lineage, all read at one moment."""

    id: str
    experiment_id: int
    name: Optional[str]
    parent_id: Optional[str]
    #: "RUNNING", "FINISHED", "FAILED" or "KILLED".
    status: str
    start_ms: int
    #: 0 while running.
    end_ms: int
    #: 0 unless deleted.
    deleted_ms: int
    params: Dict[str, str]
    tags: Dict[str, str]
    metrics: Dict[str, MetricSummary]
    lineage: List[LineageEdge]

    @property
    def inputs(self) -> List[LineageEdge]:
        """The content the run read."""
        return [e for e in self.lineage if e.direction == "input"]

    @property
    def outputs(self) -> List[LineageEdge]:
        """The content the run wrote."""
        return [e for e in self.lineage if e.direction == "output"]

    @classmethod
    def _from_c(cls, ri: Any) -> "RunInfo":
        metrics: Dict[str, MetricSummary] = {}
        p = POINTER(CMetricSummary)()
        for i in range(C.mlops_run_info_metric_count(ri)):
            check(C.mlops_run_info_metric_at(ri, i, byref(p)))
            m = p.contents
            key = dec(m.key) or ""
            metrics[key] = MetricSummary(key, m.last, m.last_step, m.last_ts_ms, m.min, m.max,
                                         m.count)
        # Lineage edges stay an array (doc/conventions.md: frozen structs).
        n = c_size_t()
        edges = C.mlops_run_info_lineage(ri, byref(n))
        status = C.mlops_run_info_status(ri)
        return cls(
            id=dec(C.mlops_run_info_id(ri)) or "",
            experiment_id=C.mlops_run_info_experiment_id(ri),
            name=dec(C.mlops_run_info_name(ri)),
            parent_id=dec(C.mlops_run_info_parent_id(ri)),
            status=dec(C.mlops_run_status_name(status)) or str(status),
            start_ms=C.mlops_run_info_start_ms(ri),
            end_ms=C.mlops_run_info_end_ms(ri),
            deleted_ms=C.mlops_run_info_deleted_ms(ri),
            params=kv_items(ri, C.mlops_run_info_param_count, C.mlops_run_info_param_at),
            tags=kv_items(ri, C.mlops_run_info_tag_count, C.mlops_run_info_tag_at),
            metrics=metrics,
            lineage=_edges(edges, n.value) if n.value else [],
        )


def _run_infos(lst: Any) -> List[RunInfo]:
    """The snapshots of a mlops_run_infos list, which it then frees."""
    try:
        return [RunInfo._from_c(C.mlops_run_infos_at(lst, i))
                for i in range(C.mlops_run_infos_count(lst))]
    finally:
        C.mlops_run_infos_free(lst)


@dataclass(frozen=True)
class MetricHistory:
    """Points of one metric of one run, as three arrays of equal length in
    order of (step, time): numpy arrays (float64, int64, int64) when numpy
    is installed, else array('d'), array('q'), array('q')."""

    key: str
    values: Any
    steps: Any
    timestamps_ms: Any

    def __len__(self) -> int:
        return len(self.values)


class RunPage(List[RunInfo]):
    """One page of search results: a list of RunInfo, and
    ``next_page_token`` (None on the last page) to pass as ``page_token``
    for the next one."""

    next_page_token: Optional[str] = None


# ---- live run handle ----------------------------------------------------------------


class Run(Owned):
    """A live handle on a run, to log into it (Store.start_run,
    Store.open_run). May be used by several threads at once.

    As a context manager it ends the run on exit: FINISHED on a normal
    exit, FAILED when an exception escapes (KILLED for KeyboardInterrupt
    and other non-Exception exits), unless the run was ended inside the
    block; then it releases the handle."""

    def __init__(self, store: "Store", guard: Guard) -> None:
        self._store = store
        self._guard = guard
        with guard as h:
            self.id: str = dec(C.mlops_run_id(h)) or ""
            """The run's id: 32 lowercase hex digits."""
            self.experiment_id: int = C.mlops_run_experiment_id(h)
            """The id of the run's experiment."""
        self._key_buffers: Dict[str, Any] = {}
        self._ended = False

    def _handle(self) -> Guard:
        # The run's guard: C functions given it hold it (and the store)
        # for their call (ValueError once closed).
        g = self._guard
        if g is None:
            raise ValueError("the run handle is closed")
        return g

    def __repr__(self) -> str:
        return f"<mlops.Run {self.id}>"

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if not self.closed and not self._ended:
                status = "FINISHED"
                if exc_type is not None:
                    status = "FAILED" if issubclass(exc_type, Exception) else "KILLED"
                try:
                    self.end(status)
                except Conflict:  # ended meanwhile through another handle
                    pass
        finally:
            self.close()

    # ---- params and tags ----

    def log_param(self, key: str, value: Any) -> None:
        """Logs one param (value converted with str() unless it is a str).
        Params never change: the same value again is fine, another value
        raises Conflict."""
        v = value if isinstance(value, str) else str(value)
        check(C.mlops_run_log_param(self._handle(), enc(key), enc(v)))

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Logs several params in one transaction (all or none)."""
        items = [(enc(k), enc(v if isinstance(v, str) else str(v))) for k, v in params.items()]
        arr = (KV * len(items))(*[KV(k, v) for k, v in items])
        check(C.mlops_run_log_params(self._handle(), arr, len(items)))

    def set_tag(self, key: str, value: str) -> None:
        """Sets (creates or replaces) a run tag; allowed after the run
        ended."""
        check(C.mlops_run_tag_set(self._handle(), enc(key), enc(value)))

    def delete_tag(self, key: str) -> None:
        """Deletes a run tag (NotFound when it is not set)."""
        check(C.mlops_run_tag_delete(self._handle(), enc(key)))

    # ---- metrics ----

    def log_metric(self, key: str, value: float, step: int = 0,
                   timestamp_ms: Optional[int] = None) -> None:
        """Logs one point of metric ``key`` (committed on return).
        ``timestamp_ms`` defaults to now. Values are stored bit for bit
        (NaN, infinities and -0.0 included)."""
        rc = C.mlops_run_log_metric(
            self._handle(), enc(key), value, step,
            time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms,
        )
        if rc:
            check(rc)

    def log_metrics(self, metrics: Mapping[str, float], step: int = 0,
                    timestamp_ms: Optional[int] = None) -> None:
        """Logs one point per key, all at ``step``, in one transaction."""
        h = self._handle()
        ts = time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms
        n = len(metrics)
        layout = _METRIC_LAYOUTS.get(n)
        if layout is None:
            layout = struct.Struct("=" + "Qdqq" * n)
            if n <= 256:
                _METRIC_LAYOUTS[n] = layout
        # The mlops_metric array packed in one go: (key address, value,
        # step, ts) per point.
        fields: List[Any] = []
        keep: List[Any] = []
        address = self._key_address
        for k, v in metrics.items():
            fields += (address(k, keep), v, step, ts)
        rc = C.mlops_run_log_metrics(h, layout.pack(*fields), n)
        if rc:
            check(rc)

    def log_metric_points(self, points: Sequence[Tuple[str, float, int, int]]) -> int:
        """Logs points of any keys and steps, each (key, value, step,
        timestamp_ms) as Store.import_metrics takes them, in one
        transaction (all or none). Returns the number of points. The
        framework callbacks (mlops.integrations) flush their buffers
        through it."""
        n = len(points)
        if not n:
            return 0
        h = self._handle()
        layout = _METRIC_LAYOUTS.get(n)
        if layout is None:
            layout = struct.Struct("=" + "Qdqq" * n)
            if n <= 256:
                _METRIC_LAYOUTS[n] = layout
        fields: List[Any] = []
        keep: List[Any] = []
        address = self._key_address
        for k, v, step, ts in points:
            fields += (address(k, keep), v, step, ts)
        rc = C.mlops_run_log_metrics(h, layout.pack(*fields), n)
        if rc:
            check(rc)
        return n

    def log_metric_arrays(
        self,
        columns: Mapping[str, Any],
        steps: Any = None,
        timestamps_ms: Any = None,
        *,
        start_step: int = 0,
    ) -> int:
        """Logs whole series in one transaction (all or none), without a
        Python loop per point: ``columns`` maps keys to float64 buffers or
        sequences of values (numpy arrays, array('d'), lists...).

        ``steps``: int64 sequence giving the step of each point (every
        column then has its length), or None for ``start_step``, +1, ...
        ``timestamps_ms``: None (now), one int for every point, or an int64
        sequence as long as the columns. Returns the number of points."""
        h = self._handle()
        step_bits = _int64_bits(steps) if steps is not None else None
        ts_bits = None
        if timestamps_ms is None or isinstance(timestamps_ms, int):
            ts_one = now_ms() if timestamps_ms is None else timestamps_ms
        else:
            ts_bits = _int64_bits(timestamps_ms)
        # Gather the columns' value bits and key addresses, then interleave
        # them into the mlops_metric array with four strided copies.
        values = array("Q")
        keys = array("Q")
        lengths = []
        keep: List[Any] = []
        for k, col in columns.items():
            n = _buffer.append_float64_bits(values, col)
            for name, bits in (("steps", step_bits), ("timestamps_ms", ts_bits)):
                if bits is not None and len(bits) != n:
                    raise ValueError(f"{name} has {len(bits)} items but column {k!r} has {n}")
            keys += array("Q", [self._key_address(k, keep)]) * n
            lengths.append(n)
        total = len(values)
        if not total:
            return 0
        buf = array("Q", [0]) * (4 * total)
        buf[0::4] = keys
        buf[1::4] = values
        if step_bits is not None:
            buf[2::4] = step_bits * len(lengths)
        elif len(set(lengths)) == 1:
            buf[2::4] = _arrays.from_bits(array("q", range(start_step, start_step + lengths[0])),
                                          "Q") * len(lengths)
        else:
            all_steps = array("q")
            for n in lengths:
                all_steps += array("q", range(start_step, start_step + n))
            buf[2::4] = _arrays.from_bits(all_steps, "Q")
        if ts_bits is not None:
            buf[3::4] = ts_bits * len(lengths)
        else:
            buf[3::4] = _arrays.from_bits(array("q", [ts_one]), "Q") * total
        rc = C.mlops_run_log_metrics(h, buf.buffer_info()[0], total)
        if rc:
            check(rc)
        return total

    def _key_address(self, key: str, keep: List[Any]) -> int:
        # A NUL-terminated copy of the key: cached on the handle (up to
        # 10,000 keys), else kept alive by the caller for its call.
        b = self._key_buffers.get(key)
        if b is None:
            b = ctypes.create_string_buffer(enc(key))
            if len(self._key_buffers) < 10000:
                # setdefault: threads racing on a new key share one buffer.
                b = self._key_buffers.setdefault(key, b)
            else:
                keep.append(b)
        return ctypes.addressof(b)

    # ---- lineage and end ----

    def log_input(self, digest: DigestLike, name: str, role: str = "dataset") -> None:
        """Records that the run read stored content ``digest`` (NotFound
        when it is not in the store)."""
        d = c_digest(digest)
        check(C.mlops_run_log_input(self._handle(), byref(d), enc(name), enc(role)))

    def log_output(self, digest: DigestLike, name: str, role: str = "model") -> None:
        """Records that the run wrote stored content ``digest``; it is then
        kept by garbage collection while the run's record exists."""
        d = c_digest(digest)
        check(C.mlops_run_log_output(self._handle(), byref(d), enc(name), enc(role)))

    def end(self, status: str = "FINISHED") -> None:
        """Ends the run with status "FINISHED", "FAILED" or "KILLED".
        Raises Conflict when it has already ended."""
        if status not in ("FINISHED", "FAILED", "KILLED"):
            raise ValueError(f"status must be FINISHED, FAILED or KILLED, not {status!r}")
        check(C.mlops_run_end(self._handle(), RUN_STATUS[status]))
        self._ended = True

    def info(self) -> RunInfo:
        """A snapshot of the run as it is now."""
        return self._store.get_run(self.id)


def _int64_bits(obj: Any) -> "array[Any]":
    """The int64 values of obj as array('Q') bits (for interleaving)."""
    np = _arrays.np
    if np is not None and isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj, dtype=np.int64)
        if a.ndim != 1:
            raise ValueError("expected a 1-D sequence of integers")
        return _arrays.from_bits(a, "Q")
    if isinstance(obj, array) and obj.typecode in ("q", "Q"):
        return _arrays.from_bits(obj, "Q")
    return _arrays.from_bits(array("q", obj), "Q")


# ---- store methods -------------------------------------------------------------------

ExperimentRef = Union[int, str, Experiment]


class TrackMixin:
    """Store methods for experiments, runs, metrics, lineage and search."""

    _handle: Any

    # ---- experiments ----

    def create_experiment(self, name: str) -> Experiment:
        """Creates an experiment; raises AlreadyExists when the name is
        taken (deleted experiments included)."""
        i = c_int64()
        check(C.mlops_experiment_create(self._handle, enc(name), byref(i)))
        return self.get_experiment(i.value)

    def get_experiment(self, experiment: ExperimentRef) -> Experiment:
        """The experiment with this id, name, or of this snapshot (deleted
        ones too). Raises NotFound."""
        h = ExperimentP()
        if isinstance(experiment, Experiment):
            experiment = experiment.id
        if isinstance(experiment, str):
            check(C.mlops_experiment_get_by_name(self._handle, enc(experiment), byref(h)))
        else:
            check(C.mlops_experiment_get(self._handle, experiment, byref(h)))
        try:
            return Experiment._from_c(h)
        finally:
            C.mlops_experiment_free(h)

    def experiments(self, lifecycle: str = "active") -> List[Experiment]:
        """The experiments in id order; lifecycle "active", "deleted" or
        "all"."""
        lst = ExperimentsP()
        check(C.mlops_experiment_list_ex(self._handle, _lifecycle(lifecycle), byref(lst)))
        try:
            return [Experiment._from_c(C.mlops_experiments_at(lst, i))
                    for i in range(C.mlops_experiments_count(lst))]
        finally:
            C.mlops_experiments_free(lst)

    def _experiment_id(self, experiment: ExperimentRef) -> int:
        if isinstance(experiment, Experiment):
            return experiment.id
        if isinstance(experiment, str):
            return self.get_experiment(experiment).id
        return int(experiment)

    def rename_experiment(self, experiment: ExperimentRef, name: str) -> None:
        """Renames an experiment (AlreadyExists when the name is taken)."""
        check(C.mlops_experiment_rename(self._handle, self._experiment_id(experiment), enc(name)))

    def set_experiment_tag(self, experiment: ExperimentRef, key: str, value: str) -> None:
        """Sets (creates or replaces) an experiment tag."""
        check(C.mlops_experiment_tag_set(self._handle, self._experiment_id(experiment), enc(key),
                                         enc(value)))

    def delete_experiment_tag(self, experiment: ExperimentRef, key: str) -> None:
        """Deletes an experiment tag (NotFound when it is not set)."""
        check(C.mlops_experiment_tag_delete(self._handle, self._experiment_id(experiment),
                                            enc(key)))

    def delete_experiment(self, experiment: ExperimentRef) -> None:
        """Soft-deletes an experiment: it keeps its data, leaves the active
        lists and accepts no new runs until restored."""
        check(C.mlops_experiment_delete(self._handle, self._experiment_id(experiment)))

    def restore_experiment(self, experiment: ExperimentRef) -> None:
        """Restores a soft-deleted experiment."""
        check(C.mlops_experiment_restore(self._handle, self._experiment_id(experiment)))

    # ---- runs ----

    def start_run(
        self,
        experiment: ExperimentRef,
        name: Optional[str] = None,
        *,
        parent: Union[str, Run, RunInfo, None] = None,
        user: Optional[str] = None,
        source: Optional[str] = None,
        git_commit: Optional[str] = None,
        start_ms: Optional[int] = None,
    ) -> Run:
        """Starts a run in an experiment and returns its live handle.

        ``experiment`` is an id, a snapshot, or a name; an experiment
        named so is created when none exists. Use the handle as a context
        manager: ``with store.start_run("exp", "trial-1") as run: ...``
        ends the run FINISHED, or FAILED when an exception escapes.
        ``parent`` (a run id or run) makes a nested run; ``user``,
        ``source`` and ``git_commit`` set the system tags."""
        if isinstance(experiment, str):
            try:
                exp_id = self.get_experiment(experiment).id
            except NotFound:
                try:
                    exp_id = self.create_experiment(experiment).id
                except AlreadyExists:  # created meanwhile by another writer
                    exp_id = self.get_experiment(experiment).id
        else:
            exp_id = self._experiment_id(experiment)
        opts = RunStartOpts()
        check(C.mlops_run_start_opts_init(byref(opts), RunStartOpts.VERSION))
        opts.name = enc(name)
        if isinstance(parent, (Run, RunInfo)):
            parent = parent.id
        opts.parent_run_id = enc(parent)
        opts.user = enc(user)
        opts.source = enc(source)
        opts.git_commit = enc(git_commit)
        opts.start_ms = start_ms or 0

        def opener(s: Any) -> Any:
            h = RunP()
            check(C.mlops_run_start_ex(s, exp_id, byref(opts), byref(h)))
            return h

        return Run(self, self._handle.open_child(opener, C.mlops_run_free,  # type: ignore
                                                 "run handle"))

    def open_run(self, run_id: str) -> Run:
        """A live handle on an existing run, to keep logging into it."""
        rid = enc(run_id)

        def opener(s: Any) -> Any:
            h = RunP()
            check(C.mlops_run_open(s, rid, byref(h)))
            return h

        return Run(self, self._handle.open_child(opener, C.mlops_run_free,  # type: ignore
                                                 "run handle"))

    def get_run(self, run_id: str) -> RunInfo:
        """A snapshot of run ``run_id`` (deleted runs too)."""
        h = RunInfoP()
        check(C.mlops_run_get(self._handle, enc(run_id), byref(h)))
        try:
            return RunInfo._from_c(h)
        finally:
            C.mlops_run_info_free(h)

    def runs(self, experiment: ExperimentRef, lifecycle: str = "active") -> List[RunInfo]:
        """Snapshots of an experiment's runs, newest start first (prefer
        search_runs for large experiments: it pages)."""
        lst = RunInfosP()
        check(C.mlops_run_list_ex(self._handle, self._experiment_id(experiment),
                                  _lifecycle(lifecycle), byref(lst)))
        return _run_infos(lst)

    def delete_run(self, run_id: str) -> None:
        """Soft-deletes a run: it keeps its data but leaves lists and
        searches and accepts no writes until restored."""
        check(C.mlops_run_delete(self._handle, enc(run_id)))

    def restore_run(self, run_id: str) -> None:
        """Restores a soft-deleted run."""
        check(C.mlops_run_restore(self._handle, enc(run_id)))

    # ---- metrics, lineage, search ----

    def metric_history(
        self,
        run_id: str,
        key: str,
        *,
        step_min: Optional[int] = None,
        step_max: Optional[int] = None,
        buckets: int = 0,
    ) -> MetricHistory:
        """The points of metric ``key`` of run ``run_id`` in order of
        (step, time), optionally within [step_min, step_max] and
        downsampled to ``buckets`` buckets (min and max point of each).
        Raises NotFound when the run has no such metric."""
        opts = HistoryOpts()
        check(C.mlops_history_opts_init(byref(opts), HistoryOpts.VERSION))
        if step_min is not None:
            opts.step_min = step_min
        if step_max is not None:
            opts.step_max = step_max
        opts.buckets = buckets
        ptr = c_void_p()
        n = c_size_t()
        check(C.mlops_metric_history(self._handle, enc(run_id), enc(key), byref(opts), byref(ptr),
                                     byref(n)))
        bits = array("q")
        try:
            if n.value:
                bits.frombytes((ctypes.c_char * (24 * n.value)).from_address(ptr.value or 0))
        finally:
            C.mlops_free(ptr)
        values = _arrays.from_bits(bits[0::3], "d")
        return MetricHistory(key, _arrays.wrap(values), _arrays.wrap(bits[1::3]),
                             _arrays.wrap(bits[2::3]))

    def compare_runs_html(
        self,
        run_ids: Sequence[str],
        *,
        title: Optional[str] = None,
        max_points: int = 0,
        x_axis: str = "step",
        generated_ms: int = 0,
    ) -> str:
        """The runs side by side as one self-contained HTML page
        (mlops_run_compare_html; doc/pages.md): status and duration, one
        chart per metric with every run's curve (histories downsampled
        with LTTB to ``max_points`` per curve, 0: 1,000) and a table
        beside it, final/min/max values and the params with differences
        marked. ``x_axis`` is "step" or "time" (since each run started);
        ``generated_ms`` is the time in the footer (0: now, -1: none)."""
        axes = {"step": RunCompareOpts.X_STEP, "time": RunCompareOpts.X_TIME}
        if x_axis not in axes:
            raise ValueError(f"x_axis is 'step' or 'time', not {x_axis!r}")
        if isinstance(run_ids, (str, bytes)):
            raise TypeError("run_ids is a sequence of run ids, not one string")
        opts = RunCompareOpts()
        check(C.mlops_run_compare_opts_init(byref(opts), RunCompareOpts.VERSION))
        opts.title = enc(title)
        opts.max_points = max_points
        opts.x_axis = axes[x_axis]
        opts.generated_ms = generated_ms
        ids = (ctypes.c_char_p * max(len(run_ids), 1))(*[enc(r) for r in run_ids])
        ptr = c_void_p()
        check(C.mlops_run_compare_html(self._handle, ids, len(run_ids), byref(opts), byref(ptr)))
        try:
            return ctypes.string_at(ptr.value or 0).decode("utf-8")
        finally:
            C.mlops_free(ptr)

    def lineage(self, run_id: str) -> List[LineageEdge]:
        """The inputs and outputs of a run: inputs first, each by name."""
        arr = POINTER(CLineageEdge)()
        n = c_size_t()
        check(C.mlops_lineage_for_run(self._handle, enc(run_id), byref(arr), byref(n)))
        try:
            return _edges(arr, n.value)
        finally:
            C.mlops_free(arr)

    def runs_using(self, digest: DigestLike) -> List[LineageEdge]:
        """The edges of every run that read or wrote ``digest``, oldest
        first (each names its run and direction)."""
        d = c_digest(digest)
        arr = POINTER(CLineageEdge)()
        n = c_size_t()
        check(C.mlops_lineage_for_digest(self._handle, byref(d), byref(arr), byref(n)))
        try:
            return _edges(arr, n.value)
        finally:
            C.mlops_free(arr)

    def search_runs(
        self,
        filter: Optional[str] = None,
        *,
        order_by: Optional[str] = None,
        experiments: Optional[Sequence[ExperimentRef]] = None,
        max_results: int = 1000,
        page_token: Optional[str] = None,
        lifecycle: str = "active",
    ) -> RunPage:
        """One page of runs matching ``filter`` (the search language of
        doc/search.md, e.g. ``"metrics.acc > 0.9 AND params.lr = '0.01'"``)
        sorted by ``order_by`` (e.g. ``"metrics.acc DESC"``), from the
        given experiments (default, None: all; an empty sequence: none,
        an empty page without asking the library). Returns a RunPage (a
        list of RunInfo) whose ``next_page_token`` fetches the next page.
        Raises InvalidArgument for a filter that does not parse (the
        message gives the position)."""
        opts = SearchOpts()
        check(C.mlops_search_opts_init(byref(opts), SearchOpts.VERSION))
        ids = None
        if experiments is not None:
            if not len(experiments):
                # The library reads no ids as every experiment.
                _lifecycle(lifecycle)
                return RunPage()
            ids = (c_int64 * len(experiments))(*[self._experiment_id(e) for e in experiments])
            opts.experiment_ids = ctypes.cast(ids, POINTER(c_int64))
            opts.experiment_count = len(experiments)
        opts.filter = enc(filter)
        opts.order_by = enc(order_by)
        opts.max_results = max_results
        opts.page_token = enc(page_token)
        opts.lifecycle = _lifecycle(lifecycle)
        lst = RunInfosP()
        token = c_void_p()
        check(C.mlops_run_search_ex(self._handle, byref(opts), byref(lst), byref(token)))
        del ids
        try:
            page = RunPage(_run_infos(lst))
            if token.value:
                page.next_page_token = ctypes.string_at(token.value).decode("ascii")
        finally:
            C.mlops_free(token)  # NULL on the last page: a no-op
        return page

    def iter_runs(
        self,
        filter: Optional[str] = None,
        *,
        order_by: Optional[str] = None,
        experiments: Optional[Sequence[ExperimentRef]] = None,
        page_size: int = 1000,
        lifecycle: str = "active",
    ) -> Iterator[RunInfo]:
        """Every run matching ``filter``, page after page (see
        search_runs)."""
        token: Optional[str] = None
        while True:
            page = self.search_runs(filter, order_by=order_by, experiments=experiments,
                                    max_results=page_size, page_token=token,
                                    lifecycle=lifecycle)
            yield from page
            token = page.next_page_token
            if token is None:
                return
