"""Evaluation records (registry.h, "Evaluation records"; since 1.1): the
metrics of a model version on a dataset, recorded and read back.
Store.record_evaluation, Store.evaluations, Store.get_evaluation,
Store.latest_evaluation."""
from __future__ import annotations

import math
import numbers
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_size_t,
    c_uint,
    pointer,
)
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Union

from ._cbase import CDigest, opaque
from ._capi import ChangeOpts, C, StoreP, _declare, check, dec, enc
from .digest import Digest, DigestLike, c_digest
from .registry import _change

__all__ = ["EvaluationRecord", "RecordedMetric"]

EvaluationP = opaque("mlops_evaluation")
EvaluationsP = opaque("mlops_evaluations")


class _CInput(Structure):
    """mlops_evaluation_input, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("n", c_size_t),
        ("names", POINTER(c_char_p)),
        ("values", POINTER(c_double)),
        ("reasons", POINTER(c_int)),
        ("low", POINTER(c_double)),
        ("high", POINTER(c_double)),
    ]


class _CMetric(Structure):
    """mlops_evaluation_metric, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("name", c_char_p),
        ("value", c_double),
        ("reason", c_int),
        ("has_interval", c_int),
        ("low", c_double),
        ("high", c_double),
    ]


class _CListOpts(Structure):
    """mlops_evaluation_list_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("dataset", POINTER(CDigest)),
        ("after_id", c_int64),
        ("limit", c_size_t),
    ]


# MLOPS_1.1: with a 1.0 library these raise Unsupported.
_declare([
    ("mlops_evaluation_input_init", c_int, [POINTER(_CInput), c_uint]),
    ("mlops_evaluation_record", c_int,
     [StoreP, c_char_p, c_int64, POINTER(CDigest), POINTER(_CInput), POINTER(ChangeOpts),
      POINTER(c_int64)]),
    ("mlops_evaluation_get", c_int, [StoreP, c_int64, POINTER(EvaluationP)]),
    ("mlops_evaluation_free", None, [EvaluationP]),
    ("mlops_evaluation_id", c_int64, [EvaluationP]),
    ("mlops_evaluation_model", c_char_p, [EvaluationP]),
    ("mlops_evaluation_model_version", c_int64, [EvaluationP]),
    ("mlops_evaluation_dataset", POINTER(CDigest), [EvaluationP]),
    ("mlops_evaluation_created_ms", c_int64, [EvaluationP]),
    ("mlops_evaluation_actor", c_char_p, [EvaluationP]),
    ("mlops_evaluation_reason", c_char_p, [EvaluationP]),
    ("mlops_evaluation_metric_init", c_int, [POINTER(_CMetric), c_uint]),
    ("mlops_evaluation_metric_count", c_size_t, [EvaluationP]),
    ("mlops_evaluation_metric_at", c_int, [EvaluationP, c_size_t, POINTER(_CMetric)]),
    ("mlops_evaluation_list_opts_init", c_int, [POINTER(_CListOpts), c_uint]),
    ("mlops_evaluation_list", c_int,
     [StoreP, c_char_p, c_int64, POINTER(_CListOpts), POINTER(EvaluationsP)]),
    ("mlops_evaluations_count", c_size_t, [EvaluationsP]),
    ("mlops_evaluations_at", EvaluationP, [EvaluationsP, c_size_t]),
    ("mlops_evaluations_free", None, [EvaluationsP]),
])


@dataclass(frozen=True)
class RecordedMetric:
    """One metric of an evaluation: its value as recorded (NaN kept), the
    library's reason code (0: defined; mlops.metrics.Evaluation.reason)
    and the interval bounds (None when none were recorded)."""

    value: float
    reason: int = 0
    low: Optional[float] = None
    high: Optional[float] = None


@dataclass(frozen=True)
class EvaluationRecord:
    """An evaluation of a model version on a dataset (by digest)."""

    id: int
    #: The model's current name, and the version's number.
    model: str
    version: int
    dataset: Digest
    created_ms: int
    actor: str
    reason: Optional[str]
    #: Metric name -> RecordedMetric, in name order.
    metrics: Dict[str, RecordedMetric] = field(default_factory=dict)

    @classmethod
    def _from_c(cls, e: Any) -> "EvaluationRecord":
        metrics: Dict[str, RecordedMetric] = {}
        m = _CMetric()
        for i in range(C.mlops_evaluation_metric_count(e)):
            check(C.mlops_evaluation_metric_init(byref(m), _CMetric.VERSION))
            check(C.mlops_evaluation_metric_at(e, i, byref(m)))
            metrics[dec(m.name) or ""] = RecordedMetric(
                m.value, m.reason, m.low if m.has_interval else None,
                m.high if m.has_interval else None)
        return cls(
            id=C.mlops_evaluation_id(e),
            model=dec(C.mlops_evaluation_model(e)) or "",
            version=C.mlops_evaluation_model_version(e),
            dataset=Digest._from_c(C.mlops_evaluation_dataset(e).contents),
            created_ms=C.mlops_evaluation_created_ms(e),
            actor=dec(C.mlops_evaluation_actor(e)) or "",
            reason=dec(C.mlops_evaluation_reason(e)),
            metrics=metrics,
        )


MetricLike = Union[float, int, RecordedMetric, Any]


def _metric(name: str, v: MetricLike) -> RecordedMetric:
    # A number, or anything with .value (and .reason, .low, .high):
    # RecordedMetric, mlops.metrics.Evaluation, mlops.metrics.BootstrapInterval.
    if isinstance(v, bool):
        raise TypeError(f"metric {name!r}: a bool is not a metric value")
    if isinstance(v, numbers.Real):  # int, float, numpy's float32, int64...
        return RecordedMetric(float(v))
    if not hasattr(v, "value"):
        raise TypeError(f"metric {name!r}: {type(v).__name__} is neither a number nor has .value")
    return RecordedMetric(float(v.value), int(getattr(v, "reason", 0) or 0),
                          getattr(v, "low", None), getattr(v, "high", None))


def _page(lst: Any) -> List[EvaluationRecord]:
    try:
        return [EvaluationRecord._from_c(C.mlops_evaluations_at(lst, i))
                for i in range(C.mlops_evaluations_count(lst))]
    finally:
        C.mlops_evaluations_free(lst)


class EvaluationsMixin:
    """Store methods of evaluation records."""

    _handle: Any

    def record_evaluation(self, model: str, version: int, dataset: DigestLike,
                          metrics: Mapping[str, MetricLike], *, actor: Optional[str] = None,
                          reason: Optional[str] = None) -> int:
        """Records how version ``version`` of ``model`` scored on the
        dataset whose digest is ``dataset``: ``metrics`` maps each name to
        a number, a RecordedMetric, or a result of mlops.metrics
        (``evaluate`` gives the reason, ``bootstrap`` the interval too).
        When any metric has an interval, those without get NaN bounds (the
        library records bounds for all or none). Returns the evaluation's
        id. Raises NotFound (no such model or version, or it is deleted),
        InvalidArgument (no metrics, a bad or repeated name, an unknown
        reason)."""
        items = [(str(k), _metric(str(k), v)) for k, v in metrics.items()]
        n = len(items)
        names = (c_char_p * max(n, 1))(*[enc(k) for k, _ in items])
        values = (c_double * max(n, 1))(*[m.value for _, m in items])
        reasons = (c_int * max(n, 1))(*[m.reason for _, m in items])
        with_bounds = any(m.low is not None or m.high is not None for _, m in items)
        nan = math.nan
        low = (c_double * max(n, 1))(*[nan if m.low is None else m.low for _, m in items])
        high = (c_double * max(n, 1))(*[nan if m.high is None else m.high for _, m in items])
        inp = _CInput()
        check(C.mlops_evaluation_input_init(byref(inp), _CInput.VERSION))
        inp.n = n
        inp.names = names
        inp.values = values
        inp.reasons = reasons
        if with_bounds:
            inp.low = low
            inp.high = high
        d = c_digest(dataset)
        out = c_int64()
        check(C.mlops_evaluation_record(self._handle, enc(model), version, byref(d), byref(inp),
                                        _change(actor, reason), byref(out)))
        return out.value

    def get_evaluation(self, evaluation_id: int) -> EvaluationRecord:
        """Evaluation ``evaluation_id`` (of any version, deleted or not).
        Raises NotFound."""
        h = EvaluationP()
        check(C.mlops_evaluation_get(self._handle, evaluation_id, byref(h)))
        try:
            return EvaluationRecord._from_c(h)
        finally:
            C.mlops_evaluation_free(h)

    def evaluations(self, model: str, version: int, *, dataset: Optional[DigestLike] = None,
                    after_id: int = 0, limit: int = 0) -> List[EvaluationRecord]:
        """The evaluations of a version (a deleted one's too), oldest
        first; only those on ``dataset`` when given; a page of ``limit``
        (0: all) after id ``after_id``. Raises NotFound (no such model or
        version)."""
        opts = _CListOpts()
        check(C.mlops_evaluation_list_opts_init(byref(opts), _CListOpts.VERSION))
        d = c_digest(dataset) if dataset is not None else None
        if d is not None:
            opts.dataset = pointer(d)
        opts.after_id = after_id
        opts.limit = limit
        lst = EvaluationsP()
        check(C.mlops_evaluation_list(self._handle, enc(model), version, byref(opts), byref(lst)))
        return _page(lst)

    def latest_evaluation(self, model: str, version: int,
                          dataset: DigestLike) -> Optional[EvaluationRecord]:
        """The latest evaluation of a version on ``dataset`` (what a
        promotion gate reads), or None when it has none."""
        last: Optional[EvaluationRecord] = None
        after = 0
        while True:
            page = self.evaluations(model, version, dataset=dataset, after_id=after, limit=256)
            if not page:
                return last
            last = page[-1]
            after = last.id
