"""Fairness (libmlops fairness.h) under fairlearn's names and arguments:
``MetricFrame``, ``selection_rate``, ``demographic_parity_difference``,
``equalized_odds_ratio``... and AIF360's ``disparate_impact`` and
``statistical_parity_difference``. Values equal fairlearn's (AIF360's)
within 1e-12 relative (the versions in tests/eval/golden_fairness.txt);
doc/fairness.md lists the deliberate differences, chiefly: a rate that is
undefined in a group (no positive sample for a true positive rate, no
negative one for a false positive rate) is NaN with an
``UndefinedMetricWarning`` where fairlearn says 0, and a difference or
ratio over such a group is NaN.

Sensitive features are one column: integers are the group codes
themselves; any other values (strings, pandas categoricals, Arrow strings
and dictionaries...) are mapped to codes in sorted order, so groups always
come sorted (a pandas categorical or Arrow dictionary keeps its order); a missing
sensitive value is refused (ValueError). y_true, y_pred and sample_weight
may be pandas Series or Arrow arrays. Where fairlearn returns pandas
objects, ``MetricFrame`` returns pandas objects when pandas can be
imported (on first use: ``import mlops`` does not import it) and plain
dicts otherwise; ``MetricFrame.to_pandas()`` is one metric's per-group
table.
"""
from __future__ import annotations

import math
import warnings
from contextlib import ExitStack
from ctypes import byref
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _arrays, _buffer, _frames, metrics
from ._capi import C, check, dec
from ._capi_eval import EvalData, EvalResult
from ._capi_fairness import FairnessFrameP, FairnessOpts
from .metrics import UndefinedMetricWarning

__all__ = [
    "MetricFrame",
    "GroupValue",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "disparate_impact",
    "statistical_parity_difference",
]

_METHOD = {"between_groups": 0, "to_overall": 1}
_AGG = {"worst_case": 0, "mean": 1}
_DP, _EO, _EOP = 1, 2, 3


def _pandas() -> Any:
    """pandas, imported on first use, or None when it is not installed."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is installed in the tests
        return None
    return pandas


@dataclass(frozen=True)
class GroupValue:
    """One group of a frame: its label, the metric, the library's reason
    (0: defined), its sample count, weight sum and the weight of the
    samples whose y_true is the positive label (and of the others)."""

    label: Any
    value: float
    reason: int
    count: int
    weight: float
    positives: float
    negatives: float


def _method(m: str) -> int:
    if m not in _METHOD:
        raise ValueError(f"method must be 'between_groups' or 'to_overall', not {m!r}")
    return _METHOD[m]


def _groups(sensitive_features: Any) -> Tuple[Any, Callable[[int], Any], Dict[Any, int]]:
    """(int codes, code -> label, label -> code) for one sensitive feature."""
    np = _arrays.np
    if _frames.is_frame(sensitive_features):
        cols = list(_frames.columns(sensitive_features).values())
        if len(cols) != 1:
            raise ValueError("sensitive_features must be one column")
        sensitive_features = cols[0]
    if _frames.is_column(sensitive_features):
        if _frames.kind(sensitive_features) == "numeric":
            a = _frames.labels(sensitive_features)  # ValueError on missing values
            if a.dtype.kind in "iub":
                return a, int, {}
        c = _frames.categories(sensitive_features)
        if c.codes.size and c.codes.min() < 0:
            raise ValueError("sensitive_features has missing values")
        labels = _frames.sorted_labels([c])
        codes = _frames.recode(c, labels).astype(np.intc)
        return codes, labels.__getitem__, {v: i for i, v in enumerate(labels)}
    if np is not None:
        a = np.asarray(sensitive_features)
        if a.ndim == 2 and a.shape[1] == 1:
            a = a[:, 0]
        if a.ndim != 1:
            raise ValueError("sensitive_features must be one column")
        if a.dtype.kind in "iub":
            return a, int, {}
        labels, codes = np.unique(a, return_inverse=True)
        labels = [v.item() if hasattr(v, "item") else v for v in labels]
        return codes.astype(np.intc), labels.__getitem__, {v: i for i, v in enumerate(labels)}
    vals = list(sensitive_features)
    if all(isinstance(v, int) for v in vals):
        return vals, int, {}
    labels = sorted(set(vals))
    index = {v: i for i, v in enumerate(labels)}
    return [index[v] for v in vals], labels.__getitem__, index


def _warn(name: str, reason: int) -> None:
    if reason:
        text = dec(C.mlops_eval_reason_name(reason))
        warnings.warn(f"{name}: {text}", UndefinedMetricWarning, stacklevel=3)


def _name(fn: Any) -> str:
    inner = getattr(fn, "func", fn)  # functools.partial
    return getattr(inner, "__name__", "metric")


class _Frame:
    """The values of one metric by groups, read from a C frame."""

    def __init__(self, overall: float, groups: List[GroupValue], aggs: Dict[Tuple[str, str], float]):
        self.overall = overall
        self.groups = groups
        self.aggs = aggs


def _frame_hook(codes: Any, label_of: Callable[[int], Any]) -> Callable[..., _Frame]:
    def hook(metric: int, family: int, call: Any, args: Tuple[Any, ...]) -> _Frame:
        d = EvalData()
        check(C.mlops_eval_data_init(byref(d), EvalData.VERSION))
        if family == 3:
            yt, s, k, w = args
            d.labels_true, d.scores, d.k = yt, s, k
        else:
            yt, yp, w = args
            if family == 1:
                d.values_true, d.values_pred = yt, yp
            else:
                d.labels_true, d.labels_pred = yt, yp
        d.weights = w
        g = call.labels("sensitive_features", codes)
        d.n = call.n or 0
        f = FairnessFrameP()
        check(C.mlops_fairness_frame_build(metric, byref(d), g, byref(call.opts), byref(f)))
        try:
            ov = C.mlops_fairness_frame_overall(f).contents
            groups = []
            for i in range(C.mlops_fairness_frame_count(f)):
                x = C.mlops_fairness_frame_at(f, i).contents
                groups.append(GroupValue(label_of(x.group), x.value, x.reason, x.count, x.weight,
                                         x.positives, x.negatives))
            aggs = {}
            for kind, fn in (("difference", C.mlops_fairness_frame_difference),
                             ("ratio", C.mlops_fairness_frame_ratio)):
                for m, code in _METHOD.items():
                    r = EvalResult()
                    check(C.mlops_eval_result_init(byref(r), EvalResult.VERSION))
                    check(fn(f, code, byref(r)))
                    aggs[(kind, m)] = r.value
            return _Frame(ov.value, groups, aggs)
        finally:
            C.mlops_fairness_frame_free(f)
    return hook


class MetricFrame:
    """fairlearn's MetricFrame for the metric functions of mlops.metrics and
    mlops.fairness (or functools.partial of them): ``metrics`` one function
    or a dict name -> function; ``sample_params`` as fairlearn's (a dict of
    arguments, or per metric name). ``overall``, ``by_group``,
    ``difference(method=)``, ``ratio(method=)``, ``group_min()``,
    ``group_max()``; ``groups(name)`` gives each group's value, reason and
    counts. A NaN group makes differences, ratios and group_min/max NaN
    (pandas would skip it)."""

    def __init__(self, *, metrics: Any, y_true: Any, y_pred: Any, sensitive_features: Any,
                 sample_params: Optional[Dict[str, Any]] = None):
        self._single = not isinstance(metrics, dict)
        fns = {_name(metrics): metrics} if self._single else dict(metrics)
        codes, label_of, _ = _groups(sensitive_features)
        self._frames: Dict[str, _Frame] = {}
        for name, fn in fns.items():
            params = (sample_params or {}) if self._single else (sample_params or {}).get(name, {})
            token = _metrics_hook.set(_frame_hook(codes, label_of))
            try:
                frame = fn(y_true, y_pred, **params)
            finally:
                _metrics_hook.reset(token)
            if not isinstance(frame, _Frame):
                raise TypeError(f"{name}: MetricFrame takes the metric functions of mlops.metrics "
                                "and mlops.fairness (one value per call)")
            for g in frame.groups:
                _warn(f"{name} for group {g.label!r}", g.reason)
            self._frames[name] = frame

    def _out(self, per_metric: Dict[str, Any]) -> Any:
        if self._single:
            return next(iter(per_metric.values()))
        pd = _pandas()
        return pd.Series(per_metric) if pd is not None else per_metric

    @property
    def overall(self) -> Any:
        return self._out({n: f.overall for n, f in self._frames.items()})

    @property
    def by_group(self) -> Any:
        cols = {n: {g.label: g.value for g in f.groups} for n, f in self._frames.items()}
        pd = _pandas()
        if pd is None:
            return next(iter(cols.values())) if self._single else cols
        if self._single:
            name = next(iter(cols))
            return pd.Series(cols[name], name=name)
        return pd.DataFrame(cols)

    def to_pandas(self, name: Optional[str] = None) -> Any:
        """One metric's groups (the only one when name is None) as a pandas
        DataFrame indexed by group: value, reason, count, weight, positives,
        negatives. Imports pandas."""
        pd = _frames.pandas()
        groups = self.groups(name)
        return pd.DataFrame(
            {"value": [g.value for g in groups], "reason": [g.reason for g in groups],
             "count": [g.count for g in groups], "weight": [g.weight for g in groups],
             "positives": [g.positives for g in groups], "negatives": [g.negatives for g in groups]},
            index=pd.Index([g.label for g in groups], name="group"))

    def groups(self, name: Optional[str] = None) -> List[GroupValue]:
        """Each group's value, reason and counts for one metric (the only
        one when name is None)."""
        return self._frames[name if name is not None else next(iter(self._frames))].groups

    def difference(self, method: str = "between_groups") -> Any:
        _method(method)
        return self._out({n: f.aggs[("difference", method)] for n, f in self._frames.items()})

    def ratio(self, method: str = "between_groups") -> Any:
        _method(method)
        return self._out({n: f.aggs[("ratio", method)] for n, f in self._frames.items()})

    def _extreme(self, pick: Callable[..., float]) -> Any:
        out = {}
        for n, f in self._frames.items():
            vals = [g.value for g in f.groups]
            out[n] = math.nan if any(math.isnan(v) for v in vals) else pick(vals)
        return self._out(out)

    def group_min(self) -> Any:
        return self._extreme(min)

    def group_max(self) -> Any:
        return self._extreme(max)


_metrics_hook = metrics._frame_hook


# ---- base rates (fairlearn.metrics) --------------------------------------------------


def _rate(name: str, y_true: Any, y_pred: Any, pos_label: Any, sample_weight: Any) -> float:
    def setup(c: Any) -> Tuple[Any, ...]:
        c.opts.pos_label = 1 if pos_label is None else int(pos_label)
        return c.labels("y_true", y_true), c.labels("y_pred", y_pred), c.weights(sample_weight)

    return metrics._run(name, setup)[0]


def selection_rate(y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None) -> float:
    """The (weighted) share of y_pred equal to pos_label."""
    return _rate("selection_rate", y_true, y_pred, pos_label, sample_weight)


def true_positive_rate(y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """TPR on at most two labels (pos_label None: 1). NaN with a warning
    when there is no positive sample (fairlearn: 0)."""
    return _rate("true_positive_rate", y_true, y_pred, pos_label, sample_weight)


def false_positive_rate(y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """FPR on at most two labels (pos_label None: 1). NaN with a warning
    when there is no negative sample (fairlearn: 0)."""
    return _rate("false_positive_rate", y_true, y_pred, pos_label, sample_weight)


# ---- parity measures ---------------------------------------------------------------------


def _parity(ratio: bool, measure: int, name: str, y_true: Any, y_pred: Any, sensitive_features: Any,
            method: str, sample_weight: Any, agg: str = "worst_case") -> float:
    if agg not in _AGG:
        raise ValueError(f"agg must be 'worst_case' or 'mean', not {agg!r}")
    codes, _, _ = _groups(sensitive_features)
    o = FairnessOpts()
    check(C.mlops_fairness_opts_init(byref(o), FairnessOpts.VERSION))
    o.method = _method(method)
    o.agg = _AGG[agg]
    with ExitStack() as stack:
        c = metrics._Call(stack)
        yt, yp = c.labels("y_true", y_true), c.labels("y_pred", y_pred)
        g, w = c.labels("sensitive_features", codes), c.weights(sample_weight)
        r = EvalResult()
        check(C.mlops_eval_result_init(byref(r), EvalResult.VERSION))
        fn = C.mlops_fairness_ratio if ratio else C.mlops_fairness_difference
        check(fn(measure, yt, yp, g, c.n or 0, w, byref(o), byref(r)))
    _warn(name, r.reason)
    return float(r.value)


def demographic_parity_difference(y_true: Any, y_pred: Any, *, sensitive_features: Any,
                                  method: str = "between_groups", sample_weight: Any = None) -> float:
    """Difference of the groups' selection rates."""
    return _parity(False, _DP, "demographic_parity_difference", y_true, y_pred, sensitive_features,
                   method, sample_weight)


def demographic_parity_ratio(y_true: Any, y_pred: Any, *, sensitive_features: Any,
                             method: str = "between_groups", sample_weight: Any = None) -> float:
    """Ratio of the groups' selection rates (at most 1)."""
    return _parity(True, _DP, "demographic_parity_ratio", y_true, y_pred, sensitive_features, method,
                   sample_weight)


def equalized_odds_difference(y_true: Any, y_pred: Any, *, sensitive_features: Any,
                              method: str = "between_groups", sample_weight: Any = None,
                              agg: str = "worst_case") -> float:
    """The larger (agg="mean": the mean) of the TPR and FPR differences."""
    return _parity(False, _EO, "equalized_odds_difference", y_true, y_pred, sensitive_features, method,
                   sample_weight, agg)


def equalized_odds_ratio(y_true: Any, y_pred: Any, *, sensitive_features: Any,
                         method: str = "between_groups", sample_weight: Any = None,
                         agg: str = "worst_case") -> float:
    """The smaller (agg="mean": the mean) of the TPR and FPR ratios."""
    return _parity(True, _EO, "equalized_odds_ratio", y_true, y_pred, sensitive_features, method,
                   sample_weight, agg)


def equal_opportunity_difference(y_true: Any, y_pred: Any, *, sensitive_features: Any,
                                 method: str = "between_groups", sample_weight: Any = None) -> float:
    """Difference of the groups' true positive rates."""
    return _parity(False, _EOP, "equal_opportunity_difference", y_true, y_pred, sensitive_features,
                   method, sample_weight)


def equal_opportunity_ratio(y_true: Any, y_pred: Any, *, sensitive_features: Any,
                            method: str = "between_groups", sample_weight: Any = None) -> float:
    """Ratio of the groups' true positive rates (at most 1)."""
    return _parity(True, _EOP, "equal_opportunity_ratio", y_true, y_pred, sensitive_features, method,
                   sample_weight)


# ---- AIF360 --------------------------------------------------------------------------------


def _aif(ratio: bool, name: str, y_pred: Any, sensitive_features: Any, privileged_groups: Any,
         unprivileged_groups: Any, sample_weight: Any, favorable_label: int) -> float:
    codes, _, index = _groups(sensitive_features)

    def code_list(labels: Any) -> List[int]:
        out = []
        for v in labels:
            if index:
                if v not in index:
                    raise ValueError(f"{name}: unknown group {v!r}")
                out.append(index[v])
            else:
                out.append(int(v))
        return out

    priv = code_list(privileged_groups)
    unpriv = code_list(unprivileged_groups) if unprivileged_groups is not None else None
    o = FairnessOpts()
    check(C.mlops_fairness_opts_init(byref(o), FairnessOpts.VERSION))
    o.pos_label = int(favorable_label)
    with ExitStack() as stack:
        c = metrics._Call(stack)
        yp = c.labels("y_pred", y_pred)
        g, w = c.labels("sensitive_features", codes), c.weights(sample_weight)
        o.privileged, o.n_privileged = stack.enter_context(_buffer.int32(_buffer.as_int32(priv)))
        if unpriv is not None:
            o.unprivileged, o.n_unprivileged = stack.enter_context(_buffer.int32(_buffer.as_int32(unpriv)))
        r = EvalResult()
        check(C.mlops_eval_result_init(byref(r), EvalResult.VERSION))
        fn = C.mlops_fairness_disparate_impact if ratio else C.mlops_fairness_statistical_parity_difference
        check(fn(yp, g, c.n or 0, w, byref(o), byref(r)))
    _warn(name, r.reason)
    return float(r.value)


def disparate_impact(y_pred: Any, *, sensitive_features: Any, privileged_groups: Any,
                     unprivileged_groups: Any = None, sample_weight: Any = None,
                     favorable_label: int = 1) -> float:
    """AIF360's disparate impact: P(favorable | unprivileged) /
    P(favorable | privileged); the groups are values of the sensitive
    feature (unprivileged None: every other group)."""
    return _aif(True, "disparate_impact", y_pred, sensitive_features, privileged_groups,
                unprivileged_groups, sample_weight, favorable_label)


def statistical_parity_difference(y_pred: Any, *, sensitive_features: Any, privileged_groups: Any,
                                  unprivileged_groups: Any = None, sample_weight: Any = None,
                                  favorable_label: int = 1) -> float:
    """AIF360's statistical parity difference: P(favorable | unprivileged)
    - P(favorable | privileged)."""
    return _aif(False, "statistical_parity_difference", y_pred, sensitive_features, privileged_groups,
                unprivileged_groups, sample_weight, favorable_label)
